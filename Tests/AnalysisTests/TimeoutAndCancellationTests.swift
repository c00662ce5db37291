import Testing
@testable import Analysis

@Suite("Timeout and cancellation")
struct TimeoutAndCancellationTests {
    @Test func aSlowProviderTimesOutAndTheRulesAnswer() async throws {
        try await withFakeServer(defaultReply: .hang) { server in
            let analyzer = try Harness.openAI(server, settings: Harness.settings(timeout: .milliseconds(500)))
            let started = ContinuousClock.now
            let result = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
            let elapsed = ContinuousClock.now - started
            #expect(result.degraded?.reason == .timeout)
            #expect(result.verdict == .fail)
            #expect(elapsed < .seconds(10))
            // Asked at most once: a timeout is not retried (under load the deadline may pass
            // before the request even reaches the server).
            #expect(server.requestCount <= 1)
        }
    }

    @Test func cancellingTheCallerEndsTheAnalysisPromptly() async throws {
        try await withFakeServer { server in
            server.enqueue(.hang)
            let analyzer = try Harness.openAI(server, settings: Harness.settings(timeout: .seconds(120)))
            let task = Task { await analyzer.analyze(FactSets.request(FactSets.healthy)) }
            #expect(await eventually { server.requestCount == 1 })
            let cancelled = ContinuousClock.now
            task.cancel()
            let result = await task.value
            #expect(ContinuousClock.now - cancelled < .seconds(5))
            #expect(result.degraded?.reason == .cancelled)

            // A cancelled analysis is not remembered: asking again reaches the provider.
            let again = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(again.degraded == nil)
            #expect(server.requestCount == 2)
        }
    }

    @Test func anAnthropicCallTimesOutToo() async throws {
        try await withFakeServer(defaultReply: .hang) { server in
            let analyzer = try Harness.anthropic(server, settings: Harness.settings(timeout: .milliseconds(500)))
            let result = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(result.degraded?.reason == .timeout)
            #expect(result.verdict == .pass)
        }
    }
}
