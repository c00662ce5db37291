import Analysis
import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// The LLM analysis step through the controller, against the local OpenAI-compatible test
/// server: `gate` fails a revision on a fail verdict, `advisory` only records it, a failing
/// provider degrades to the built-in analyzer with `AnalysisDegraded=True` — and no value of
/// any Secret the pods can reach, however it is copied, ever reaches the model.
@Suite(.serialized) struct BlueGreenLLMTests {
    static let failing: JSONValue = [
        "verdict": "fail", "confidence": 0.9, "summary": "The preview logs database timeouts on every request.",
        "findings": [["severity": "critical", "title": "DB timeouts", "evidence": "log lines"]],
        "recommendations": ["Roll back."],
    ]

    /// Secrets of several shapes, planted in the preview's env (by reference and copied
    /// literally), in a pod annotation, and in the container's log lines.
    static let planted = (
        short: "pw9Xk2",
        long: "lk_live_" + String(repeating: "Q7wE9rT2", count: 8),
        base64Source: "token-for-the-billing-api-7731",
        jsonPassword: "s3cr3t-Json-Passw0rd-442"
    )

    static func secret(_ namespace: String) -> JSONValue {
        let json = #"{"user":"app","password":"\#(planted.jsonPassword)"}"#
        return ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "app-secrets", "namespace": .string(namespace)],
                "stringData": ["short": .string(planted.short), "long": .string(planted.long),
                               "b64": .string(Data(planted.base64Source.utf8).base64EncodedString()), "db.json": .string(json)]]
    }

    static func llmCluster(_ server: FakeLLMServer) async throws -> RolloutCluster {
        var configuration = AnalysisConfiguration()
        configuration.provider = .openAI
        configuration.baseURL = server.baseURL + "/v1"
        configuration.model = "gpt-4o-mini"
        configuration.callsPerMinute = nil
        configuration.tokensPerHour = nil
        return try await RolloutCluster.start(analyzer: AnalyzerFactory.makeAnalyzer(configuration, apiKey: "sk-test-key-for-the-fake-server"))
    }

    func rollout(_ name: String, mode: String) -> JSONValue {
        Rollouts.manifest(name, spec: ["prePromotionAnalysis": [
            "checks": [["name": "ready", "builtin": ["type": "PodReadiness"], "interval": "200ms", "count": 2]],
            "llm": ["mode": .string(mode)],
        ]])
    }

    /// A new revision whose pods reach the Secret every way there is, and leak its values.
    func leakyTemplate() -> JSONValue {
        let p = Self.planted
        return ["spec": ["template": [
            "metadata": ["annotations": [
                "version": "leaky", "sim.opsagent.dev/ready": "true",
                "note": .string("copied by hand: \(p.short)"),
            ]],
            "spec": ["containers": [[
                "name": "app", "image": "registry.example/shop:2.0-errors50", "ports": [["name": "http", "containerPort": 8080]],
                "resources": ["limits": ["cpu": "500m", "memory": "256Mi"]],
                "env": [
                    ["name": "APP_SETTING", "value": .string(p.long)],
                    ["name": "DB_PASSWORD_COPY", "value": .string(p.jsonPassword)],
                    ["name": "API_TOKEN", "valueFrom": ["secretKeyRef": ["name": "app-secrets", "key": "b64"]]],
                    ["name": "DECODED", "value": .string(p.base64Source)],
                ],
                "envFrom": [["secretRef": ["name": "app-secrets"]]],
            ]]],
        ]]]
    }

    func assertNothingPlanted(in server: FakeLLMServer) {
        let p = Self.planted
        let sent = server.requests.map(\.bodyText).joined(separator: "\n")
        #expect(!sent.isEmpty, "the model was asked")
        for value in [p.short, p.long, p.jsonPassword, p.base64Source, Data(p.base64Source.utf8).base64EncodedString()] {
            #expect(!sent.contains(value), "a planted secret reached the model: \(value.prefix(6))…")
        }
    }

    @Test func aGateFailsTheRevisionOnAFailVerdictAndNoSecretReachesTheModel() async throws {
        let server = try await FakeLLMServer.start(defaultReply: .analysis(Self.failing))
        let cluster = try await Self.llmCluster(server)
        defer { Task { await cluster.stopOperator(); await server.stop() } }
        let ns = try await cluster.namespace("gate")
        _ = try await cluster.client.create(.secrets, Self.secret(ns), namespace: ns)
        try await cluster.create(rollout("gated", mode: "gate"), namespace: ns)
        try await cluster.waitFor("gated", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch("gated", ns, leakyTemplate())
        let failed = try await cluster.waitFor("gated", ns, "the LLM gate rolls the revision back") { Rollouts.phase($0) == "RolledBack" }
        let status = failed["status"]
        #expect(status.condition("Ready")?.reason == "AnalyzerGateFailed")
        #expect(status["analysis"]["analyzer"]["verdict"] == "fail")
        #expect(status["analysis"]["analyzer"]["provider"] == "openai")
        #expect(status.condition("AnalysisDegraded")?.status == .false)
        #expect(try await cluster.serviceColor("gated", ns) == "blue")
        #expect(server.requests.allSatisfy { $0.violations.isEmpty })
        assertNothingPlanted(in: server)
    }

    @Test func advisoryRecordsTheVerdictAndPromotesAndAFailingProviderDegrades() async throws {
        let server = try await FakeLLMServer.start(defaultReply: .analysis(Self.failing))
        let cluster = try await Self.llmCluster(server)
        defer { Task { await cluster.stopOperator(); await server.stop() } }
        let ns = try await cluster.namespace("advisory")
        _ = try await cluster.client.create(.secrets, Self.secret(ns), namespace: ns)
        try await cluster.create(rollout("adv", mode: "advisory"), namespace: ns)
        try await cluster.waitFor("adv", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch("adv", ns, leakyTemplate())
        let promoted = try await cluster.waitFor("adv", ns, "advisory: promoted despite the fail verdict") {
            $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy"
        }
        #expect(promoted["status"]["analysis"]["analyzer"]["verdict"] == "fail")
        #expect(promoted["status"]["analysis"]["analyzer"]["summary"].stringValue?.contains("database timeouts") == true)
        assertNothingPlanted(in: server)

        // The provider now fails: the built-in analyzer answers and the condition says why.
        server.enqueue(.status(500, message: "overloaded"), .status(500, message: "overloaded"), .status(500, message: "overloaded"))
        try await cluster.patch("adv", ns, ["spec": ["template": ["metadata": ["annotations": ["version": "third"]]]]])
        let degraded = try await cluster.waitFor("adv", ns, "AnalysisDegraded after provider errors") {
            $0.condition("AnalysisDegraded")?.status == .true
        }
        #expect(degraded["status"]["analysis"]["analyzer"]["provider"] == "builtin")
        #expect(degraded["status"].condition("AnalysisDegraded")?.reason.map { !$0.isEmpty } == true)
    }
}
