/// One metric series the caller queried, with the query that produced it.
///
/// `values` are oldest first. A value of NaN, or an empty list, means the source had no
/// data; the built-in analyzer reads that as *inconclusive*, never as healthy.
public struct MetricSample: Sendable, Hashable {
    /// A short name for the series: `error-rate`, `p99-latency`.
    public var name: String
    /// The query as the caller ran it (PromQL, a CloudWatch expression…), shown in evidence.
    public var query: String
    /// What the values measure, which decides how the built-in analyzer judges them.
    public var kind: MetricKind
    /// The pod the series belongs to, when it is per pod.
    public var pod: String?
    public var values: [Double]
    /// An explicit bound the caller wants judged; it overrides the built-in threshold for
    /// this kind.
    public var threshold: MetricThreshold?
    /// The limit a usage metric is measured against (cores for CPU, bytes for memory),
    /// when the caller knows it; otherwise the pods' limits are used.
    public var limit: Double?

    public init(name: String, query: String, kind: MetricKind = .other, pod: String? = nil,
                values: [Double], threshold: MetricThreshold? = nil, limit: Double? = nil) {
        self.name = name
        self.query = query
        self.kind = kind
        self.pod = pod
        self.values = values
        self.threshold = threshold
        self.limit = limit
    }

    /// The finite values, oldest first.
    public var finiteValues: [Double] { values.filter(\.isFinite) }

    /// The newest finite value, if any.
    public var latest: Double? { values.last(where: \.isFinite) }
}

/// What a metric measures.
public enum MetricKind: String, Sendable, Hashable, CaseIterable {
    /// Failed requests over all requests, 0–1.
    case errorRate
    /// CPU in cores; judged against the CPU limit of the sample's pod, or, for a series
    /// without a pod, against the limit all pods share (the series is read as per pod).
    case cpuUsage
    /// Memory in bytes; judged against the memory limit, like ``cpuUsage``.
    case memoryUsage
    /// CPU as a fraction of its limit, 0–1.
    case cpuUtilization
    /// Memory as a fraction of its limit, 0–1.
    case memoryUtilization
    /// A latency in seconds.
    case latency
    /// Requests per second; zero makes the analysis inconclusive (no traffic, no evidence).
    case requestRate
    /// Anything else; judged only against an explicit ``MetricThreshold``.
    case other
}

/// Bounds a metric must stay within.
public struct MetricThreshold: Sendable, Hashable {
    /// The value must not exceed this.
    public var max: Double?
    /// The value must not fall below this.
    public var min: Double?

    public init(max: Double? = nil, min: Double? = nil) {
        self.max = max
        self.min = min
    }
}
