import Controllers
import Foundation
import KubeClient
import KubeSim
import OpsAPI
import Testing
import TestSupport

/// Rules with the same expression and interval are evaluated once per tick.
@Suite struct AlertSharedEvaluationTests {
    static let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"checkout-1"},"value":[1750000000,"0.5"]}]}}"#

    @Test func oneThousandRulesWithOneExpressionMakeOneQueryPerTick() async throws {
        let sim = try await Simulator.start(.init(port: 0))
        defer { Task { await sim.stop() } }
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        let prometheus = await NotificationReceiver.start()  // answers every query with one series
        defer { prometheus.stop() }
        prometheus.reply(Self.vector)
        let evaluator = RuleEvaluator(measurer: CheckMeasurer(prometheusURL: prometheus.url, transport: CurlTransport.shared,
                                                              podMetrics: PodMetricsReader(api: client)), api: client)
        let shared = AlertRuleSpec(expr: "error_ratio > 0.1", interval: "30s")
        let other = AlertRuleSpec(expr: "error_ratio > 0.2", interval: "30s")
        let now = Date(timeIntervalSince1970: 1_750_000_005)
        let started = ContinuousClock.now
        let answers = await withTaskGroup(of: SourceAnswer.self) { group in
            for i in 0..<1000 { group.addTask { await evaluator.read(i % 10 == 0 ? other : shared, namespace: "shop", now: now) } }
            return await group.reduce(into: [SourceAnswer]()) { $0.append($1) }
        }
        let took = ContinuousClock.now - started
        #expect(answers.allSatisfy { $0 == .samples([AlertSeries(labels: ["pod": "checkout-1"], value: 0.5)]) })
        #expect(prometheus.requests(path: "/api/v1/query").count == 2, "one query per distinct expression")
        #expect(evaluator.statistics.reads == 2)
        #expect(evaluator.statistics.shared == 998)

        // The next tick asks again, once.
        _ = await evaluator.read(shared, namespace: "shop", now: now.addingTimeInterval(30))
        _ = await evaluator.read(shared, namespace: "shop", now: now.addingTimeInterval(31))
        #expect(prometheus.requests(path: "/api/v1/query").count == 3)
        print("bench: 1,000 AlertRules over 2 expressions evaluated in one tick in \(took) (2 Prometheus queries)")
    }
}
