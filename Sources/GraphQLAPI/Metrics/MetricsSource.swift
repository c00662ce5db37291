import Foundation
import Integrations
import KubeClient
import OperatorKit
import OpsAPI

/// A point of a metric of a resource (the seed's `metrics` and `metricUpdated`).
public struct MetricNode: Sendable, Hashable, Encodable {
    public var resource: String
    /// `cpu_usage` (cores), `memory_usage` (bytes), `network_receive`/`network_transmit` and
    /// `disk_read`/`disk_write` (bytes per second): the seed's MetricsData fields.
    public var name: String
    public var timestamp: String
    public var value: Double
    public var unit: String
}

/// The time range of a `metrics` query: the `last` duration up to now (`15m` when nothing
/// is given), or `start`..`end` (RFC 3339); `step` defaults to a sixtieth of the range.
public struct TimeRangeInput: Codable, Sendable {
    public var start: String?
    public var end: String?
    public var last: String?
    public var step: String?
}

/// Container metrics from Prometheus (cAdvisor's series, as kubelets expose them), for a
/// resource named `pod/NAMESPACE/NAME`, `deployment/NAMESPACE/NAME` (a rollout's or a
/// Deployment's pods), `namespace/NAMESPACE` or `cluster`.
struct MetricsSource: Sendable {
    let prometheus: PrometheusClient

    /// The metrics and their PromQL, `SEL` standing for the resource's label matchers.
    static let queries: [(name: String, unit: String, promql: String)] = [
        ("cpu_usage", "cores", #"sum(rate(container_cpu_usage_seconds_total{SEL,container!=""}[5m]))"#),
        ("memory_usage", "bytes", #"sum(container_memory_working_set_bytes{SEL,container!=""})"#),
        ("network_receive", "bytes/s", "sum(rate(container_network_receive_bytes_total{SEL}[5m]))"),
        ("network_transmit", "bytes/s", "sum(rate(container_network_transmit_bytes_total{SEL}[5m]))"),
        ("disk_read", "bytes/s", "sum(rate(container_fs_reads_bytes_total{SEL}[5m]))"),
        ("disk_write", "bytes/s", "sum(rate(container_fs_writes_bytes_total{SEL}[5m]))"),
    ]

    /// A parsed resource: its matchers and the namespace whose pods it reads (nil: all).
    struct Target {
        var matchers: String
        var namespace: String?
    }

    static func target(_ resource: String) throws(APIError) -> Target {
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let valid = { (text: String) in
            !text.isEmpty && text.count <= 253 && text.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." } && text.first != "-"
        }
        let problem = "use pod/NAMESPACE/NAME, deployment/NAMESPACE/NAME, namespace/NAMESPACE or cluster"
        guard parts.dropFirst().allSatisfy(valid) else { throw .invalidArgument(name: "resource", problem: "'\(resource)': \(problem)") }
        switch (parts.first?.lowercased(), parts.count) {
        case ("cluster", 1): return Target(matchers: #"namespace!="""#, namespace: nil)
        case ("namespace", 2): return Target(matchers: #"namespace="\#(parts[1])""#, namespace: parts[1])
        case ("pod", 3): return Target(matchers: #"namespace="\#(parts[1])",pod="\#(parts[2])""#, namespace: parts[1])
        case ("deployment", 3), ("bluegreendeployment", 3):
            return Target(matchers: #"namespace="\#(parts[1])",pod=~"\#(parts[2].replacingOccurrences(of: ".", with: "\\\\."))-.+""#, namespace: parts[1])
        default: throw .invalidArgument(name: "resource", problem: "'\(resource)': \(problem)")
        }
    }

    /// The points of every metric of `resource` over `range`.
    func range(_ resource: String, _ target: Target, _ range: TimeRangeInput, now: Date = Date()) async throws(APIError) -> [MetricNode] {
        let (start, end, step) = try Self.window(range, now: now)
        var nodes: [MetricNode] = []
        for metric in Self.queries {
            let query = metric.promql.replacingOccurrences(of: "SEL", with: target.matchers)
            let series: [PrometheusSeries]
            do { series = try await prometheus.queryRange(query, start: start, end: end, step: step) } catch {
                throw .failed("\(error)")
            }
            for point in series.first?.points ?? [] where point.1.isFinite {
                nodes.append(MetricNode(resource: resource, name: metric.name, timestamp: KubeTimestamp.format(Date(timeIntervalSince1970: point.0)),
                                        value: point.1, unit: metric.unit))
            }
        }
        return nodes
    }

    /// The current value of every metric of `resource` (what `metricUpdated` sends).
    func current(_ resource: String, _ target: Target) async throws(APIError) -> [MetricNode] {
        var nodes: [MetricNode] = []
        for metric in Self.queries {
            let query = metric.promql.replacingOccurrences(of: "SEL", with: target.matchers)
            let result: PrometheusResult
            do { result = try await prometheus.query(query) } catch { throw .failed("\(error)") }
            if case .vector(let samples) = result, let sample = samples.first, sample.value.isFinite {
                nodes.append(MetricNode(resource: resource, name: metric.name,
                                        timestamp: KubeTimestamp.format(Date(timeIntervalSince1970: sample.timestamp)),
                                        value: sample.value, unit: metric.unit))
            }
        }
        return nodes
    }

    static func window(_ range: TimeRangeInput, now: Date) throws(APIError) -> (Date, Date, Duration) {
        func seconds(_ text: String, _ field: String) throws(APIError) -> Double {
            guard let duration = GoDuration.parse(text), duration > .zero else {
                throw .invalidArgument(name: "timeRange.\(field)", problem: "'\(text)' is not a duration such as 30s, 15m or 1h")
            }
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        func date(_ text: String, _ field: String) throws(APIError) -> Date {
            guard let date = KubeTimestamp.parse(text) else {
                throw .invalidArgument(name: "timeRange.\(field)", problem: "'\(text)' is not an RFC 3339 time such as 2026-12-07T10:00:00Z")
            }
            return date
        }
        let end = try range.end.map { text throws(APIError) in try date(text, "end") } ?? now
        let start: Date
        if let text = range.start {
            guard range.last == nil else { throw .invalidArgument(name: "timeRange", problem: "give either last or start (and end), not both") }
            start = try date(text, "start")
        } else {
            start = end.addingTimeInterval(-(try seconds(range.last ?? "15m", "last")))
        }
        guard start < end else { throw .invalidArgument(name: "timeRange", problem: "start must be before end") }
        let span = end.timeIntervalSince(start)
        let step = try range.step.map { text throws(APIError) in try seconds(text, "step") } ?? max(1, (span / 60).rounded())
        guard span / step <= 11_000 else {
            throw .invalidArgument(name: "timeRange.step", problem: "\(Int(span / step)) points per series is more than 11000; use a larger step")
        }
        return (start, end, .milliseconds(Int64(step * 1000)))
    }
}
