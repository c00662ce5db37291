import KubeClient

// Cloud metric sources of an AlertRule condition: the metric is read from CloudWatch or
// Cloud Monitoring instead of Prometheus. `condition.metric` then names the alert's metric
// (a free label); the source says what to read.

/// A CloudWatch metric, aggregated by GetMetricData (`condition.cloudwatch`).
public struct CloudWatchMetricSource: Codable, Sendable, Hashable {
    public var namespace: String
    public var metricName: String
    /// Dimension name → value (`InstanceId: i-0abc…`).
    public var dimensions: [String: String]?
    /// Average (default), Sum, Minimum, Maximum, SampleCount, or a percentile (p99).
    public var stat: String?
    /// Seconds per data point (300 by default).
    public var period: Int?
    /// The region, when not the operator's.
    public var region: String?

    public init(namespace: String, metricName: String, dimensions: [String: String]? = nil, stat: String? = nil,
                period: Int? = nil, region: String? = nil) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
        self.stat = stat
        self.period = period
        self.region = region
    }

    public var effectiveStat: String { stat ?? "Average" }
    public var effectivePeriod: Int { period ?? 300 }
}

/// A Cloud Monitoring query, read by `projects.timeSeries.list` (`condition.gcpMonitoring`).
public struct GCPMonitoringMetricSource: Codable, Sendable, Hashable {
    /// The monitoring filter (`metric.type = "compute.googleapis.com/instance/cpu/utilization"`).
    public var filter: String
    /// Seconds per aligned point (60 by default).
    public var alignmentPeriod: Int?
    /// ALIGN_MEAN (default), ALIGN_MAX, ALIGN_RATE…
    public var aligner: String?
    /// A cross-series reducer (REDUCE_MEAN…), to compare one series instead of each.
    public var reducer: String?
    /// The project, when not the operator's.
    public var project: String?

    public init(filter: String, alignmentPeriod: Int? = nil, aligner: String? = nil, reducer: String? = nil, project: String? = nil) {
        self.filter = filter
        self.alignmentPeriod = alignmentPeriod
        self.aligner = aligner
        self.reducer = reducer
        self.project = project
    }
}

extension MetricCondition {
    /// The cloud source set, by its field name, or nil for Prometheus and built-in metrics.
    public var cloudSourceName: String? {
        if cloudwatch != nil { return "cloudwatch" }
        if gcpMonitoring != nil { return "gcpMonitoring" }
        return nil
    }
}

extension AlertRule {
    static let cloudwatchSource: Schema = .object("Reads the metric from AWS CloudWatch (GetMetricData) instead of Prometheus; the latest data point is compared. Needs AWS credentials configured for the operator.", required: ["namespace", "metricName"], [
        ("namespace", .string("The CloudWatch namespace, e.g. AWS/EC2.", maxLength: 255, minLength: 1)),
        ("metricName", .string("The metric name, e.g. CPUUtilization.", maxLength: 255, minLength: 1)),
        ("dimensions", .map("Dimension name to value, e.g. InstanceId: i-0abc.", of: .string(maxLength: 1024, minLength: 1))),
        ("stat", .string("Average (default), Sum, Minimum, Maximum, SampleCount, or a percentile such as p99.", pattern: "^(Average|Sum|Minimum|Maximum|SampleCount|p[0-9]{1,2}(\\.[0-9]+)?)$")),
        ("period", .integer("Seconds per data point: 1, 5, 10, 30 or a multiple of 60 (300 by default).", minimum: 1, maximum: 86400)),
        ("region", .string("The AWS region, when not the operator's.", pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+$")),
    ])
    .validated("!has(self.period) || self.period in [1, 5, 10, 30] || self.period % 60 == 0",
               message: "period must be 1, 5, 10, 30 or a multiple of 60 seconds")

    static let gcpMonitoringSource: Schema = .object("Reads the metric from Google Cloud Monitoring (timeSeries.list) instead of Prometheus; each series' latest point is compared. Needs GCP credentials configured for the operator.", required: ["filter"], [
        ("filter", .string("A monitoring filter, e.g. metric.type = \"compute.googleapis.com/instance/cpu/utilization\".", minLength: 1)),
        ("alignmentPeriod", .integer("Seconds per aligned point (60 by default).", minimum: 60, maximum: 86400)),
        ("aligner", .string("The per-series aligner (ALIGN_MEAN by default).", pattern: "^ALIGN_[A-Z0-9_]+$")),
        ("reducer", .string("A cross-series reducer, e.g. REDUCE_MEAN, to compare one series instead of each.", pattern: "^REDUCE_[A-Z0-9_]+$")),
        ("project", .string("The GCP project, when not the operator's.", pattern: "^[a-z][-a-z0-9]{4,28}[a-z0-9]$")),
    ])
}
