import KubeClient

/// The seed's condition on a metric: `{metric, operator, threshold, duration}`, e.g.
/// `cpu_usage > 80 for 5m`. `metric` is a PromQL expression or a ``BuiltinMetric`` name.
public struct MetricCondition: Codable, Sendable, Hashable {
    public var metric: String
    /// `>`, `<`, `==`, `>=`, `<=` or `!=`.
    public var `operator`: String
    public var threshold: Double
    /// How long the condition must hold before it counts (`5m`): Prometheus's `for`.
    public var duration: String?
    /// Read the metric from CloudWatch; `metric` is then only the alert's label for it.
    public var cloudwatch: CloudWatchMetricSource?
    /// Read the metric from Cloud Monitoring; `metric` is then only the alert's label for it.
    public var gcpMonitoring: GCPMonitoringMetricSource?

    public init(metric: String, operator: String, threshold: Double, duration: String? = nil,
                cloudwatch: CloudWatchMetricSource? = nil, gcpMonitoring: GCPMonitoringMetricSource? = nil) {
        self.metric = metric
        self.operator = `operator`
        self.threshold = threshold
        self.duration = duration
        self.cloudwatch = cloudwatch
        self.gcpMonitoring = gcpMonitoring
    }

    /// The built-in metric `metric` names, nil for a PromQL expression or a cloud source.
    public var builtin: BuiltinMetric? { cloudwatch == nil && gcpMonitoring == nil ? BuiltinMetric(rawValue: metric) : nil }

    /// Whether the condition holds for `value`; nil for an unknown operator (the schema
    /// refuses those) and for NaN, which is no data rather than a comparison.
    public func holds(for value: Double) -> Bool? {
        guard !value.isNaN, let comparison = ComparisonOperator(rawValue: `operator`) else { return nil }
        return comparison.compare(value, threshold)
    }
}

/// A comparison of a value with a threshold.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case greater = ">", less = "<", equal = "==", greaterOrEqual = ">=", lessOrEqual = "<=", notEqual = "!="

    public func compare(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: return value > threshold
        case .less: return value < threshold
        case .equal: return value == threshold
        case .greaterOrEqual: return value >= threshold
        case .lessOrEqual: return value <= threshold
        case .notEqual: return value != threshold
        }
    }
}
