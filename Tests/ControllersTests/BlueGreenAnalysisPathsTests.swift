import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Testing

/// Documented analysis behaviours, end to end on the shared embedded cluster: the promotion
/// delay, the built-in CPU and Memory checks through metrics.k8s.io, and post-promotion
/// analysis returning traffic to the stable color.
@Suite struct BlueGreenAnalysisPathsTests {
    func newTemplate(_ extra: [String: String] = [:]) -> JSONValue {
        var annotations: [String: JSONValue] = ["version": .string(UUID().uuidString.prefix(8).lowercased())]
        for (k, v) in extra { annotations[k] = .string(v) }
        return ["spec": ["template": ["metadata": ["annotations": .object(annotations)]]]]
    }

    @Test func promotionWaitsForTheDelayAfterAnalysisAndNoLonger() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("delay")
        try await cluster.create(Rollouts.manifest("late", spec: ["autoPromotion": ["delaySeconds": 3]]), namespace: ns)
        try await cluster.waitFor("late", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch("late", ns, newTemplate())
        let waiting = try await cluster.waitFor("late", ns, "analysis passed, promotion pending") {
            $0["analysisPassedAt"].stringValue != nil && $0["activeColor"] == "blue"
        }
        #expect(waiting["status"]["message"].stringValue?.contains("promoting revision") == true)
        #expect(try await cluster.serviceColor("late", ns) == "blue")
        let promoted = try await cluster.waitFor("late", ns, "promoted after the delay") { $0["activeColor"] == "green" }
        let passedAt = try #require(promoted["status"]["analysisPassedAt"].stringValue.flatMap(KubeTimestamp.parse)
            ?? waiting["status"]["analysisPassedAt"].stringValue.flatMap(KubeTimestamp.parse))
        let promotedAt = try #require(promoted["status"]["history"][0]["promotedAt"].stringValue.flatMap(KubeTimestamp.parse))
        let waited = promotedAt.timeIntervalSince(passedAt)
        #expect(waited >= 3.0, "promoted \(waited)s after the analysis passed; the delay is 3s")
        #expect(waited < 5.0, "promoted \(waited)s after the analysis passed; the delay is 3s")
    }

    @Test func theBuiltinCPUCheckFailsAPreviewOverItsLimitThroughPodMetrics() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("cpu")
        let checks: JSONValue = ["checks": [
            ["name": "cpu", "builtin": ["type": "CPU", "threshold": 0.8], "interval": "300ms", "count": 2],
            ["name": "memory", "builtin": ["type": "Memory"], "interval": "300ms", "count": 2],
        ]]
        try await cluster.create(Rollouts.manifest("hot", spec: ["prePromotionAnalysis": checks]), namespace: ns)
        let first = try await cluster.waitFor("hot", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }
        #expect(first["status"]["activeColor"] == "blue")

        // 450m of a 500m limit: 0.9 of the limit, over the 0.8 threshold.
        try await cluster.patch("hot", ns, newTemplate(["sim.opsagent.dev/cpu": "450m"]))
        let failed = try await cluster.waitFor("hot", ns, "the CPU check fails the revision") { Rollouts.phase($0) == "RolledBack" }
        let checksStatus = failed["status"]["analysis"]["checks"].arrayValue ?? []
        let cpu = try #require(checksStatus.first { $0["name"] == "cpu" })
        #expect(cpu["phase"] == "Failed")
        let value = cpu["measurements"].arrayValue?.last?["value"].stringValue.flatMap(Double.init)
        #expect(value.map { abs($0 - 0.9) < 0.05 } == true, "measured \(String(describing: value)) of the limit")
        #expect(failed["status"].condition("Ready")?.reason == "AnalysisFailed")
        #expect(try await cluster.serviceColor("hot", ns) == "blue")

        // Memory well under its limit passes on a revision that fixes CPU.
        try await cluster.patch("hot", ns, newTemplate(["sim.opsagent.dev/cpu": "100m", "sim.opsagent.dev/memory": "64Mi"]))
        let healthy = try await cluster.waitFor("hot", ns, "the fixed revision is promoted") {
            $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy"
        }
        let memory = (healthy["status"]["analysis"]["checks"].arrayValue ?? []).first { $0["name"] == "memory" }
        #expect(memory?["phase"] == "Successful")
        let used = memory?["measurements"].arrayValue?.last?["value"].stringValue.flatMap(Double.init)
        #expect(used.map { abs($0 - 0.25) < 0.05 } == true, "64Mi of 256Mi is a quarter, measured \(String(describing: used))")
    }

    @Test func aFailedPostPromotionCheckReturnsTrafficToTheStableColor() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("post")
        let post: JSONValue = ["checks": [["name": "cpu", "builtin": ["type": "CPU"], "interval": "300ms", "count": 2]]]
        try await cluster.create(Rollouts.manifest("svc", spec: ["postPromotionAnalysis": post, "scaleDownDelaySeconds": 30]),
                                 namespace: ns)
        let first = try await cluster.waitFor("svc", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }
        let stable = try #require(first["status"]["activeRevision"].stringValue)

        // Passes the pre-promotion checks (ready, no restarts), then burns CPU once it serves.
        try await cluster.patch("svc", ns, newTemplate(["sim.opsagent.dev/cpu": "480m"]))
        let back = try await cluster.waitFor("svc", ns, "traffic returns to blue") { Rollouts.phase($0) == "RolledBack" }
        let status = back["status"]
        #expect(status["activeColor"] == "blue")
        #expect(status["activeRevision"] == .string(stable))
        #expect(status["analysis"]["stage"] == "post")
        #expect(status["analysis"]["phase"] == "Failed")
        #expect(status.condition("Stalled")?.reason == "AnalysisFailed")
        #expect(status["history"][0]["outcome"] == "RolledBack")
        #expect(status["history"][0]["message"].stringValue?.contains("cpu") == true)
        // It had been promoted: the failure came after the switch.
        #expect(status["history"][1]["outcome"] == "Promoted")
        #expect(status["history"][1]["color"] == "green")
        #expect(try await cluster.serviceColor("svc", ns) == "blue")
        try await eventually("the failed color scales down") { try await cluster.replicas("svc-green", ns) == 0 }
    }
}
