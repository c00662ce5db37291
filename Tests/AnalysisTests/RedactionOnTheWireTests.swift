import TestSupport
import Testing
@testable import Analysis

/// Known secrets go through every way a request can reach a provider; none may reach the
/// wire. Assertions are on the raw bytes the server received.
@Suite("Redaction on the wire")
struct RedactionOnTheWireTests {
    func expectNoLeaks(_ server: FakeLLMServer, expectedRequests: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(server.requestCount == expectedRequests, sourceLocation: sourceLocation)
        for (index, request) in server.requests.enumerated() {
            #expect(request.violations.isEmpty, "request \(index): \(request.violations)", sourceLocation: sourceLocation)
            let leaked = KnownSecrets.leaked(in: request.body) + KnownSecrets.leaked(in: Array((request.path + "?" + request.query).utf8))
            #expect(leaked.isEmpty, "request \(index) leaked \(leaked)", sourceLocation: sourceLocation)
            #expect(request.bodyText.contains("[REDACTED:"), "request \(index) carries no placeholder", sourceLocation: sourceLocation)
        }
    }

    @Test func openAIStructuredOutputAndItsRepair() async throws {
        try await withFakeServer { server in
            server.enqueue(.text("not json"))
            _ = await (try Harness.openAI(server)).analyze(KnownSecrets.request)
            expectNoLeaks(server, expectedRequests: 2)
        }
    }

    @Test func openAIJSONObjectFallback() async throws {
        try await withFakeServer { server in
            server.enqueue(.rejectJSONSchema)
            _ = await (try Harness.openAI(server, flavor: .ollama, apiKey: nil, model: "llama3.1")).analyze(KnownSecrets.request)
            expectNoLeaks(server, expectedRequests: 2)
            #expect(server.requests[1].json?["response_format"]["type"] == "json_object")
        }
    }

    @Test func openAIRetries() async throws {
        try await withFakeServer { server in
            server.enqueue(.status(503, message: "busy"), .status(429, message: "slow down"))
            _ = await (try Harness.openAI(server)).analyze(KnownSecrets.request)
            expectNoLeaks(server, expectedRequests: 3)
        }
    }

    @Test func azureOpenAI() async throws {
        try await withFakeServer { server in
            _ = await (try Harness.openAI(server, flavor: .azure(deployment: "ops", apiVersion: "2024-10-21"))).analyze(KnownSecrets.request)
            expectNoLeaks(server, expectedRequests: 1)
        }
    }

    @Test func anthropicToolUseAndItsRepair() async throws {
        try await withFakeServer { server in
            server.enqueue(.analysis(["verdict": "fail"]))
            _ = await (try Harness.anthropic(server)).analyze(KnownSecrets.request)
            expectNoLeaks(server, expectedRequests: 2)
        }
    }

    @Test func theResultCarriesNoSecretEither() async throws {
        // A model that echoes everything it was sent back into its summary and evidence.
        try await withFakeServer(defaultReply: .derived({ request in
            var answer = FakeLLMServer.passing
            let sent = request.serialized()
            answer["summary"] = .string(String(sent.suffix(400)))
            answer["findings"] = [["severity": "warning", "title": "echo", "evidence": .string(String(sent.prefix(300)))]]
            return answer
        })) { server in
            let result = await (try Harness.openAI(server)).analyze(KnownSecrets.request)
            let text = ([result.summary] + result.findings.flatMap { [$0.title, $0.evidence] } + result.recommendations).joined(separator: "\n")
            #expect(KnownSecrets.leaked(in: Array(text.utf8)).isEmpty)
        }
    }
}
