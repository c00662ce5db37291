import Foundation
import Integrations
import KubeClient
import OpsAPI

/// One measured value: a number, nothing (an empty result or NaN), or an error.
public enum MeasuredValue: Sendable, Equatable {
    case value(Double)
    case empty(String)
    case error(String)

    public var text: String {
        switch self {
        case .value(let v): return v.isNaN ? "NaN" : String(format: "%.4g", v)
        case .empty(let why): return "empty (\(why))"
        case .error(let message): return "error: \(message)"
        }
    }

    public var number: Double? { if case .value(let v) = self { return v } else { return nil } }
}

/// How one measurement is judged.
public enum MeasurementVerdict: String, Sendable, Hashable {
    case successful = "Successful"
    case failed = "Failed"
    case inconclusive = "Inconclusive"
    case error = "Error"
}

/// Takes measurements of metric checks — a Prometheus query or a ``BuiltinMetric`` of the
/// target's pods — and judges them. Shared by a rollout's analysis and AlertRule.
public struct CheckMeasurer: Sendable {
    /// The operator's Prometheus (`--prometheus-url`); nil when none is configured.
    public var prometheusURL: String?
    public var transport: any HTTPTransport
    public var podMetrics: PodMetricsReader

    public init(prometheusURL: String?, transport: any HTTPTransport, podMetrics: PodMetricsReader) {
        self.prometheusURL = prometheusURL
        self.transport = transport
        self.podMetrics = podMetrics
    }

    /// One measurement of `check` over `target`.
    public func measure(_ check: AnalysisCheck, target: MetricTarget) async -> MeasuredValue {
        if let prometheus = check.prometheus {
            return await query(target.substitute(prometheus.query), address: prometheus.address)
        }
        guard let builtin = check.builtin else { return .error("the check has neither prometheus nor builtin") }
        guard let metric = BuiltinMetric(rawValue: builtin.type) else { return .error("unknown builtin check \(builtin.type)") }
        return await measure(metric, target: target)
    }

    /// An instant PromQL query that must answer one series.
    public func query(_ query: String, address: String? = nil) async -> MeasuredValue {
        guard let url = address ?? prometheusURL else {
            return .error("no Prometheus configured: set the check's prometheus.address or run the operator with --prometheus-url")
        }
        do {
            let result = try await PrometheusClient(baseURL: url, transport: transport).query(query)
            guard let value = try result.singleValue(query: query) else { return .empty("the query returned no series") }
            return value.isNaN ? .empty("the query returned NaN") : .value(value)
        } catch {
            return .error("\(error)")
        }
    }

    /// A built-in metric of the target's pods; `prometheusAddress` is where the error rate
    /// is read (the operator's Prometheus when nil).
    public func measure(_ metric: BuiltinMetric, target: MetricTarget, prometheusAddress: String? = nil) async -> MeasuredValue {
        switch metric {
        case .podReadiness:
            guard target.desired > 0 else { return .value(1) }
            return .value(Double(target.readyCount) / Double(target.desired))
        case .restarts:
            return .value(Double(target.restarts))
        case .errorRate:
            return await query(target.substitute(BuiltinMetric.errorRateQuery), address: prometheusAddress)
        case .cpu, .memory, .cpuUsage, .memoryUsage:
            let cpu = metric == .cpu || metric == .cpuUsage
            let ratio = metric == .cpu || metric == .memory
            let usage = await podMetrics.read(namespace: target.namespace, pods: target.podNames)
            var worst: Double?
            var limitless = false
            for pod in target.pods {
                guard let name = pod["metadata"]["name"].stringValue, let used = usage[name] else { continue }
                var value = cpu ? used.cpu : used.memory
                if ratio {
                    guard let limit = Self.limit(of: pod, cpu: cpu), limit > 0 else { limitless = true; continue }
                    value /= limit
                }
                worst = max(worst ?? value, value)
            }
            guard let worst else {
                if usage.isEmpty { return .empty("no pod metrics yet") }
                return .empty(limitless ? "the containers set no \(cpu ? "cpu" : "memory") limit" : "no pod metrics for these pods")
            }
            return .value(worst)
        }
    }

    /// Judges a value against the check: its failure condition, success condition or
    /// threshold range, else the built-in metric's own threshold. An empty value counts as
    /// `emptyResult` says (Inconclusive by default); an error is an error, never a pass.
    public static func judge(_ value: MeasuredValue, check: AnalysisCheck) -> MeasurementVerdict {
        let number: Double
        switch value {
        case .error: return .error
        case .empty:
            switch check.emptyResult ?? "Inconclusive" {
            case "Fail": return .failed
            case "Pass": return .successful
            default: return .inconclusive
            }
        case .value(let v): number = v
        }
        if let text = check.failureCondition, let failure = try? ConditionExpression(parsing: text), failure.evaluate(result: number) {
            return .failed
        }
        if let text = check.successCondition, let success = try? ConditionExpression(parsing: text) {
            return success.evaluate(result: number) ? .successful : .failed
        }
        if let range = check.thresholdRange {
            if let lo = range.min, number < lo { return .failed }
            if let hi = range.max, number > hi { return .failed }
            return .successful
        }
        if let builtin = check.builtin {
            guard let metric = BuiltinMetric(rawValue: builtin.type),
                  let passes = metric.passes(number, threshold: builtin.threshold) else { return .error }
            return passes ? .successful : .failed
        }
        // Only a failure condition was given and it did not hold.
        return .successful
    }

    /// The pod's CPU (cores) or memory (bytes) limit summed over containers, nil when any lacks one.
    public static func limit(of pod: JSONValue, cpu: Bool) -> Double? {
        var total = 0.0
        let containers = pod["spec"]["containers"].arrayValue ?? []
        guard !containers.isEmpty else { return nil }
        for c in containers {
            let value = c["resources"]["limits"][cpu ? "cpu" : "memory"]
            guard let text = value.stringValue ?? value.intValue.map(String.init), let q = try? Quantity(parsing: text) else { return nil }
            total += q.doubleValue
        }
        return total
    }
}
