import Controllers
import Foundation
import KubeClient
import KubeSim
import OpsAPI
import Testing
import TestSupport

/// How a Prometheus check's answer decides a revision, through the controller against a real
/// Prometheus: `thresholdRange`, an empty result, a NaN result and `emptyResult`. Each rollout's
/// query is a constant expression, so the answer is known; what is tested is what the controller
/// makes of it (promoted, rolled back as failed, or rolled back as inconclusive).
@Suite(.serialized) struct BlueGreenQueryOutcomesTests {
    struct Case: Sendable {
        var name: String
        var check: [String: JSONValue]
        /// nil: the revision is promoted; otherwise the Ready reason of the rollback.
        var rollbackReason: String?
        /// What the last measurement recorded.
        var measured: String
    }

    static let cases: [Case] = [
        Case(name: "in-range", check: ["query": "vector(0.5)", "thresholdRange": ["min": 0.1, "max": 0.9]],
             rollbackReason: nil, measured: "0.5"),
        Case(name: "over-range", check: ["query": "vector(0.5)", "thresholdRange": ["max": 0.1]],
             rollbackReason: "AnalysisFailed", measured: "0.5"),
        Case(name: "under-range", check: ["query": "vector(0.5)", "thresholdRange": ["min": 0.9]],
             rollbackReason: "AnalysisFailed", measured: "0.5"),
        // No series at all: inconclusive by default, never a pass.
        Case(name: "empty", check: ["query": "sum(opsagent_test_metric_that_does_not_exist)", "successCondition": "result < 1"],
             rollbackReason: "AnalysisInconclusive", measured: "empty"),
        // NaN would fail `result < 1` if it were read as a number; it is an empty answer instead.
        Case(name: "nan", check: ["query": "vector(0) / vector(0)", "successCondition": "result < 1"],
             rollbackReason: "AnalysisInconclusive", measured: "empty"),
        Case(name: "empty-fails", check: ["query": "sum(opsagent_test_metric_that_does_not_exist)", "emptyResult": "Fail", "successCondition": "result < 1"],
             rollbackReason: "AnalysisFailed", measured: "empty"),
        Case(name: "empty-passes", check: ["query": "sum(opsagent_test_metric_that_does_not_exist)", "emptyResult": "Pass", "successCondition": "result < 1"],
             rollbackReason: nil, measured: "empty"),
    ]

    @Test func eachAnswerDecidesTheRevisionAsTheCheckSays() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let cluster = try await RolloutCluster.start(prometheusURL: prometheus.url, sim: sim)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("outcomes")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in Self.cases {
                group.addTask { try await Self.run(item, cluster: cluster, namespace: ns) }
            }
            try await group.waitForAll()
        }
    }

    static func run(_ item: Case, cluster: RolloutCluster, namespace ns: String) async throws {
        var check = item.check
        let query = check.removeValue(forKey: "query")!
        check["name"] = "answer"
        check["prometheus"] = ["query": query]
        check["interval"] = "300ms"
        check["count"] = 2
        let analysis: JSONValue = ["checks": [.object(check)]]
        try await cluster.create(Rollouts.manifest(item.name, spec: ["prePromotionAnalysis": analysis]), namespace: ns)
        try await cluster.waitFor(item.name, ns, "the first revision is Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch(item.name, ns, ["spec": ["template": ["metadata": ["annotations": ["version": "2"]]]]])
        let done = try await cluster.waitFor(item.name, ns, "the second revision is decided", timeout: .seconds(90)) {
            Rollouts.phase($0) == "RolledBack" || ($0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy")
        }
        let status = done["status"]
        let answer = status["analysis"]["checks"].arrayValue?.first { $0["name"] == "answer" }
        let last = answer?["measurements"].arrayValue?.last
        if let reason = item.rollbackReason {
            #expect(Rollouts.phase(status) == "RolledBack", "\(item.name): \(status)")
            #expect(status.condition("Ready")?.reason == reason, "\(item.name): \(String(describing: status.condition("Ready")))")
            #expect(status["activeColor"] == "blue", "\(item.name) keeps traffic on the stable color")
        } else {
            #expect(status["activeColor"] == "green", "\(item.name) is promoted: \(status)")
            #expect(answer?["phase"] == "Successful", "\(item.name): \(answer ?? .null)")
        }
        let value = last?["value"].stringValue ?? "missing"
        if item.measured == "empty" {
            #expect(value.hasPrefix("empty ("), "\(item.name) recorded no number: \(last ?? .null)")
            if item.name == "nan" { #expect(value.contains("NaN"), "the NaN answer is named: \(value)") }
        } else {
            #expect(value == item.measured, "\(item.name) measured \(last ?? .null)")
        }
    }
}
