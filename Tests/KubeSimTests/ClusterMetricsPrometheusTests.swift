import Foundation
import KubeClient
import Testing
import TestSupport
@testable import KubeSim

/// A real Prometheus scrapes `/metrics/cluster` and answers the seed's queries with the
/// values the pods' behaviours imply.
@Suite("Cluster metrics scraped by a real Prometheus")
struct ClusterMetricsPrometheusTests {
    // Plain HTTP: anonymous requests act as cluster admin, as `opsagent sim --insecure-http` serves them.
    static let shared = SharedSimulator(Simulator.Configuration(
        port: 0, tls: false, workloads: SimulationOptions(timeScale: 0.05)))

    @Test("rate(container_cpu_usage_seconds_total) and the 5xx share of http_requests_total match the behaviour")
    func seedQueries() async throws {
        // Fails (never skips) when Prometheus is missing, saying how to install it.
        _ = try PrometheusServer.binary()
        let sim = try await Self.shared.get()
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        let ns = "metrics-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        let deployment = Manifests.deployment("web", namespace: ns, replicas: 1, annotations: [
            BehaviourAnnotation.cpu: "250m", BehaviourAnnotation.errorRate: "0.25", BehaviourAnnotation.requestsPerSecond: "40",
            BehaviourAnnotation.memory: "96Mi",
        ])
        _ = try await client.create(.deployments, deployment, namespace: ns)
        let pod = try await waitFor("a Ready pod") { () -> String? in
            let pods = try await client.items(.pods, namespace: ns)
            return pods.first { $0.condition("Ready")?["status"].stringValue == "True" }?["metadata"]["name"].stringValue
        }

        let prometheus = try await PrometheusServer.start(targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster",
                                                          params: ["namespace": ns])
        defer { prometheus.stop() }
        let selector = "pod=\"\(pod)\",namespace=\"\(ns)\""

        // Over a window Prometheus has filled with samples, the rate is the CPU the behaviour uses.
        let shortRate = try await waitFor("12 s of samples", timeout: .seconds(60), interval: .milliseconds(500)) { () -> Double? in
            let samples = try await prometheus.scalar("count_over_time(container_cpu_usage_seconds_total{\(selector)}[12s])")
            guard (samples ?? 0) >= 11 else { return nil }
            return try await prometheus.scalar("sum(rate(container_cpu_usage_seconds_total{\(selector)}[10s]))")
        }
        // The counter's own slope, from the raw samples Prometheus stored, is the behaviour's
        // 0.25 CPU; rate() extrapolates to the window's edges, so it is held to 5 %. A loaded
        // machine delays scrapes (Prometheus stamps the scrape's start), which moves neither much.
        let raw = try await prometheus.query("container_cpu_usage_seconds_total{\(selector)}[12s]")
            .first?["values"].arrayValue ?? []
        let points = raw.compactMap { pair -> (Double, Double)? in
            guard let time = pair[0].doubleValue, let value = pair[1].stringValue.flatMap(Double.init) else { return nil }
            return (time, value)
        }
        try #require(points.count >= 2, "raw samples: \(raw)")
        let slope = (points.last!.1 - points.first!.1) / (points.last!.0 - points.first!.0)
        #expect(abs(slope - 0.25) < 0.25 * 0.03, "CPU counter slope over \(points.count) samples: \(slope)")
        #expect(abs(shortRate - 0.25) < 0.25 * 0.05, "rate over 10 s: \(shortRate)")

        // The seed's query, verbatim. Prometheus divides by the whole 5-minute range, so while
        // it holds fewer than 5 minutes of samples the answer is 0.25 CPU scaled by the share
        // of the range it has seen (its extrapolation rule, computed from the sample times).
        let now = Date().timeIntervalSince1970
        let seedRate = try #require(try await prometheus.scalar(
            "sum(rate(container_cpu_usage_seconds_total{\(selector)}[5m]))", at: now))
        let times = try await prometheus.query("container_cpu_usage_seconds_total{\(selector)}[5m]", at: now)
            .first?["values"].arrayValue?.compactMap { $0[0].doubleValue } ?? []
        try #require(times.count >= 2)
        let sampled = times.last! - times.first!
        let average = sampled / Double(times.count - 1)
        let toStart = times.first! - (now - 300), toEnd = now - times.last!
        let extrapolated = sampled + (toStart < average * 1.1 ? toStart : average / 2) + (toEnd < average * 1.1 ? toEnd : average / 2)
        let expected = 0.25 * extrapolated / 300
        #expect(abs(seedRate - expected) < expected * 0.05, "rate over 5m: \(seedRate), expected \(expected) from \(times.count) samples")

        // The error-rate query: a ratio of two series scraped together, so the window cancels out.
        let errorRate = try #require(try await prometheus.scalar(
            "sum(rate(http_requests_total{code=~\"5..\",\(selector)}[5m])) / sum(rate(http_requests_total{\(selector)}[5m]))"))
        #expect(abs(errorRate - 0.25) < 0.02, "error rate: \(errorRate)")

        let memory = try #require(try await prometheus.scalar("sum(container_memory_working_set_bytes{\(selector)})"))
        #expect(memory == 96 * 1024 * 1024)
        let available = try await prometheus.scalar("kube_deployment_status_replicas_available{deployment=\"web\",namespace=\"\(ns)\"}")
        #expect(available == 1)
        let ready = try await prometheus.scalar("kube_pod_status_ready{condition=\"true\",\(selector)}")
        #expect(ready == 1)
        let latency = try #require(try await prometheus.scalar(
            "sum(rate(http_request_duration_seconds_sum{\(selector)}[5m])) / sum(rate(http_request_duration_seconds_count{\(selector)}[5m]))"))
        #expect(abs(latency - 0.02) < 0.002, "mean latency: \(latency)")
    }
}
