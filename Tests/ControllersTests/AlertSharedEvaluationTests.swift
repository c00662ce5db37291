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
        let next = RuleEvaluator.nextTick(after: now, interval: .seconds(30), phase: RuleEvaluator.phase(shared, namespace: "shop"))
        _ = await evaluator.read(shared, namespace: "shop", now: next)
        _ = await evaluator.read(shared, namespace: "shop", now: next.addingTimeInterval(1))
        #expect(prometheus.requests(path: "/api/v1/query").count == 3)
        print("bench: 1,000 AlertRules over 2 expressions evaluated in one tick in \(took) (2 Prometheus queries)")
    }

    /// The built-in ErrorRate is the failed share of the target's requests, asked of Prometheus.
    @Test func theErrorRateMetricAsksPrometheusForTheFailedShareOfTheTargetsRequests() async throws {
        let sim = try await Simulator.start(.init(port: 0))
        defer { Task { await sim.stop() } }
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        let prometheus = await NotificationReceiver.start()
        defer { prometheus.stop() }
        prometheus.reply(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1750000000,"0.25"]}]}}"#)
        let evaluator = RuleEvaluator(measurer: CheckMeasurer(prometheusURL: nil, transport: CurlTransport.shared,
                                                              podMetrics: PodMetricsReader(api: client)), api: client)
        for name in ["checkout-1", "checkout-2"] {
            _ = try await client.create(.pods, ["apiVersion": "v1", "kind": "Pod",
                                                "metadata": ["name": .string(name), "labels": ["app": "checkout"]],
                                                "spec": ["containers": [["name": "app", "image": "shop:1"]]]], namespace: "default")
        }
        let spec = AlertRuleSpec(condition: MetricCondition(metric: "ErrorRate", operator: ">", threshold: 0.05),
                                 target: AlertTarget(selector: LabelSelector(matchLabels: ["app": "checkout"])),
                                 prometheusAddress: prometheus.url)
        #expect(spec.validate().isEmpty)
        let answer = await evaluator.read(spec, namespace: "default", now: Date())
        #expect(answer == .samples([AlertSeries(labels: ["namespace": "default"], value: 0.25)]))
        #expect(RuleReading.judge(answer, spec: spec).reading == .holds)
        let asked = prometheus.requests(path: "/api/v1/query").map { $0.path + " " + String(decoding: $0.body, as: UTF8.self) }.joined()
        let decoded = asked.removingPercentEncoding ?? asked
        #expect(decoded.contains("http_requests_total"), "\(decoded)")
        #expect(decoded.contains("checkout-1|checkout-2") || decoded.contains("checkout-2|checkout-1"), "\(decoded)")
        #expect(decoded.contains(#"code=~"5..""#), "\(decoded)")
        // Without a Prometheus, the metric is an error, never a value.
        let none = AlertRuleSpec(condition: MetricCondition(metric: "ErrorRate", operator: ">", threshold: 0.05),
                                 target: AlertTarget(selector: LabelSelector(matchLabels: ["app": "checkout"])))
        if case .failed(let message) = await evaluator.read(none, namespace: "default", now: Date()) {
            #expect(message.contains("Prometheus"))
        } else {
            Issue.record("expected a failure without Prometheus")
        }
    }
}
