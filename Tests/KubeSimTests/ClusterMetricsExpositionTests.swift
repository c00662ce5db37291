import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// The `/metrics/cluster` text is valid Prometheus exposition, and its counters follow the
/// behaviours exactly.
@Suite("Cluster metrics exposition")
struct ClusterMetricsExpositionTests {
    @Test("promtool accepts the exposition of several pods, each family in one group")
    func promtoolLint() async throws {
        let ns = try await WorkloadCluster.namespace("expo")
        let client = try await WorkloadCluster.client()
        _ = try await client.create(.deployments, Manifests.deployment("a", namespace: ns, replicas: 2), namespace: ns)
        _ = try await client.create(.deployments, Manifests.deployment("b", namespace: ns, replicas: 1,
                                                                       image: "registry.example/b:1-notready"), namespace: ns)
        let text = try await waitFor("three pods with running containers") { () -> String? in
            let text = try await client.request("GET", "/metrics/cluster", query: [("namespace", ns)], accept: "text/plain").bodyText
            let cpuSeries = text.split(separator: "\n").filter { $0.hasPrefix("container_cpu_usage_seconds_total{") }
            return cpuSeries.count == 3 ? text : nil
        }
        let lint = try await CommandRunner.run("/usr/bin/promtool", ["check", "metrics"], input: text)
        #expect(lint.succeeded, "\(lint)")
        // Each family's samples sit together, after its HELP and TYPE.
        var finished = Set<String>()
        var current = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                let name = String(line.split(separator: " ")[2])
                #expect(!finished.contains(name), "\(name) declared twice")
                if !current.isEmpty { finished.insert(current) }
                current = name
                continue
            }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].first { name.hasSuffix($0) && name.hasPrefix(current) }
                .map { _ in current } ?? name
            #expect(family == current, "\(name) outside its family group (in \(current))")
        }
    }

    @Test("traffic counters split requests by the error rate and histogram buckets only grow")
    func trafficCounters() {
        let pod = JSONValue.object([
            "metadata": ["name": "p", "namespace": "n", "uid": "u", "annotations": [
                BehaviourAnnotation.errorRate: "0.25", BehaviourAnnotation.requestsPerSecond: "40",
                BehaviourAnnotation.latencyMilliseconds: "100"]],
            "spec": ["containers": [["name": "c", "image": "x:1"]]],
        ])
        let clock = SimulationClock(timeScale: 0.01)
        let start = Date(timeIntervalSince1970: 1_000_000)
        var runtime = PodRuntime(pod: pod, node: "n1", hostIP: "h", podIP: "i", now: start, clock: clock)
        _ = runtime.advance(to: start.addingTimeInterval(1), clock: clock)
        var previous: (total: Int, buckets: [Int])?
        for second in stride(from: 2.0, through: 30, by: 0.7) {
            let now = start.addingTimeInterval(second)
            _ = runtime.advance(to: now, clock: clock)
            let counters = TrafficCounters(runtime, at: now)
            #expect(counters.errors == Int((Double(counters.total) * 0.25).rounded(.down)))
            let histogram = counters.histogram
            #expect(abs(histogram.sum / Double(max(counters.total, 1)) - 0.1) < 0.01 || counters.total < 20)
            let counts = histogram.buckets.map(\.count)
            #expect(counts == counts.sorted(), "buckets must be cumulative")
            if let previous {
                #expect(counters.total >= previous.total)
                #expect(zip(counts, previous.buckets).allSatisfy { $0 >= $1 })
            }
            previous = (counters.total, counts)
        }
        // 40 requests per second for about 29 wall seconds of readiness.
        #expect((1100...1200).contains(previous?.total ?? 0), "\(previous?.total ?? 0)")
    }
}
