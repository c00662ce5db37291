/// The metrics opsagent measures itself, without a query written by the user: from the
/// pods, from `metrics.k8s.io`, and (the error rate) from Prometheus. Each is one number
/// for a set of pods.
public enum BuiltinMetric: String, Sendable, Hashable, CaseIterable, Codable {
    /// Ready pods over the pods wanted (1 when all are ready).
    case podReadiness = "PodReadiness"
    /// Container restarts, summed over the pods.
    case restarts = "Restarts"
    /// CPU usage over the CPU limit, of the busiest pod.
    case cpu = "CPU"
    /// Memory working set over the memory limit, of the fullest pod.
    case memory = "Memory"
    /// CPU usage in cores, of the busiest pod.
    case cpuUsage = "CPUUsage"
    /// Memory working set in bytes, of the fullest pod.
    case memoryUsage = "MemoryUsage"
    /// The share of the pods' HTTP requests that failed (5xx) over the last five minutes,
    /// from Prometheus `http_requests_total` (``errorRateQuery``); empty without traffic.
    case errorRate = "ErrorRate"

    /// The query behind ``errorRate``, over the target's pods (`{{namespace}}`, `{{pods}}`).
    public static let errorRateQuery = #"sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}"}[5m]))"#

    /// The metrics a rollout's analysis offers (`spec.*PromotionAnalysis.checks[].builtin.type`).
    public static let rolloutChecks: [BuiltinMetric] = [.podReadiness, .restarts, .cpu, .memory]

    /// The threshold a check uses when it names none.
    public var defaultThreshold: Double? {
        switch self {
        case .podReadiness: return 1
        case .restarts: return 0
        case .cpu: return 0.8
        case .memory: return 0.9
        case .errorRate: return 0.05
        case .cpuUsage, .memoryUsage: return nil
        }
    }

    /// Whether `value` passes against `threshold`: readiness at least it, the others at most
    /// it (restarts, error rate) or below it (usage ratios). Nil when there is no threshold to judge by.
    public func passes(_ value: Double, threshold: Double?) -> Bool? {
        guard let threshold = threshold ?? defaultThreshold else { return nil }
        switch self {
        case .podReadiness: return value >= threshold
        case .restarts: return value <= threshold
        case .cpu, .memory, .cpuUsage, .memoryUsage: return value < threshold
        case .errorRate: return value <= threshold
        }
    }
}
