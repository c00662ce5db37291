import Cloud
import Foundation
import Integrations
import KubeClient
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI

/// What a rule's source answered once: series, nothing, a refused query, or a failure.
public enum SourceAnswer: Sendable, Equatable {
    case samples([AlertSeries])
    /// An empty result (or only NaN), with why.
    case empty(String)
    /// Prometheus refused the query; its own error text.
    case invalidQuery(String)
    /// The source could not be read (unreachable, timed out, no Prometheus configured…).
    case failed(String)
}

/// One evaluation of a rule: the reading for the state machine and what status shows.
public struct RuleReading: Sendable, Equatable {
    public var reading: ConditionReading
    /// The value judged (the top firing series, else the series nearest to firing).
    public var value: Double?
    /// The series the condition holds for, highest value first.
    public var firing: [AlertSeries]
    /// The error or no-data reason.
    public var error: String?
    /// Prometheus's text when it refused the query.
    public var invalidQuery: String?

    /// Judges `answer` for `spec`: `expr` holds for every series it returns, a `condition`
    /// for those its comparison holds for; no data counts as `noDataState` says, and a
    /// failure or a refused query concludes nothing.
    public static func judge(_ answer: SourceAnswer, spec: AlertRuleSpec) -> RuleReading {
        switch answer {
        case .failed(let message):
            return RuleReading(reading: .unknown, value: nil, firing: [], error: message)
        case .invalidQuery(let message):
            return RuleReading(reading: .unknown, value: nil, firing: [], error: message, invalidQuery: message)
        case .empty(let why):
            return noData(why, spec: spec)
        case .samples(let all):
            let samples = all.filter { !$0.value.isNaN }
            if samples.isEmpty { return noData(all.isEmpty ? "the query returned no series" : "the query returned NaN", spec: spec) }
            let ordered = samples.sorted { $0.value > $1.value }
            guard let condition = spec.condition else {
                return RuleReading(reading: .holds, value: ordered[0].value, firing: ordered, error: nil)
            }
            let firing = ordered.filter { condition.holds(for: $0.value) == true }
            if let top = firing.first { return RuleReading(reading: .holds, value: top.value, firing: firing, error: nil) }
            // Nearest to firing: the highest value for > and >=, the lowest for < and <=.
            let lowFires = ["<", "<="].contains(condition.`operator`)
            return RuleReading(reading: .clear, value: lowFires ? ordered.last!.value : ordered[0].value, firing: [], error: nil)
        }
    }

    static func noData(_ why: String, spec: AlertRuleSpec) -> RuleReading {
        let reading: ConditionReading
        switch spec.effectiveNoDataState {
        case .inactive: reading = .clear
        case .firing: reading = .holds
        case .unknown: reading = .unknown
        }
        return RuleReading(reading: reading, value: nil, firing: [], error: "no data: \(why)")
    }
}

/// Reads a rule's source: a PromQL query (its `expr`, or its condition's metric) or a
/// built-in metric of its target's pods.
///
/// Rules with the same query, source and interval share one evaluation per tick (a tick is
/// the window of one interval the evaluation falls in, offset by the rule's ``phase(_:namespace:)``):
/// the first asks, the others await its answer. Rules are evaluated at tick starts, so rules
/// with the same expression line up on the same tick, and other rules spread over the interval.
public final class RuleEvaluator: Sendable {
    public let measurer: CheckMeasurer
    private let api: any KubernetesAPI
    private struct Entry {
        var tick: Int64
        var answer: Task<SourceAnswer, Never>
    }
    private let shared = NIOLockedValueBox<[String: Entry]>([:])
    private let counters = NIOLockedValueBox<(reads: Int, shared: Int)>((0, 0))

    /// The clouds a `cloudwatch` or `gcpMonitoring` condition reads; nil when none is configured.
    public let cloud: CloudClients?
    /// The informer's pods, when the evaluator runs in a manager; nil lists them from the API.
    private let cachedPods: CachedPods?

    public init(measurer: CheckMeasurer, api: any KubernetesAPI, pods: CachedPods? = nil, cloud: CloudClients? = nil) {
        self.measurer = measurer
        self.api = api
        self.cachedPods = pods
        self.cloud = cloud
    }

    /// Source reads made, and evaluations that reused another rule's read of the same tick.
    public var statistics: (reads: Int, shared: Int) { counters.withLockedValue { $0 } }

    /// The tick `now` falls in for `interval`, ticks starting `phase` into each interval.
    public static func tick(_ now: Date, interval: Duration, phase: Duration = .zero) -> Int64 {
        let ms = max(1, Int64(interval.seconds * 1000))
        let offset = Int64(phase.seconds * 1000) % ms
        let t = Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) - offset
        return t >= 0 ? t / ms : (t - ms + 1) / ms
    }

    /// When tick `tick` starts.
    public static func tickStart(_ tick: Int64, interval: Duration, phase: Duration = .zero) -> Date {
        let ms = max(1, Int64(interval.seconds * 1000))
        return Date(timeIntervalSince1970: Double(tick * ms + Int64(phase.seconds * 1000) % ms) / 1000)
    }

    /// The start of the next tick after `now`.
    public static func nextTick(after now: Date, interval: Duration, phase: Duration = .zero) -> Date {
        tickStart(tick(now, interval: interval, phase: phase) + 1, interval: interval, phase: phase)
    }

    /// Where a rule's ticks fall within its interval, as Prometheus offsets each rule group:
    /// a stable hash (FNV-1a) of what the rule reads and how often, so that rules spread
    /// over the interval instead of all evaluating at its start, while rules that read the
    /// same thing at the same interval keep the same ticks and share one evaluation.
    public static func phase(_ spec: AlertRuleSpec, namespace: String) -> Duration {
        let interval = max(1, Int64(spec.effectiveInterval.seconds * 1000))
        let target = spec.target.map { "\($0.namespace ?? namespace)|\($0.selector.description)" } ?? ""
        let what = spec.expr ?? [spec.condition?.metric ?? "", spec.prometheusAddress ?? ""].joined(separator: "|")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(what)|\(target)|\(interval)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return .milliseconds(Int64(hash % UInt64(interval)))
    }

    /// The pods of the rule's target, without those being deleted: from the informer when
    /// there is one, else from the API.
    public func targetPods(_ spec: AlertRuleSpec, namespace: String) async throws -> (namespace: String, pods: [JSONValue])? {
        guard let target = spec.target else { return nil }
        let ns = target.namespace ?? namespace
        if let cachedPods { return (ns, try await cachedPods.pods(namespace: ns, selector: target.selector)) }
        let list = try await api.list(.pods, namespace: ns, options: ListOptions(labelSelector: target.selector.description))
        return (ns, list.items.filter { $0["metadata"]["deletionTimestamp"].isNull })
    }

    /// What the rule's source answers for this tick.
    public func read(_ spec: AlertRuleSpec, namespace: String, now: Date) async -> SourceAnswer {
        let interval = spec.effectiveInterval
        let phase = Self.phase(spec, namespace: namespace)
        let tick = Self.tick(now, interval: interval, phase: phase)
        let pods: (namespace: String, pods: [JSONValue])?
        do { pods = try await targetPods(spec, namespace: namespace) } catch {
            return .failed("cannot list the target's pods: \(error)")
        }
        let target = pods.map { MetricTarget(namespace: $0.namespace, pods: $0.pods, desired: $0.pods.count) }
        let key: String
        let work: @Sendable () async -> SourceAnswer
        if let condition = spec.condition, let cloudKey = CloudMetricSource.key(condition) {
            key = cloudKey
            let cloud = self.cloud
            work = { await CloudMetricSource.read(condition, clients: cloud, now: now) }
        } else if let builtin = spec.condition?.builtin {
            guard let target else { return .failed("the built-in metric \(builtin.rawValue) needs spec.target") }
            let address = builtin == .errorRate ? spec.prometheusAddress : nil
            key = "builtin|\(builtin.rawValue)|\(address ?? "")|\(target.namespace)|\(target.podNames.sorted().joined(separator: ","))"
            let measurer = self.measurer
            work = { Self.answer(await measurer.measure(builtin, target: target, prometheusAddress: address), namespace: target.namespace) }
        } else {
            let text = spec.expr ?? spec.condition?.metric ?? ""
            let query = target?.substitute(text) ?? text
            let address = spec.prometheusAddress ?? measurer.prometheusURL
            guard let address else {
                return .failed("no Prometheus configured: set spec.prometheusAddress or run the operator with --prometheus-url")
            }
            key = "promql|\(address)|\(query)"
            let transport = measurer.transport
            work = { await Self.query(query, address: address, transport: transport) }
        }
        let sharedKey = "\(key)|\(Int64(interval.seconds * 1000))|\(Int64(phase.seconds * 1000))"
        let (task, reused) = shared.withLockedValue { table -> (Task<SourceAnswer, Never>, Bool) in
            if let entry = table[sharedKey], entry.tick == tick { return (entry.answer, true) }
            if table.count > 4096 { table = table.filter { $0.value.tick >= tick - 1 } }
            let task = Task { await work() }
            table[sharedKey] = Entry(tick: tick, answer: task)
            return (task, false)
        }
        counters.withLockedValue { reused ? ($0.shared += 1) : ($0.reads += 1) }
        return await task.value
    }

    static func answer(_ value: MeasuredValue, namespace: String) -> SourceAnswer {
        switch value {
        case .value(let v): return .samples([AlertSeries(labels: ["namespace": namespace], value: v)])
        case .empty(let why): return .empty(why)
        case .error(let message): return .failed(message)
        }
    }

    static func query(_ query: String, address: String, transport: any HTTPTransport) async -> SourceAnswer {
        do {
            switch try await PrometheusClient(baseURL: address, transport: transport, timeout: .seconds(10)).query(query) {
            case .scalar(let v): return .samples([AlertSeries(labels: [:], value: v)])
            case .vector(let samples):
                if samples.isEmpty { return .empty("the query returned no series") }
                return .samples(samples.map { AlertSeries(labels: $0.labels, value: $0.value) })
            case .other(let type):
                return .invalidQuery("the query returns a \(type); an alert needs an instant vector or a scalar")
            }
        } catch {
            if case .query(_, let type, let message) = error, type == "bad_data" { return .invalidQuery(message) }
            return .failed(error.description)
        }
    }
}

extension RuleEvaluator {
    /// The pods of a namespace, without those being deleted.
    public func pods(namespace: String) async -> [JSONValue] {
        let list = try? await api.list(.pods, namespace: namespace, options: ListOptions())
        return (list?.items ?? []).filter { $0["metadata"]["deletionTimestamp"].isNull }
    }
}
