import Foundation
import KubeClient

/// One series of a range query: its labels and its points `(unix seconds, value)`.
public struct PrometheusSeries: Sendable {
    public var labels: [String: String]
    public var points: [(Double, Double)]
}

extension PrometheusClient {
    /// Evaluates `query` over `[start, end]` every `step` (`/api/v1/query_range`).
    public func queryRange(_ query: String, start: Date, end: Date, step: Duration) async throws(PrometheusError) -> [PrometheusSeries] {
        let seconds = Double(step.components.seconds) + Double(step.components.attoseconds) / 1e18
        let form = [("query", query), ("start", String(format: "%.3f", start.timeIntervalSince1970)),
                    ("end", String(format: "%.3f", end.timeIntervalSince1970)), ("step", String(format: "%.3f", max(seconds, 0.001)))]
        let data = try await post("/api/v1/query_range", form: form, query: query)
        guard data["resultType"].stringValue == "matrix" else {
            throw .malformed("a range query answered \(data["resultType"].stringValue ?? "no resultType"), not a matrix")
        }
        var series: [PrometheusSeries] = []
        for item in data["result"].arrayValue ?? [] {
            var labels: [String: String] = [:]
            for (k, v) in item["metric"].objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
            var points: [(Double, Double)] = []
            for pair in item["values"].arrayValue ?? [] { points.append(try Self.sample(pair)) }
            series.append(PrometheusSeries(labels: labels, points: points))
        }
        return series
    }
}
