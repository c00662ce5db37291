import KubeClient

// Metric checks: one measurement source (a Prometheus query or a built-in metric of pods)
// judged by conditions, a threshold range or the seed's `{metric, operator, threshold}`.
// A rollout's analysis and an AlertRule evaluate the same checks; empty and NaN results are
// inconclusive unless `emptyResult` says otherwise, never a pass.

/// One check: a Prometheus query judged by conditions or a threshold range, or a built-in check.
public struct AnalysisCheck: Codable, Sendable, Hashable {
    public var name: String
    public var prometheus: PrometheusQuery?
    public var builtin: BuiltinCheck?
    /// An expression over `result` that passes the measurement, e.g. `result < 0.05`.
    public var successCondition: String?
    /// An expression over `result` that fails the measurement, e.g. `result >= 0.1`.
    public var failureCondition: String?
    public var thresholdRange: ThresholdRange?
    /// Time between measurements, e.g. `10s`.
    public var interval: String?
    /// Measurements to take.
    public var count: Int?
    /// Failed measurements tolerated before the check fails.
    public var failureLimit: Int?
    /// Inconclusive measurements tolerated before the check is inconclusive.
    public var inconclusiveLimit: Int?
    /// What an empty or NaN result counts as: Inconclusive (default), Fail or Pass.
    public var emptyResult: String?

    public init(name: String, prometheus: PrometheusQuery? = nil, builtin: BuiltinCheck? = nil,
                successCondition: String? = nil, failureCondition: String? = nil, thresholdRange: ThresholdRange? = nil,
                interval: String? = nil, count: Int? = nil, failureLimit: Int? = nil, inconclusiveLimit: Int? = nil,
                emptyResult: String? = nil) {
        self.name = name
        self.prometheus = prometheus
        self.builtin = builtin
        self.successCondition = successCondition
        self.failureCondition = failureCondition
        self.thresholdRange = thresholdRange
        self.interval = interval
        self.count = count
        self.failureLimit = failureLimit
        self.inconclusiveLimit = inconclusiveLimit
        self.emptyResult = emptyResult
    }
}

public struct PrometheusQuery: Codable, Sendable, Hashable {
    /// PromQL; `{{namespace}}`, `{{name}}`, `{{color}}`, `{{revision}}` and `{{pods}}` (a regex of the revision's pods) are substituted.
    public var query: String
    /// Overrides the operator's configured Prometheus URL.
    public var address: String?

    public init(query: String, address: String? = nil) {
        self.query = query
        self.address = address
    }
}

public struct BuiltinCheck: Codable, Sendable, Hashable {
    /// A ``BuiltinMetric`` name: PodReadiness, Restarts, CPU or Memory for a rollout.
    public var type: String
    /// For Restarts: restarts allowed; for CPU and Memory: fraction of the limit (0.8 and 0.9 by default).
    public var threshold: Double?

    public init(type: String, threshold: Double? = nil) {
        self.type = type
        self.threshold = threshold
    }
}

public struct ThresholdRange: Codable, Sendable, Hashable {
    public var min: Double?
    public var max: Double?

    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }
}
