import TestSupport
import KubeClient
import Testing
import Scheduling
@testable import Analysis

@Suite("Anthropic provider")
struct AnthropicProviderTests {
    @Test func theAnswerArrivesAsAForcedToolCall() async throws {
        try await withFakeServer(defaultReply: .analysis(OpenAIProviderTests.failing, usage: .init(input: 1200, output: 180))) { server in
            let result = await (try Harness.anthropic(server)).analyze(FactSets.request(FactSets.crashLoop))
            #expect(result.degraded == nil)
            #expect(result.provider == "anthropic")
            #expect(result.model == "claude-sonnet-4-5")
            #expect(result.verdict == .fail)
            #expect(result.findings.first?.title == "CrashLoopBackOff")

            let request = try #require(server.requests.first)
            #expect(request.violations.isEmpty, "\(request.violations)")
            #expect(request.path == "/v1/messages")
            #expect(request.headers["x-api-key"] == Harness.apiKey)
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.headers["authorization"] == nil)
            let body = try #require(request.json)
            #expect(body["tools"][0]["name"] == "analysis_result")
            #expect(body["tools"][0]["input_schema"] == ReplySchema.schema)
            #expect(body["tool_choice"] == ["type": "tool", "name": "analysis_result"])
            #expect(body["system"].stringValue?.contains("Kubernetes operator") == true)
            #expect(body["max_tokens"] == 1024)
        }
    }

    @Test func jsonInATextAnswerIsAcceptedToo() async throws {
        let fenced = "Here is the analysis:\n```json\n\(FakeLLMServer.passing.serialized())\n```"
        try await withFakeServer(defaultReply: .text(fenced)) { server in
            let result = await (try Harness.anthropic(server)).analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(result.verdict == .pass)
            #expect(server.requestCount == 1)
        }
    }

    @Test func anInvalidToolInputIsRepairedWithAlternatingTurns() async throws {
        try await withFakeServer { server in
            server.enqueue(.analysis(["verdict": "pass", "confidence": 3]))
            let result = await (try Harness.anthropic(server)).analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(server.requestCount == 2)
            let repair = server.requests[1]
            #expect(repair.violations.isEmpty, "\(repair.violations)")
            #expect(repair.messages.map { $0["role"].stringValue } == ["user", "assistant", "user"])
            let correction = repair.messages[2]["content"][0]["text"].stringValue ?? ""
            #expect(correction.contains("$.confidence"))
        }
    }

    @Test func overloadedIsRetried() async throws {
        try await withFakeServer { server in
            server.enqueue(.status(529, message: "Overloaded"), .status(429, message: "rate limited", headers: ["retry-after": "3"]))
            let clock = ManualClock(advancesOnSleep: true)
            let result = await (try Harness.anthropic(server, clock: clock)).analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded == nil)
            #expect(server.requestCount == 3)
            #expect(clock.sleeps.count == 2)
            #expect(clock.sleeps[1] == .seconds(3))
        }
    }

    @Test func aRejectedRequestSaysWhatToCheck() async throws {
        try await withFakeServer(defaultReply: .status(404, message: "model: claude-sonnet-4-5 not found")) { server in
            let result = await (try Harness.anthropic(server)).analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 1)
            #expect(result.degraded?.reason == .requestRejected)
            #expect(result.degraded?.message.contains("not found") == true)
            #expect(result.degraded?.message.contains("model") == true)
        }
    }
}
