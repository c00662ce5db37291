import TestSupport
import Testing
import Scheduling
@testable import Analysis

@Suite("Cache, budget and incident deduplication")
struct CacheAndBudgetTests {
    @Test func theSecondIdenticalRequestIsAnsweredFromTheCache() async throws {
        try await withFakeServer { server in
            let analyzer = try Harness.openAI(server)
            let first = await analyzer.analyze(FactSets.request(FactSets.healthy))
            let second = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 1)
            #expect(first == second)
            #expect(first.degraded == nil)
        }
    }

    @Test func theSameIncidentWithDriftingCountersIsNotAnalysedTwice() async throws {
        try await withFakeServer { server in
            let analyzer = try Harness.openAI(server)
            _ = await analyzer.analyze(FactSets.request(BuiltinAnalyzerTests.crashLoop(restarts: 5, backOffs: 17, address: "0x4a2b1c")))
            // A reconcile later: more restarts and back-offs, another crash address; the same incident.
            _ = await analyzer.analyze(FactSets.request(BuiltinAnalyzerTests.crashLoop(restarts: 7, backOffs: 29, address: "0x4a2b9f")))
            #expect(server.requestCount == 1)
            _ = await analyzer.analyze(FactSets.request(FactSets.imagePullFailure))
            #expect(server.requestCount == 2)
        }
    }

    @Test func cachedAnswersExpireAfterTheirTTL() async throws {
        try await withFakeServer { server in
            let clock = ManualClock(advancesOnSleep: true)
            let analyzer = try Harness.openAI(server, clock: clock)
            _ = await analyzer.analyze(FactSets.request(FactSets.healthy))
            clock.advance(by: .seconds(599))
            _ = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 1)
            clock.advance(by: .seconds(2))
            _ = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 2)
        }
    }

    @Test func concurrentAnalysesOfOneIncidentShareOneCall() async throws {
        try await withFakeServer(defaultReply: .delayed(.milliseconds(300), .analysis(FakeLLMServer.passing))) { server in
            let analyzer = try Harness.openAI(server)
            let results = await withTaskGroup(of: AnalysisResult.self) { group in
                for _ in 0..<6 { group.addTask { await analyzer.analyze(FactSets.request(FactSets.healthy)) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(server.requestCount == 1)
            #expect(results.count == 6)
            #expect(Set(results).count == 1)
            #expect(results[0].degraded == nil)
        }
    }

    @Test func providerFailuresAreRememberedBrieflySoTheProviderIsNotHammered() async throws {
        try await withFakeServer(defaultReply: .status(500, message: "down")) { server in
            let clock = ManualClock(advancesOnSleep: true)
            let analyzer = try Harness.openAI(server, settings: Harness.settings(maxRetries: 0), clock: clock)
            let first = await analyzer.analyze(FactSets.request(FactSets.healthy))
            let again = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 1)
            #expect(first.degraded?.reason == .providerUnavailable)
            #expect(again == first)
            clock.advance(by: .seconds(61))
            _ = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 2)
        }
    }

    @Test func theCallBudgetStopsCallsAndRefillsAfterAMinute() async throws {
        try await withFakeServer { server in
            let clock = ManualClock(advancesOnSleep: true)
            let budget = AnalysisBudget(callsPerMinute: 1, tokensPerHour: nil, clock: clock)
            let analyzer = try Harness.openAI(server, budget: budget, clock: clock)
            let first = await analyzer.analyze(FactSets.request(FactSets.healthy))
            #expect(first.degraded == nil)
            let second = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
            #expect(server.requestCount == 1)
            let degraded = try #require(second.degraded)
            #expect(degraded.reason == .budgetExhausted)
            #expect(degraded.message.contains("callsPerMinute"))
            #expect(second.verdict == .fail)   // the built-in rules still judged it
            clock.advance(by: .seconds(60))
            let third = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
            #expect(server.requestCount == 2)
            #expect(third.degraded == nil)
        }
    }

    @Test func retriesCountAgainstTheCallBudget() async throws {
        try await withFakeServer(defaultReply: .status(503, message: "busy")) { server in
            let clock = ManualClock(advancesOnSleep: true)
            let budget = AnalysisBudget(callsPerMinute: 2, tokensPerHour: nil, clock: clock)
            let result = await (try Harness.openAI(server, budget: budget, clock: clock)).analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 2)
            #expect(result.degraded?.reason == .budgetExhausted)
        }
    }

    @Test func theTokenBudgetStopsCallsThatWouldExceedIt() async throws {
        try await withFakeServer(defaultReply: .analysis(FakeLLMServer.passing, usage: .init(input: 3000, output: 500))) { server in
            let clock = ManualClock(advancesOnSleep: true)
            let budget = AnalysisBudget(callsPerMinute: nil, tokensPerHour: 8000, clock: clock)
            let analyzer = try Harness.openAI(server, budget: budget, clock: clock)
            _ = await analyzer.analyze(FactSets.request(FactSets.healthy))
            // The provider's usage report replaces the estimate.
            #expect(await budget.usage().tokensLastHour == 3500)
            _ = await analyzer.analyze(FactSets.request(FactSets.highErrorRate))
            #expect(await budget.usage().tokensLastHour == 7000)
            let refused = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
            #expect(server.requestCount == 2)
            #expect(refused.degraded?.reason == .budgetExhausted)
            #expect(refused.degraded?.message.contains("tokensPerHour") == true)
            clock.advance(by: .seconds(3600))
            _ = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
            #expect(server.requestCount == 3)
        }
    }

    @Test func aRequestLargerThanTheWholeTokenBudgetIsRefusedWithoutACall() async throws {
        try await withFakeServer { server in
            let budget = AnalysisBudget(callsPerMinute: nil, tokensPerHour: 500)
            let result = await (try Harness.openAI(server, budget: budget)).analyze(FactSets.request(FactSets.healthy))
            #expect(server.requestCount == 0)
            #expect(result.degraded?.reason == .budgetExhausted)
            #expect(result.degraded?.message.contains("more than the whole hourly budget") == true)
        }
    }

    @Test func anIncidentIsNotifiedOncePerTTL() async {
        let clock = ManualClock(advancesOnSleep: true)
        let gate = NotificationGate(ttl: .seconds(600), clock: clock)
        #expect(await gate.admit("shop/checkout#abc"))
        #expect(!(await gate.admit("shop/checkout#abc")))
        #expect(await gate.admit("shop/checkout#def"))
        clock.advance(by: .seconds(600))
        #expect(await gate.admit("shop/checkout#abc"))
    }

    @Test func theCacheKeepsItsCapacity() async {
        let clock = ManualClock(advancesOnSleep: true)
        let cache = AnalysisCache(capacity: 2, clock: clock)
        let result = BuiltinAnalyzer().evaluate(FactSets.request(FactSets.healthy))
        await cache.store(result, for: "a", ttl: .seconds(10))
        await cache.store(result, for: "b", ttl: .seconds(20))
        await cache.store(result, for: "c", ttl: .seconds(30))
        #expect(await cache.count == 2)
        #expect(await cache.result(for: "a") == nil)    // closest to expiry went first
        #expect(await cache.result(for: "c") != nil)
        clock.advance(by: .seconds(25))
        #expect(await cache.result(for: "b") == nil)
    }
}
