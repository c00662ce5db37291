import Foundation
import Hummingbird
import KubeClient
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// `metrics` and `metricUpdated` against a real Prometheus, scraping container series in the
/// shape kubelets' cAdvisor exposes them.
@Suite(.serialized) struct GraphQLMetricsTests {
    /// cAdvisor-like series for pod team-a/web-1 that grow at a known rate per scrape.
    static func kubelet() async -> (port: Int, task: Task<Void, any Error>) {
        let scrapes = NIOLockedValueBox(0)
        let router = Router()
        router.get("/metrics/cadvisor") { _, _ -> String in
            let n = Double(scrapes.withLockedValue { $0 += 1; return $0 })
            let labels = #"namespace="team-a",pod="web-1",container="app""#
            return """
                # TYPE container_cpu_usage_seconds_total counter
                container_cpu_usage_seconds_total{\(labels)} \(n * 0.25)
                # TYPE container_memory_working_set_bytes gauge
                container_memory_working_set_bytes{\(labels)} 104857600
                # TYPE container_network_receive_bytes_total counter
                container_network_receive_bytes_total{namespace="team-a",pod="web-1"} \(n * 1000)

                """
        }
        return await LocalHTTPServer.start(router)
    }

    @Test func containerMetricsOfAPodOverATimeRangeAndLive() async throws {
        let (port, kubelet) = await Self.kubelet()
        defer { kubelet.cancel() }
        let prometheus = try await PrometheusServer.start(targets: ["127.0.0.1:\(port)"], metricsPath: "/metrics/cadvisor")
        defer { prometheus.stop() }
        let cluster = try await APICluster.start(prometheusURL: prometheus.url)
        defer { Task { await cluster.stop() } }

        var points: [JSONValue] = []
        try await cluster.eventually("Prometheus has two scrapes, so rates exist", timeout: .seconds(30)) {
            let data = try await cluster.data(#"{ metrics(resource: "pod/team-a/web-1", timeRange: {last: "2m", step: "1s"}) { name value unit timestamp } }"#)
            points = data["metrics"].arrayValue ?? []
            return points.contains { $0["name"].stringValue == "cpu_usage" }
        }
        let memory = points.first { $0["name"].stringValue == "memory_usage" }
        #expect(memory?["value"].doubleValue == 104857600)
        #expect(memory?["unit"].stringValue == "bytes")
        #expect(points.contains { $0["name"].stringValue == "network_receive" && $0["unit"].stringValue == "bytes/s" })

        let forbidden = try await cluster.error(#"{ metrics(resource: "pod/team-a/web-1", timeRange: {last: "5m"}) { value } }"#, token: cluster.viewerToken)
        #expect(forbidden.contains("cannot get pods"), "reading a pod's metrics needs get on pods: \(forbidden)")
        let badResource = try await cluster.error(#"{ metrics(resource: "pods/web-1", timeRange: {last: "5m"}) { value } }"#)
        #expect(badResource.contains("pod/NAMESPACE/NAME"), "\(badResource)")
        let badRange = try await cluster.error(#"{ metrics(resource: "cluster", timeRange: {last: "yesterday"}) { value } }"#)
        #expect(badRange.contains("timeRange.last"), "\(badRange)")

        let (messages, _) = try await GraphQLSubscriptionTests.subscribe(
            cluster, token: cluster.adminToken, query: #"subscription { metricUpdated(resource: "namespace/team-a") { resource name value } }"#,
            act: {}, until: { $0.contains { $0["payload"]["data"]["metricUpdated"]["name"].stringValue == "memory_usage" } })
        let update = messages.first { $0["payload"]["data"]["metricUpdated"]["name"].stringValue == "memory_usage" }
        #expect(update?["payload"]["data"]["metricUpdated"]["resource"].stringValue == "namespace/team-a")
        #expect(update?["payload"]["data"]["metricUpdated"]["value"].doubleValue == 104857600)
    }
}
