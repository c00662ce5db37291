import Cloud
import Foundation
import OpsAPI

/// Reads an AlertRule condition's cloud source: the latest CloudWatch data point, or the
/// latest point of each Cloud Monitoring series. Failures become `failed` answers with the
/// cloud's code and message (never a throw).
enum CloudMetricSource {
    /// The key rules with the same source share one read per tick by.
    static func key(_ condition: MetricCondition) -> String? {
        if let cw = condition.cloudwatch {
            let dims = (cw.dimensions ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return "cloudwatch|\(cw.region ?? "")|\(cw.namespace)|\(cw.metricName)|\(dims)|\(cw.effectiveStat)|\(cw.effectivePeriod)"
        }
        if let gcp = condition.gcpMonitoring {
            return "gcp|\(gcp.project ?? "")|\(gcp.filter)|\(gcp.alignmentPeriod ?? 60)|\(gcp.aligner ?? "")|\(gcp.reducer ?? "")"
        }
        return nil
    }

    static func read(_ condition: MetricCondition, clients: CloudClients?, now: Date) async -> SourceAnswer {
        guard let clients else {
            return .failed("no cloud is configured for the operator: set --aws-region or --gcp-project (see the README's Cloud section)")
        }
        do {
            if let source = condition.cloudwatch { return try await cloudwatch(source, clients: clients, now: now) }
            if let source = condition.gcpMonitoring { return try await monitoring(source, clients: clients, now: now) }
            return .failed("the condition has no cloud source")
        } catch {
            return .failed(error.description)
        }
    }

    static func cloudwatch(_ source: CloudWatchMetricSource, clients: CloudClients, now: Date) async throws(CloudError) -> SourceAnswer {
        let aws = try clients.aws(region: source.region)
        let dimensions = (source.dimensions ?? [:]).sorted { $0.key < $1.key }
        let query = CloudWatchMetricQuery(namespace: source.namespace, metricName: source.metricName,
                                          dimensions: dimensions.map { CloudWatchDimension(name: $0.key, value: $0.value) },
                                          stat: source.effectiveStat, period: source.effectivePeriod)
        // Three periods back (at least ten minutes): CloudWatch publishes with a delay.
        let window = TimeInterval(max(3 * source.effectivePeriod, 600))
        let series = try await aws.cloudwatch.getMetricData([query], start: now.addingTimeInterval(-window), end: now)
        guard let latest = series.first?.latest else {
            return .empty("CloudWatch has no \(source.effectiveStat) of \(source.namespace)/\(source.metricName) in the last \(Int(window))s")
        }
        var labels = ["namespace": source.namespace, "metric": source.metricName, "stat": source.effectiveStat, "region": aws.region]
        for (name, value) in dimensions { labels[name] = value }
        return .samples([AlertSeries(labels: labels, value: latest.value)])
    }

    static func monitoring(_ source: GCPMonitoringMetricSource, clients: CloudClients, now: Date) async throws(CloudError) -> SourceAnswer {
        let gcp = try clients.gcp()
        let period = source.alignmentPeriod ?? 60
        let query = GCPMonitoringQuery(filter: source.filter, alignmentPeriod: period, perSeriesAligner: source.aligner ?? "ALIGN_MEAN",
                                       crossSeriesReducer: source.reducer)
        let window = TimeInterval(max(3 * period, 600))
        let series = try await gcp.monitoring.listTimeSeries(query, start: now.addingTimeInterval(-window), end: now, project: source.project)
        let samples = series.compactMap { s in s.points.last.map { AlertSeries(labels: s.labels, value: $0.value) } }
        if samples.isEmpty { return .empty("Cloud Monitoring has no points for \(source.filter) in the last \(Int(window))s") }
        return .samples(samples)
    }
}
