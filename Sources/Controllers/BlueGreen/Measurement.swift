import Foundation
import Integrations
import KubeClient
import OpsAPI

/// The pods of one color, as the analysis reads them.
struct ColorPods: Sendable {
    var color: Color
    var pods: [JSONValue]
    /// Replicas the color should run.
    var desired: Int

    var names: [String] { pods.compactMap { $0["metadata"]["name"].stringValue } }
    var readyCount: Int { pods.filter { Self.isReady($0) }.count }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }
}

/// Where measurements come from; injected so tests can use the simulator's metrics.
struct MeasurementSources: Sendable {
    /// The operator's Prometheus (`--prometheus-url`); nil when none is configured.
    var prometheusURL: String?
    var transport: any HTTPTransport
    /// Reads `metrics.k8s.io` PodMetrics: pod name → (CPU cores, memory bytes).
    var podMetrics: @Sendable (_ namespace: String, _ pods: [String]) async -> [String: (cpu: Double, memory: Double)]
}

/// One measured value: a number, or nothing (empty result or NaN), or an error.
enum MeasuredValue: Sendable {
    case value(Double)
    case empty(String)
    case error(String)

    var text: String {
        switch self {
        case .value(let v): return v.isNaN ? "NaN" : String(format: "%.4g", v)
        case .empty(let why): return "empty (\(why))"
        case .error(let message): return "error: \(message)"
        }
    }
}

/// Takes one measurement of a check and judges it.
struct CheckMeasurer: Sendable {
    let sources: MeasurementSources

    func measure(_ check: AnalysisCheck, rollout: BlueGreenDeployment, pods: ColorPods, revision: String) async -> MeasuredValue {
        if let prometheus = check.prometheus {
            guard let url = prometheus.address ?? sources.prometheusURL else {
                return .error("no Prometheus configured: set the check's prometheus.address or run the operator with --prometheus-url")
            }
            let query = Self.substitute(prometheus.query, rollout: rollout, pods: pods, revision: revision)
            do {
                let result = try await PrometheusClient(baseURL: url, transport: sources.transport).query(query)
                guard let value = try result.singleValue(query: query) else { return .empty("the query returned no series") }
                return value.isNaN ? .empty("the query returned NaN") : .value(value)
            } catch {
                return .error("\(error)")
            }
        }
        guard let builtin = check.builtin else { return .error("the check has neither prometheus nor builtin") }
        switch builtin.type {
        case "PodReadiness":
            guard pods.desired > 0 else { return .value(1) }
            return .value(Double(pods.readyCount) / Double(pods.desired))
        case "Restarts":
            let restarts = pods.pods.reduce(0) { total, pod in
                total + (pod["status"]["containerStatuses"].arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"].intValue ?? 0) }
            }
            return .value(Double(restarts))
        case "CPU", "Memory":
            let usage = await sources.podMetrics(rollout.metadata.namespace ?? "default", pods.names)
            var worst: Double?
            for pod in pods.pods {
                guard let name = pod["metadata"]["name"].stringValue, let used = usage[name] else { continue }
                let limit = Self.limit(of: pod, cpu: builtin.type == "CPU")
                guard let limit, limit > 0 else { continue }
                let fraction = (builtin.type == "CPU" ? used.cpu : used.memory) / limit
                worst = max(worst ?? fraction, fraction)
            }
            guard let worst else {
                return .empty(usage.isEmpty ? "no pod metrics yet" : "the containers set no \(builtin.type == "CPU" ? "cpu" : "memory") limit")
            }
            return .value(worst)
        default:
            return .error("unknown builtin check \(builtin.type)")
        }
    }

    /// Judges a value: Successful, Failed or Inconclusive.
    static func judge(_ value: MeasuredValue, check: AnalysisCheck) -> String {
        let number: Double
        switch value {
        case .error: return "Error"
        case .empty:
            switch check.emptyResult ?? "Inconclusive" {
            case "Fail": return "Failed"
            case "Pass": return "Successful"
            default: return "Inconclusive"
            }
        case .value(let v): number = v
        }
        if let text = check.failureCondition, let failure = try? ConditionExpression(parsing: text), failure.evaluate(result: number) {
            return "Failed"
        }
        if let text = check.successCondition, let success = try? ConditionExpression(parsing: text) {
            return success.evaluate(result: number) ? "Successful" : "Failed"
        }
        if let range = check.thresholdRange {
            if let lo = range.min, number < lo { return "Failed" }
            if let hi = range.max, number > hi { return "Failed" }
            return "Successful"
        }
        if let builtin = check.builtin {
            switch builtin.type {
            case "PodReadiness": return number >= (builtin.threshold ?? 1) ? "Successful" : "Failed"
            case "Restarts": return number <= (builtin.threshold ?? 0) ? "Successful" : "Failed"
            case "CPU": return number < (builtin.threshold ?? 0.8) ? "Successful" : "Failed"
            case "Memory": return number < (builtin.threshold ?? 0.9) ? "Successful" : "Failed"
            default: return "Error"
            }
        }
        // Only a failure condition was given and it did not hold.
        return "Successful"
    }

    static func substitute(_ query: String, rollout: BlueGreenDeployment, pods: ColorPods, revision: String) -> String {
        let podRegex = pods.names.isEmpty ? "^$" : pods.names.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        return query
            .replacingOccurrences(of: "{{namespace}}", with: rollout.metadata.namespace ?? "default")
            .replacingOccurrences(of: "{{name}}", with: rollout.metadata.name ?? "")
            .replacingOccurrences(of: "{{color}}", with: pods.color.rawValue)
            .replacingOccurrences(of: "{{revision}}", with: revision)
            .replacingOccurrences(of: "{{pods}}", with: podRegex)
    }

    /// The pod's CPU (cores) or memory (bytes) limit summed over containers, nil when any lacks one.
    static func limit(of pod: JSONValue, cpu: Bool) -> Double? {
        var total = 0.0
        let containers = pod["spec"]["containers"].arrayValue ?? []
        guard !containers.isEmpty else { return nil }
        for c in containers {
            guard let text = c["resources"]["limits"][cpu ? "cpu" : "memory"].stringValue
                    ?? c["resources"]["limits"][cpu ? "cpu" : "memory"].intValue.map(String.init),
                  let q = try? Quantity(parsing: text) else { return nil }
            total += q.doubleValue
        }
        return total
    }
}
