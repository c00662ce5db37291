import Foundation

/// One metric and how to aggregate it: the AlertRule source's fields.
public struct CloudWatchMetricQuery: Sendable, Hashable, Codable {
    public var namespace: String
    public var metricName: String
    /// Name/value pairs, in the order given.
    public var dimensions: [CloudWatchDimension]
    /// Average, Sum, Minimum, Maximum, SampleCount, or a percentile such as p99.
    public var stat: String
    /// Seconds per data point (a multiple of 60, or 1/5/10/30 for high resolution).
    public var period: Int

    public init(namespace: String, metricName: String, dimensions: [CloudWatchDimension] = [], stat: String = "Average", period: Int = 300) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
        self.stat = stat
        self.period = period
    }
}

public struct CloudWatchDimension: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The data points of one query, oldest first.
public struct CloudWatchSeries: Sendable, Hashable {
    public var id: String
    public var label: String?
    public var points: [(timestamp: Date, value: Double)]
    /// Complete, PartialData, or InternalError.
    public var statusCode: String?

    public var latest: (timestamp: Date, value: Double)? { points.last }

    public static func == (a: Self, b: Self) -> Bool {
        a.id == b.id && a.label == b.label && a.statusCode == b.statusCode
            && a.points.map(\.timestamp) == b.points.map(\.timestamp) && a.points.map(\.value) == b.points.map(\.value)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(id); hasher.combine(points.count) }
}

/// CloudWatch: GetMetricData (and PutMetricData, to publish).
public struct CloudWatchAPI: Sendable {
    public let client: AWSClient

    /// The points of each query between `start` and `end`, every page read.
    public func getMetricData(_ queries: [CloudWatchMetricQuery], start: Date, end: Date) async throws(CloudError) -> [CloudWatchSeries] {
        guard !queries.isEmpty else { return [] }
        var base: [(String, String)] = [("StartTime", CloudTime.format(start)), ("EndTime", CloudTime.format(end)),
                                        ("ScanBy", "TimestampAscending")]
        for (i, query) in queries.enumerated() {
            let p = "MetricDataQueries.member.\(i + 1)"
            base += [("\(p).Id", "m\(i + 1)"), ("\(p).ReturnData", "true"),
                     ("\(p).MetricStat.Metric.Namespace", query.namespace), ("\(p).MetricStat.Metric.MetricName", query.metricName),
                     ("\(p).MetricStat.Period", String(query.period)), ("\(p).MetricStat.Stat", query.stat)]
            for (j, d) in query.dimensions.enumerated() {
                base += [("\(p).MetricStat.Metric.Dimensions.member.\(j + 1).Name", d.name),
                         ("\(p).MetricStat.Metric.Dimensions.member.\(j + 1).Value", d.value)]
            }
        }
        var series: [String: CloudWatchSeries] = [:]
        var token: String?
        repeat {
            let xml = try await client.query(.cloudwatch, action: "GetMetricData",
                                             parameters: base + (token.map { [("NextToken", $0)] } ?? []))
            let result = xml["GetMetricDataResult"] ?? xml
            for member in result.list("MetricDataResults") {
                let id = member.string("Id") ?? ""
                let times = member.list("Timestamps").compactMap { CloudTime.parse($0.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
                let values = member.list("Values").compactMap { Double($0.text.trimmingCharacters(in: .whitespaces)) }
                var entry = series[id] ?? CloudWatchSeries(id: id, label: member.string("Label"), points: [], statusCode: nil)
                entry.points += zip(times, values).map { ($0, $1) }
                entry.statusCode = member.string("StatusCode")
                series[id] = entry
            }
            token = result.string("NextToken")
        } while token != nil
        return (1...queries.count).compactMap { i in
            series["m\(i)"].map { s in
                var sorted = s
                sorted.points.sort { $0.timestamp < $1.timestamp }
                return sorted
            }
        }
    }

    /// Publishes one data point (for tests and examples; needs cloudwatch:PutMetricData).
    public func putMetricData(namespace: String, metricName: String, value: Double, dimensions: [CloudWatchDimension] = [],
                              timestamp: Date = Date(), unit: String? = nil) async throws(CloudError) {
        var parameters: [(String, String)] = [
            ("Namespace", namespace), ("MetricData.member.1.MetricName", metricName),
            ("MetricData.member.1.Value", String(value)), ("MetricData.member.1.Timestamp", CloudTime.format(timestamp)),
        ]
        if let unit { parameters.append(("MetricData.member.1.Unit", unit)) }
        for (j, d) in dimensions.enumerated() {
            parameters += [("MetricData.member.1.Dimensions.member.\(j + 1).Name", d.name),
                           ("MetricData.member.1.Dimensions.member.\(j + 1).Value", d.value)]
        }
        _ = try await client.query(.cloudwatch, action: "PutMetricData", parameters: parameters)
    }
}

extension AWSClient {
    public var cloudwatch: CloudWatchAPI { CloudWatchAPI(client: self) }
}
