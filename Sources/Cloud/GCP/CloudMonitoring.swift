import Foundation
import KubeClient

/// One time series of Cloud Monitoring: its labels and points, oldest first.
public struct GCPTimeSeries: Sendable, Hashable {
    public var metricType: String
    public var metricLabels: [String: String]
    public var resourceType: String
    public var resourceLabels: [String: String]
    public var points: [GCPPoint]

    /// Metric and resource labels together (`resource.` prefixed), as alert series labels.
    public var labels: [String: String] {
        var all = metricLabels
        for (k, v) in resourceLabels { all["resource.\(k)"] = v }
        all["metric.type"] = metricType
        return all
    }
}

public struct GCPPoint: Sendable, Hashable {
    public var end: Date
    public var value: Double
}

/// How `timeSeries.list` aligns points: the AlertRule source's fields.
public struct GCPMonitoringQuery: Sendable, Hashable, Codable {
    /// The monitoring filter, e.g. `metric.type = "compute.googleapis.com/instance/cpu/utilization"`.
    public var filter: String
    /// Seconds per aligned point (60 by default).
    public var alignmentPeriod: Int
    /// ALIGN_MEAN (default), ALIGN_MAX, ALIGN_RATE…
    public var perSeriesAligner: String
    public var crossSeriesReducer: String?
    public var groupByFields: [String]

    public init(filter: String, alignmentPeriod: Int = 60, perSeriesAligner: String = "ALIGN_MEAN",
                crossSeriesReducer: String? = nil, groupByFields: [String] = []) {
        self.filter = filter
        self.alignmentPeriod = alignmentPeriod
        self.perSeriesAligner = perSeriesAligner
        self.crossSeriesReducer = crossSeriesReducer
        self.groupByFields = groupByFields
    }
}

/// Cloud Monitoring: `projects.timeSeries.list`.
public struct CloudMonitoringAPI: Sendable {
    public let client: GCPClient

    public func listTimeSeries(_ query: GCPMonitoringQuery, start: Date, end: Date, project: String? = nil) async throws(CloudError) -> [GCPTimeSeries] {
        let project: String = if let project { project } else { try await client.project() }
        var parameters: [(String, String)] = [
            ("filter", query.filter), ("interval.startTime", CloudTime.format(start)), ("interval.endTime", CloudTime.format(end)),
            ("aggregation.alignmentPeriod", "\(query.alignmentPeriod)s"), ("aggregation.perSeriesAligner", query.perSeriesAligner),
        ]
        if let reducer = query.crossSeriesReducer { parameters.append(("aggregation.crossSeriesReducer", reducer)) }
        for field in query.groupByFields { parameters.append(("aggregation.groupByFields", field)) }
        var series: [GCPTimeSeries] = []
        try await client.pages("\(client.settings.monitoringURL)/projects/\(Percent.encode(project))/timeSeries",
                               query: parameters, operation: "monitoring.timeSeries.list") { page in
            for item in page["timeSeries"].arrayValue ?? [] {
                let points = (item["points"].arrayValue ?? []).compactMap { point -> GCPPoint? in
                    guard let end = point["interval"]["endTime"].stringValue.flatMap(CloudTime.parse),
                          let value = Self.number(point["value"]) else { return nil }
                    return GCPPoint(end: end, value: value)
                }
                series.append(GCPTimeSeries(
                    metricType: item["metric"]["type"].stringValue ?? "",
                    metricLabels: (item["metric"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue),
                    resourceType: item["resource"]["type"].stringValue ?? "",
                    resourceLabels: (item["resource"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue),
                    points: points.sorted { $0.end < $1.end }))
            }
        }
        return series
    }

    /// A TypedValue as a number: doubleValue, int64Value (a JSON string), boolValue.
    static func number(_ value: JSONValue) -> Double? {
        if let d = value["doubleValue"].doubleValue { return d }
        if let s = value["int64Value"].stringValue { return Double(s) }
        if let i = value["int64Value"].intValue { return Double(i) }
        if let b = value["boolValue"].boolValue { return b ? 1 : 0 }
        return nil
    }
}

extension GCPClient {
    public var monitoring: CloudMonitoringAPI { CloudMonitoringAPI(client: self) }
}
