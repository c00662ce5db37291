import Controllers
import Foundation
import KubeClient
import KubeSim
import OpsAPI
import Synchronization
import Testing
import TestSupport

/// Analysis against a real Prometheus scraping the embedded cluster, and an operator restart
/// in the middle of an analysis.
@Suite(.serialized) struct BlueGreenAnalysisTests {
    static let errorRateQuery = """
        sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}",code=~"5.."}[10s]))
        / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}"}[10s]))
        """

    static func errorRateCheck() -> JSONValue {
        ["checks": [[
            "name": "error-rate", "prometheus": ["query": .string(errorRateQuery)],
            "successCondition": "result < 0.05", "failureCondition": "result >= 0.1",
            "interval": "1s", "count": 3, "failureLimit": 0, "inconclusiveLimit": 10,
        ]]]
    }

    @Test func aFailingErrorRateRollsBackAndTrafficNeverReachesTheBadColor() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let cluster = try await RolloutCluster.start(prometheusURL: prometheus.url, sim: sim)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("errors")

        try await cluster.create(Rollouts.manifest("checkout", spec: ["prePromotionAnalysis": Self.errorRateCheck()]), namespace: ns)
        try await cluster.waitFor("checkout", ns, "the first revision is Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        // Record every selector the active Service ever has from now on.
        let seen = Mutex<[String]>([])
        let service = try await cluster.client.get(.services, name: "checkout", namespace: ns)
        seen.withLock { $0.append(service["spec"]["selector"]["opsagent.dev/color"].stringValue ?? "none") }
        let stream = try await cluster.client.watch(.services, namespace: ns, options: WatchOptions(
            resourceVersion: service["metadata"]["resourceVersion"].stringValue, fieldSelector: "metadata.name=checkout"))
        let watcher = Task {
            for try await event in stream {
                if case .error(let status) = event { throw KubeError.decoding("the Service watch failed: \(status.message ?? "")") }
                if let color = event.object?["spec"]["selector"]["opsagent.dev/color"].stringValue {
                    seen.withLock { $0.append(color) }
                }
            }
            throw KubeError.decoding("the Service watch ended before the test did: changes may have been missed")
        }

        // A version whose pods fail half of their requests.
        try await cluster.patch("checkout", ns, ["spec": ["template": ["metadata": ["annotations": ["sim.opsagent.dev/error-rate": "0.5"]]]]])
        let failed = try await cluster.waitFor("checkout", ns, "the bad revision is rolled back", timeout: .seconds(90)) {
            Rollouts.phase($0) == "RolledBack"
        }
        let status = failed["status"]
        #expect(status.condition("Ready")?.reason == "AnalysisFailed")
        #expect(status["analysis"]["phase"] == "Failed")
        let measurements = status["analysis"]["checks"][0]["measurements"].arrayValue ?? []
        let failedValue = measurements.last { $0["phase"] == "Failed" }?["value"].stringValue.flatMap(Double.init)
        #expect(failedValue.map { $0 > 0.3 && $0 < 0.7 } == true, "the measured error rate reflects the 50 % behaviour: \(measurements)")
        #expect(status["activeColor"] == "blue")
        #expect(status["history"][0]["outcome"] == "RolledBack")
        try await eventually("green is scaled down") { try await cluster.replicas("checkout-green", ns) == 0 }
        #expect(seen.withLock { $0 }.allSatisfy { $0 == "blue" }, "the active Service pointed at \(seen.withLock { $0 })")
        // The watch was alive throughout: a dead one would have proved nothing.
        watcher.cancel()
        switch await watcher.result {
        case .success: break
        case .failure(let error):
            if !(error is CancellationError) && (error as? KubeError)?.isCancelled != true { Issue.record("\(error)") }
        }
    }

    @Test func anOperatorRestartMidAnalysisResumesWithoutRepeatingWork() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let cluster = try await RolloutCluster.start(sim: sim)
        let ns = try await cluster.namespace("restart")
        let checks: JSONValue = ["checks": [["name": "ready", "builtin": ["type": "PodReadiness"], "interval": "1s", "count": 6]]]
        try await cluster.create(Rollouts.manifest("orders", spec: ["prePromotionAnalysis": checks]), namespace: ns)
        try await cluster.waitFor("orders", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch("orders", ns, ["spec": ["template": ["metadata": ["annotations": ["version": "2"]]]]])
        try await cluster.waitFor("orders", ns, "two measurements taken") {
            ($0["analysis"]["checks"][0]["measurements"].arrayValue?.count ?? 0) >= 2
        }
        await cluster.stopOperator()
        let takenBefore = (try await cluster.rollout("orders", ns)["status"]["analysis"]["checks"][0]["measurements"].arrayValue ?? [])
            .compactMap { $0["at"].stringValue }
        let atStop = takenBefore.count
        #expect(atStop >= 2 && atStop < 6)

        let restarted = try await RolloutCluster.start(sim: sim)
        defer { Task { await restarted.stopOperator() } }
        let done = try await restarted.waitFor("orders", ns, "promoted after the restart") {
            $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy"
        }
        let status = done["status"]
        let measurements = status["analysis"]["checks"][0]["measurements"].arrayValue ?? []
        #expect(measurements.count == 6, "exactly the configured count, none repeated: \(measurements.count) (had \(atStop) at the restart)")
        let times = measurements.compactMap { $0["at"].stringValue }
        #expect(Set(times).count == times.count)
        // Resumed, not restarted: the measurements taken before the restart are the first ones.
        #expect(Array(times.prefix(atStop)) == takenBefore, "before: \(takenBefore), after: \(times)")
        #expect((status["history"].arrayValue ?? []).filter { $0["outcome"] == "Promoted" && $0["revision"] == status["activeRevision"] }.count == 1)
        #expect(try await restarted.client.list(.deployments, namespace: ns).items.count == 2, "no duplicate children")
    }
}
