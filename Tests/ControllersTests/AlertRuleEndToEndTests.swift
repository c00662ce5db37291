import Cloud
import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
import Synchronization
import Testing
import TestSupport

/// The embedded cluster with the AlertRule controller running against it over HTTPS, a real
/// Prometheus scraping the cluster, and the rules' receivers.
final class AlertCluster: Sendable {
    let sim: Simulator
    let client: KubernetesClient
    let manager: Manager
    let run: Task<Void, any Error>

    static func start(sim: Simulator, prometheusURL: String?, cloud: CloudClients? = nil) async throws -> AlertCluster {
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        if (try? await client.get(.customResourceDefinitions, name: AlertRule.definition.name)) == nil {
            _ = try await client.create(.customResourceDefinitions, AlertRule.definition.json)
        }
        try await eventually("the AlertRule CRD is served") {
            (try? await client.list(AlertRule.groupVersionResource, namespace: "default")) != nil
        }
        let manager = Manager(api: client, configuration: ManagerConfiguration())
        var configuration = OperatorContext.Configuration(prometheusURL: prometheusURL)
        configuration.cloud = cloud
        try AlertRuleController.register(in: OperatorContext(manager: manager, configuration: configuration))
        let run = Task { try await manager.run() }
        try await eventually("the manager's caches sync") { manager.isReady }
        return AlertCluster(sim: sim, client: client, manager: manager, run: run)
    }

    private init(sim: Simulator, client: KubernetesClient, manager: Manager, run: Task<Void, any Error>) {
        self.sim = sim
        self.client = client
        self.manager = manager
        self.run = run
    }

    func stopOperator() async {
        manager.stop()
        _ = try? await run.value
    }

    func namespace(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }

    func rule(_ name: String, _ namespace: String) async throws -> JSONValue {
        try await client.get(AlertRule.groupVersionResource, name: name, namespace: namespace)
    }

    @discardableResult
    func waitFor(_ name: String, _ namespace: String, _ what: String, timeout: Duration = .seconds(60),
                 _ condition: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue = .null
        do {
            try await eventually(what, timeout: timeout) {
                last = try await self.rule(name, namespace)
                return condition(last["status"])
            }
        } catch {
            Issue.record("last status of \(namespace)/\(name): \(last["status"].serialized(pretty: true))")
            throw error
        }
        return last
    }

    func events(_ namespace: String, about name: String) async throws -> [JSONValue] {
        try await client.list(.events, namespace: namespace).items.filter { $0["involvedObject"]["name"].stringValue == name }
    }

    func secret(_ name: String, _ namespace: String, _ values: [String: String]) async throws {
        _ = try await client.create(.secrets, [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)],
            "data": .object(values.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
        ], namespace: namespace)
    }

    func deployment(_ name: String, _ namespace: String, replicas: Int = 2, annotations: [String: String] = [:]) async throws {
        var template: JSONValue = [
            "metadata": ["labels": ["app": .string(name)]],
            "spec": ["containers": [[
                "name": "app", "image": "registry.example/shop:1.0", "ports": [["containerPort": 8080]],
                "resources": ["limits": ["cpu": "500m", "memory": "256Mi"]],
            ]]],
        ]
        if !annotations.isEmpty { template["metadata"]["annotations"] = .object(annotations.mapValues { .string($0) }) }
        _ = try await client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]], "template": template],
        ], namespace: namespace)
    }

    func setErrorRate(_ deployment: String, _ namespace: String, _ rate: String) async throws {
        _ = try await client.patch(.deployments, name: deployment, namespace: namespace, type: .merge, body: [
            "spec": ["template": ["metadata": ["annotations": [.init(stringLiteral: BehaviourAnnotation.errorRate): .string(rate)]]]],
        ])
    }

    static func rule(_ name: String, spec: JSONValue) -> JSONValue {
        ["apiVersion": "opsagent.dev/v1alpha1", "kind": "AlertRule", "metadata": ["name": .string(name)], "spec": spec]
    }
}

@Suite(.serialized) struct AlertRuleEndToEndTests {
    static let errorRate = """
        sum by (namespace) (rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}",code=~"5.."}[5s]))
        / sum by (namespace) (rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}"}[5s]))
        """

    @Test func aHighErrorRateGoesPendingThenFiringIsExplainedAndResolvesAtEveryReceiver() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        receiver.reply(#"{"status":"success","message":"Event processed"}"#, status: 202, toPathsStartingWith: "/v2/enqueue")
        let alertmanager = try await AlertmanagerServer.start(webhook: receiver.url + "/am-webhook", repeatInterval: "3s")
        defer { alertmanager.stop() }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("alerting")

        // Planted secrets: none of these may show up in status or Events.
        let routingKey = "planted-routing-key-7f3a9c2e51d84b60"
        let hookToken = "planted-hook-token-b41d9e"
        try await cluster.secret("receivers", ns, [
            "webhook": receiver.url + "/hooks/" + hookToken, "slack": receiver.url + "/services/T0/B0/" + hookToken,
            "pagerduty-key": routingKey, "pagerduty-url": receiver.url + "/v2/enqueue", "alertmanager": alertmanager.url,
        ])
        try await cluster.deployment("checkout", ns)
        func ref(_ key: String) -> JSONValue { ["name": "receivers", "key": .string(key)] }
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("checkout-errors", spec: [
            "condition": ["metric": .string(Self.errorRate), "operator": ">", "threshold": 0.2, "duration": "3s"],
            "interval": "1s", "severity": "critical",
            "description": "checkout answers {{ $value }} of its requests with errors",
            "target": ["selector": ["matchLabels": ["app": "checkout"]]],
            "labels": ["team": "payments"],
            "annotations": ["summary": "error rate {{ $value }} in {{ $labels.namespace }}"],
            "repeatInterval": "1h",
            "actions": [
                ["name": "hook", "webhook": ["urlSecretRef": ref("webhook")]],
                ["name": "chat", "slack": ["urlSecretRef": ref("slack"), "channel": "#payments"]],
                ["name": "pager", "pagerduty": ["routingKeySecretRef": ref("pagerduty-key"), "urlSecretRef": ref("pagerduty-url")]],
                ["name": "am", "alertmanager": ["urlSecretRef": ref("alertmanager")]],
            ],
        ]), namespace: ns)

        // Healthy: Inactive, with a measured value.
        try await cluster.waitFor("checkout-errors", ns, "Inactive with a value", timeout: .seconds(90)) {
            $0["state"] == "Inactive" && $0["lastEvaluation"]["value"].stringValue.flatMap(Double.init) != nil
        }
        let ready = try await cluster.rule("checkout-errors", ns)["status"].condition("Ready")
        #expect(ready?.status == .true)

        // Half the requests fail: Pending, then Firing after `for`.
        let seen = Mutex<[String]>([])
        let watcher = Task {
            while !Task.isCancelled {
                if let state = try? await cluster.rule("checkout-errors", ns)["status"]["state"].stringValue,
                   seen.withLock({ $0.last != state }) { seen.withLock { $0.append(state) } }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { watcher.cancel() }
        try await cluster.setErrorRate("checkout", ns, "0.5")
        let firing = try await cluster.waitFor("checkout-errors", ns, "Firing with its analysis", timeout: .seconds(120)) {
            $0["state"] == "Firing" && !$0["analysis"]["rootCause"].isNull
        }
        let status = firing["status"]
        #expect(seen.withLock { $0 }.contains("Pending"), "went through Pending: \(seen.withLock { $0 })")
        let value = status["lastEvaluation"]["value"].stringValue.flatMap(Double.init) ?? 0
        #expect(value > 0.3 && value < 0.7, "the error rate of the 50 % behaviour: \(value)")
        #expect(status["analysis"]["rootCause"].stringValue?.contains("checkout") == true, "\(status["analysis"])")
        #expect(status["analysis"]["episode"] == status["firingSince"])
        #expect((status["firingSeriesCount"].intValue ?? 0) >= 1)
        #expect(status["severity"] == "critical")
        let activeSince = try #require(status["activeSince"].stringValue.flatMap(KubeTimestamp.parse))
        let firingSince = try #require(status["firingSince"].stringValue.flatMap(KubeTimestamp.parse))
        #expect(firingSince.timeIntervalSince(activeSince) >= 2.9, "fired only after `for`")

        // Every receiver hears of it once.
        try await cluster.waitFor("checkout-errors", ns, "every action notified Firing") { status in
            let entries = status["notifications"].arrayValue ?? []
            return entries.count == 4 && entries.allSatisfy { $0["notifiedState"] == "Firing" }
        }
        try await eventually("Alertmanager's webhook saw it fire", timeout: .seconds(60)) {
            receiver.requests(path: "/am-webhook").contains { $0.json?["status"] == "firing" }
        }
        let hooks = receiver.requests(path: "/hooks/\(hookToken)").compactMap(\.json)
        #expect(hooks.count == 1)
        #expect(hooks.first?["alert"]["labels"]["team"] == "payments")
        #expect(hooks.first?["analysis"]["rootCause"].stringValue?.contains("checkout") == true)
        let amAlert = receiver.requests(path: "/am-webhook").first { $0.json?["status"] == "firing" }?.json?["alerts"][0]
        #expect(amAlert?["labels"]["alertname"] == "checkout-errors")
        #expect(amAlert?["labels"]["namespace"] == .string(ns))
        #expect(amAlert?["annotations"]["summary"].stringValue?.hasPrefix("error rate 0.") == true)
        // Alertmanager repeats it while it fires (its repeat_interval is 3 s; the operator resends each interval).
        try await eventually("Alertmanager repeated the firing alert", timeout: .seconds(30)) {
            receiver.requests(path: "/am-webhook").filter { $0.json?["status"] == "firing" }.count >= 2
        }

        // Recovery resolves it.
        try await cluster.setErrorRate("checkout", ns, "0")
        try await cluster.waitFor("checkout-errors", ns, "Resolved", timeout: .seconds(120)) { $0["state"] == "Resolved" }
        try await cluster.waitFor("checkout-errors", ns, "every action notified Resolved") { status in
            let entries = status["notifications"].arrayValue ?? []
            return entries.count == 4 && entries.allSatisfy { $0["notifiedState"] == "Resolved" }
        }
        try await eventually("Alertmanager's webhook saw it resolve", timeout: .seconds(60)) {
            receiver.requests(path: "/am-webhook").contains { $0.json?["status"] == "resolved" }
        }
        let hookCalls = receiver.requests(path: "/hooks/\(hookToken)").compactMap(\.json)
        #expect(hookCalls.map { $0["status"].stringValue ?? "" } == ["firing", "resolved"], "exactly one per transition")
        let slack = receiver.requests(path: "/services/T0/B0/\(hookToken)").compactMap(\.json)
        #expect(slack.count == 2)
        #expect(slack.first?["channel"] == "#payments")
        let pages = receiver.requests(path: "/v2/enqueue").compactMap(\.json)
        #expect(pages.map { $0["event_action"].stringValue ?? "" } == ["trigger", "resolve"])
        #expect(pages.first?["routing_key"] == .string(routingKey))
        #expect(pages.count == 2 && pages[0]["dedup_key"] == pages[1]["dedup_key"])

        // Events on every transition (recorded after the status write that caused them), and
        // no secret anywhere the operator writes.
        try await eventually("an Event for every transition of checkout-errors") {
            Set(try await cluster.events(ns, about: "checkout-errors").compactMap { $0["reason"].stringValue })
                .isSuperset(of: ["Pending", "Firing", "Resolved", "Analyzed", "Notified"])
        }
        let events = try await cluster.events(ns, about: "checkout-errors")
        let written = try await cluster.rule("checkout-errors", ns)["status"].serialized() + events.map { $0.serialized() }.joined()
        #expect(!written.contains(routingKey))
        #expect(!written.contains(hookToken))
    }

    @Test func badInputIsReportedPlainly() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("bad-input")

        // Invalid PromQL: Ready=False, InvalidQuery, with Prometheus's own words.
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("broken", spec: [
            "expr": "sum(rate(http_requests_total[1m]) > 0", "interval": "1s",
        ]), namespace: ns)
        let broken = try await cluster.waitFor("broken", ns, "InvalidQuery") { $0.condition("Ready")?.reason == "InvalidQuery" }
        let message = broken["status"].condition("Ready")?.message ?? ""
        #expect(message.contains("parse error"), "Prometheus's text: \(message)")
        #expect(broken["status"].condition("Stalled")?.status == .true)
        #expect(broken["status"]["state"] == "Inactive")

        // A missing Secret: SecretNotFound, naming it; creating it makes the rule Ready.
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("needs-secret", spec: [
            "expr": "vector(1) > 2", "interval": "1s",
            "actions": [["name": "hook", "webhook": ["urlSecretRef": ["name": "missing-hook", "key": "url"]]]],
        ]), namespace: ns)
        let missing = try await cluster.waitFor("needs-secret", ns, "SecretNotFound") { $0.condition("Ready")?.reason == "SecretNotFound" }
        #expect(missing["status"].condition("Ready")?.message?.contains("Secret \(ns)/missing-hook") == true)
        try await cluster.secret("missing-hook", ns, ["url": "http://127.0.0.1:9/hook"])
        try await cluster.waitFor("needs-secret", ns, "Ready once the Secret exists") { $0.condition("Ready")?.status == .true }

        // An unknown built-in metric never gets in: the schema refuses it.
        do {
            _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("unknown-metric", spec: [
                "condition": ["metric": "DiskPressure", "operator": ">", "threshold": 1],
                "target": ["selector": ["matchLabels": ["app": "x"]]],
            ]), namespace: ns)
            Issue.record("an unknown built-in metric was accepted")
        } catch let error as KubeError {
            #expect("\(error)".contains("unknown built-in metric"), "\(error)")
        }
        // Neither does a rule with both condition and expr, or an action of two kinds.
        await #expect(throws: KubeError.self) {
            _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("two-kinds", spec: [
                "expr": "up", "actions": [["name": "x", "webhook": ["urlSecretRef": ["name": "s", "key": "k"]],
                                           "slack": ["urlSecretRef": ["name": "s", "key": "k"]]]],
            ]), namespace: ns)
        }
    }

    @Test func aFailingReceiverIsRetriedWithBackoffAndASlowOneDelaysNoEvaluation() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let flaky = await NotificationReceiver.start()
        defer { flaky.stop() }
        flaky.fail(next: 2, status: 503)
        let slow = await NotificationReceiver.start()
        defer { slow.stop() }
        slow.respond(after: .seconds(10))
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("receivers")
        try await cluster.secret("hooks", ns, ["flaky": flaky.url + "/hook", "slow": slow.url + "/hook"])
        for (name, key) in [("flaky-receiver", "flaky"), ("slow-receiver", "slow")] {
            _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule(name, spec: [
                "expr": "vector(1) > 0", "interval": "1s", "analysis": "disabled",
                "actions": [["name": "hook", "webhook": ["urlSecretRef": ["name": "hooks", "key": .string(key)]]]],
            ]), namespace: ns)
        }

        // The failure is reported in status, then retried until it goes through, once.
        try await cluster.waitFor("flaky-receiver", ns, "the failed attempt is reported") { status in
            let entry = status["notifications"][0]
            return entry["attempts"].intValue == 1 && entry["lastError"].stringValue?.contains("HTTP 503") == true
        }
        try await cluster.waitFor("flaky-receiver", ns, "delivered after retries", timeout: .seconds(30)) {
            $0["notifications"][0]["notifiedState"] == "Firing"
        }
        #expect(flaky.requests.count == 3, "two failures, then one delivery: \(flaky.requests.map(\.status))")
        #expect(flaky.accepted.count == 1)
        try await eventually("an Event for each failed delivery") {
            try await cluster.events(ns, about: "flaky-receiver").filter { $0["reason"] == "NotificationFailed" }.count >= 2
        }
        let retried = try await cluster.events(ns, about: "flaky-receiver").filter { $0["reason"] == "NotificationFailed" }
        #expect(retried.count == 2)

        // A receiver that takes 10 s holds nothing up: the rule is evaluated every second meanwhile.
        let first = try await cluster.waitFor("slow-receiver", ns, "Firing") { $0["state"] == "Firing" }
        let start = first["status"]["lastEvaluation"]["time"].stringValue.flatMap(KubeTimestamp.parse) ?? Date()
        try await cluster.waitFor("slow-receiver", ns, "evaluated 3 s later while the receiver is still answering", timeout: .seconds(8)) {
            ($0["lastEvaluation"]["time"].stringValue.flatMap(KubeTimestamp.parse) ?? start).timeIntervalSince(start) >= 3
        }
        #expect(slow.requests.isEmpty, "the slow receiver has not answered yet")
        #expect(try await cluster.rule("slow-receiver", ns)["status"]["notifications"][0]["notifiedState"].isNull)
    }

    @Test func anOperatorRestartSendsNothingTwice() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        let ns = try await cluster.namespace("restart")
        try await cluster.secret("hooks", ns, ["url": receiver.url + "/hook"])
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("always", spec: [
            "expr": "vector(1) > 0", "interval": "1s", "analysis": "disabled",
            "actions": [["name": "hook", "webhook": ["urlSecretRef": ["name": "hooks", "key": "url"]]]],
        ]), namespace: ns)
        try await cluster.waitFor("always", ns, "notified") { $0["notifications"][0]["notifiedState"] == "Firing" }
        await cluster.stopOperator()
        let firingSince = try await cluster.rule("always", ns)["status"]["firingSince"]

        let restarted = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        defer { Task { await restarted.stopOperator() } }
        let before = try await restarted.rule("always", ns)["status"]["lastEvaluation"]["time"].stringValue.flatMap(KubeTimestamp.parse) ?? Date()
        try await restarted.waitFor("always", ns, "evaluated 3 s after the restart") {
            ($0["lastEvaluation"]["time"].stringValue.flatMap(KubeTimestamp.parse) ?? before).timeIntervalSince(before) >= 3
        }
        let status = try await restarted.rule("always", ns)["status"]
        #expect(status["state"] == "Firing")
        #expect(status["firingSince"] == firingSince, "the same episode goes on")
        #expect(receiver.requests(path: "/hook").count == 1, "one Firing notice, none after the restart")
    }

    @Test func theEmailActionReachesARealSMTPServer() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let smtp = try await SMTPServer.start()
        defer { smtp.stop() }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("email")
        try await cluster.secret("smtp", ns, ["url": smtp.url])
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("mailed", spec: [
            "expr": "vector(1) > 0", "interval": "1s", "analysis": "disabled", "severity": "info",
            "actions": [["name": "mail", "email": ["urlSecretRef": ["name": "smtp", "key": "url"],
                                                   "from": "opsagent@example.com", "to": ["oncall@example.com"]]]],
        ]), namespace: ns)
        try await cluster.waitFor("mailed", ns, "mailed") { $0["notifications"][0]["notifiedState"] == "Firing" }
        try await eventually("the message is in the mailbox") { !smtp.messages.isEmpty }
        let message = try #require(smtp.messages.first)
        #expect(message.contains("Subject: [FIRING] \(ns)/mailed (info)"))
        #expect(message.contains("X-RcptTo: oncall@example.com"))
        #expect(smtp.messages.count == 1)
    }
}
