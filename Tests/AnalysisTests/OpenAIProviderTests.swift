import TestSupport
import Foundation
import KubeClient
import Testing
import Scheduling
@testable import Analysis

@Suite("OpenAI-compatible provider")
struct OpenAIProviderTests {
    static let failing: JSONValue = [
        "verdict": "fail", "confidence": 0.93,
        "summary": "Two of three preview pods crash-loop after a nil pointer panic.",
        "findings": [
            ["severity": "critical", "title": "CrashLoopBackOff", "evidence": "checkout-green-7d9f8-abcde/app restarted 7 times"],
            ["severity": "warning", "title": "BackOff events", "evidence": "31 BackOff events"],
        ],
        "recommendations": ["Fix the nil pointer dereference in the payment client.", "Keep the preview off traffic."],
    ]

    @Test func structuredOutputIsParsedIntoTheResult() async throws {
        try await withFakeServer(defaultReply: .analysis(Self.failing)) { server in
            let analyzer = try Harness.openAI(server)
            let result = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
            #expect(result.degraded == nil)
            #expect(result.verdict == .fail)
            #expect(result.confidence == 0.93)
            #expect(result.summary == "Two of three preview pods crash-loop after a nil pointer panic.")
            #expect(result.findings.map(\.severity) == [.critical, .warning])
            #expect(result.findings[0].evidence == "checkout-green-7d9f8-abcde/app restarted 7 times")
            #expect(result.recommendations.count == 2)
            #expect(result.provider == "openai")
            #expect(result.model == "gpt-4o-mini")
            #expect(result.inputHash.count == 64)

            let request = try #require(server.requests.first)
            #expect(server.requestCount == 1)
            #expect(request.violations.isEmpty, "\(request.violations)")
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer \(Harness.apiKey)")
            let format = try #require(request.json?["response_format"])
            #expect(format["type"] == "json_schema")
            #expect(format["json_schema"]["strict"] == true)
            #expect(format["json_schema"]["name"] == "analysis_result")
            #expect(format["json_schema"]["schema"] == ReplySchema.schema)
            #expect(request.json?["max_completion_tokens"] == 1024)
            #expect(request.messages.map { $0["role"].stringValue } == ["system", "user"])
            let user = request.messages[1]["content"].stringValue ?? ""
            #expect(user.contains(FactSets.question))
            #expect(user.contains("CrashLoopBackOff"))
        }
    }

    @Test func azureAddressesTheDeploymentWithTheAPIVersionAndAnAPIKeyHeader() async throws {
        try await withFakeServer { server in
            let analyzer = try Harness.openAI(server, flavor: .azure(deployment: "ops-gpt4o", apiVersion: "2024-10-21"), model: "gpt-4o")
            let result = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(result.provider == "azure-openai")
            let request = try #require(server.requests.first)
            #expect(request.violations.isEmpty, "\(request.violations)")
            #expect(request.path == "/openai/deployments/ops-gpt4o/chat/completions")
            #expect(request.query == "api-version=2024-10-21")
            #expect(request.headers["api-key"] == Harness.apiKey)
            #expect(request.headers["authorization"] == nil)
        }
    }

    @Test(arguments: [OpenAIChatProvider.Flavor.vLLM, .ollama, .lmStudio])
    func localServersNeedNoKeyAndGetMaxTokens(flavor: OpenAIChatProvider.Flavor) async throws {
        try await withFakeServer { server in
            let analyzer = try Harness.openAI(server, flavor: flavor, apiKey: nil, model: "qwen2.5-7b-instruct")
            let result = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(result.provider == flavor.providerName)
            let request = try #require(server.requests.first)
            #expect(request.violations.isEmpty, "\(request.violations)")
            #expect(request.headers["authorization"] == nil)
            #expect(request.json?["max_tokens"] == 1024)
            #expect(request.json?["max_completion_tokens"] == .null)
        }
    }

    @Test func aServerWithoutJSONSchemaSupportGetsJSONObjectFromThenOn() async throws {
        try await withFakeServer { server in
            server.enqueue(.rejectJSONSchema)
            let analyzer = try Harness.openAI(server, flavor: .vLLM, apiKey: nil, model: "llama-3.1-8b")
            let first = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(first.degraded == nil)
            #expect(first.verdict == .pass)
            #expect(server.requestCount == 2)
            let retried = server.requests[1]
            #expect(retried.violations.isEmpty, "\(retried.violations)")
            #expect(retried.json?["response_format"] == ["type": "json_object"])
            // json_object only promises JSON: the schema travels in the instructions.
            let system = retried.messages[0]["content"].stringValue ?? ""
            #expect(system.contains("JSON Schema"))
            #expect(system.contains("\"verdict\""))

            _ = await analyzer.analyze(FactSets.request(FactSets.highErrorRate))
            #expect(server.requestCount == 3)
            #expect(server.requests[2].json?["response_format"]["type"] == "json_object")
        }
    }

    @Test func anInvalidReplyGetsOneRepairRequest() async throws {
        try await withFakeServer { server in
            server.enqueue(.text("Looks fine to me, promote it."))
            let analyzer = try Harness.openAI(server)
            let result = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(result.verdict == .pass)
            #expect(result.provider == "openai")
            #expect(server.requestCount == 2)
            let repair = server.requests[1]
            #expect(repair.violations.isEmpty, "\(repair.violations)")
            #expect(repair.messages.map { $0["role"].stringValue } == ["system", "user", "assistant", "user"])
            #expect(repair.messages[2]["content"] == "Looks fine to me, promote it.")
            let correction = repair.messages[3]["content"].stringValue ?? ""
            #expect(correction.contains("not a JSON object"))
        }
    }

    @Test func aRepairNamesTheSchemaViolations() async throws {
        try await withFakeServer { server in
            var wrong = FakeLLMServer.passing
            wrong["verdict"] = "probably-fine"
            wrong.removeValue(forKey: "recommendations")
            server.enqueue(.analysis(wrong))
            let result = await (try Harness.openAI(server)).analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            let correction = server.requests[1].messages[3]["content"].stringValue ?? ""
            #expect(correction.contains("$.verdict"))
            #expect(correction.contains("'recommendations'"))
        }
    }

    @Test func twoInvalidRepliesFallBackToTheBuiltinAnalyzer() async throws {
        try await withFakeServer { server in
            server.enqueue(.text("no"), .analysis(["verdict": "pass"]))
            let result = await (try Harness.openAI(server)).analyze(FactSets.request(FactSets.crashLoop))
            #expect(server.requestCount == 2)
            let degraded = try #require(result.degraded)
            #expect(degraded.reason == .invalidReply)
            #expect(degraded.message.contains("built-in rules"))
            #expect(result.provider == "builtin")
            // The built-in rules judged the crash loop.
            #expect(result.verdict == .fail)
            #expect(result.findings.contains { $0.title.hasPrefix("CrashLoopBackOff") })
        }
    }

    @Test func a429IsRetriedAfterTheTimeTheServerAsked() async throws {
        try await withFakeServer { server in
            server.enqueue(.status(429, message: "Rate limit reached for gpt-4o-mini", headers: ["retry-after": "7"]))
            let clock = ManualClock(advancesOnSleep: true)
            let result = await (try Harness.openAI(server, clock: clock)).analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(server.requestCount == 2)
            #expect(clock.sleeps == [.seconds(7)])
        }
    }

    @Test func retryAfterMillisecondsIsPreferred() async throws {
        try await withFakeServer { server in
            server.enqueue(.status(429, message: "slow down", headers: ["retry-after-ms": "1500", "retry-after": "2"]))
            let clock = ManualClock(advancesOnSleep: true)
            _ = await (try Harness.openAI(server, clock: clock)).analyze(FactSets.request(FactSets.healthy))
            #expect(clock.sleeps == [.milliseconds(1500)])
        }
    }

    @Test func serverErrorsAreRetriedWithGrowingBackoffThenFallBack() async throws {
        try await withFakeServer(defaultReply: .status(500, message: "The server had an error while processing your request")) { server in
            let clock = ManualClock(advancesOnSleep: true)
            let result = await (try Harness.openAI(server, clock: clock)).analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 3)   // the call and two retries
            #expect(result.degraded?.reason == .providerUnavailable)
            #expect(result.degraded?.message.contains("HTTP 500") == true)
            #expect(result.verdict == .pass)     // the built-in rules on healthy facts
            let sleeps = clock.sleeps
            #expect(sleeps.count == 2)
            #expect(sleeps[0] >= .milliseconds(400) && sleeps[0] <= .milliseconds(600))
            #expect(sleeps[1] >= .milliseconds(800) && sleeps[1] <= .milliseconds(1200))
        }
    }

    @Test func badCredentialsAreNotRetried() async throws {
        try await withFakeServer(defaultReply: .status(401, message: "Incorrect API key provided")) { server in
            let clock = ManualClock(advancesOnSleep: true)
            let result = await (try Harness.openAI(server, clock: clock)).analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 1)
            #expect(clock.sleeps.isEmpty)
            #expect(result.degraded?.reason == .authenticationFailed)
            #expect(result.degraded?.message.contains("API key") == true)
        }
    }

    @Test func aRetryAfterBeyondTheDeadlineFallsBackAtOnce() async throws {
        try await withFakeServer(defaultReply: .status(429, message: "quota", headers: ["retry-after": "120"])) { server in
            let clock = ManualClock(advancesOnSleep: true)
            let analyzer = try Harness.openAI(server, settings: Harness.settings(timeout: .seconds(30)), clock: clock)
            let result = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 1)
            #expect(clock.sleeps.isEmpty)
            #expect(result.degraded?.reason == .rateLimited)
        }
    }

    @Test func anUnreachableProviderFallsBack() async throws {
        // A port nothing listens on: bind a server, note its port, stop it.
        let server = try await FakeLLMServer.start()
        await server.stop()
        let clock = ManualClock(advancesOnSleep: true)
        let result = await (try Harness.openAI(server, clock: clock)).analyze(FactSets.request(FactSets.crashLoop))
        #expect(result.degraded?.reason == .providerUnavailable)
        #expect(result.verdict == .fail)
        #expect(clock.sleeps.count == 2)
    }

    @Test func theModelCannotPassWhatTheRulesFail() async throws {
        try await withFakeServer { server in   // the server always says pass
            let result = await (try Harness.openAI(server)).analyze(FactSets.request(FactSets.crashLoop))
            #expect(result.degraded == nil)
            #expect(result.provider == "openai")
            #expect(result.verdict == .fail)
            #expect(result.summary.hasPrefix("Held at fail by the built-in rules"))
            #expect(result.findings.first?.title.hasPrefix("CrashLoopBackOff") == true)

            let nan = await (try Harness.openAI(server)).analyze(FactSets.request(FactSets.nanMetrics))
            #expect(nan.verdict == .inconclusive)
        }
    }

    @Test func restorablePlaceholdersAreMappedBackInTheResult() async throws {
        try await withFakeServer(defaultReply: .derived({ request in
            // The model refers to the host by the placeholder it was sent.
            let text = request.serialized()
            let range = text.range(of: #"\[REDACTED:internal-host:\d+\]"#, options: .regularExpression)
            let placeholder = range.map { String(text[$0]) } ?? "none"
            var answer = FakeLLMServer.passing
            answer["summary"] = .string("Latency comes from \(placeholder).")
            return answer
        })) { server in
            let redactor = try Redactor(rules: [RedactionRule(name: "internal-host", pattern: #"[a-z0-9-]+\.corp\.example\.com"#)])
            var facts = FactSets.healthy
            facts.logs[0].lines.append("level=warn msg=\"slow upstream\" host=pay-db-1.corp.example.com")
            let result = await (try Harness.openAI(server, redactor: redactor)).analyze(FactSets.request(facts))
            #expect(!server.requests[0].bodyText.contains("pay-db-1.corp.example.com"))
            #expect(result.summary == "Latency comes from pay-db-1.corp.example.com.")
        }
    }

    @Test func theFakeServerHoldsRequestsToThePublicSchema() async throws {
        try await withFakeServer { server in
            var request = HTTPRequest(method: "POST", url: server.baseURL + "/v1/chat/completions",
                                      headers: ["Content-Type": "application/json"],
                                      body: Array(#"{"model":"gpt-4o","messages":[]}"#.utf8))
            let rejected = try await Harness.transport.send(request)
            #expect(rejected.status == 400)
            #expect(rejected.bodyText.contains("at least 1"))

            request.body = Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Say JSON"}],"response_format":{"type":"json_object"}}"#.utf8)
            let answered = try await Harness.transport.send(request)
            #expect(answered.status == 200)
            let body = try JSONValue(parsing: answered.body)
            #expect(APIRequestSchemas.openAIChatResponse.violations(of: body).isEmpty)
        }
    }
}
