import NIOConcurrencyHelpers
@testable import OperatorKit
import Testing

/// The cache behind token reviews, access reviews and Secret values: one load for many
/// callers, fresh answers reused, failures never kept.
@Suite struct ExpiringCacheTests {
    struct Failure: Error {}

    /// Counts loads, and holds each one until `release` is called.
    final class Loader: Sendable {
        let loads = NIOLockedValueBox(0)
        let gate = AsyncStream<Void>.makeStream()

        func load(_ answer: Int) async throws -> Int {
            loads.withLockedValue { $0 += 1 }
            var iterator = gate.stream.makeAsyncIterator()
            _ = await iterator.next()
            return answer
        }
    }

    @Test func callersMissingTheSameKeyAtOnceShareOneLoad() async throws {
        let cache = ExpiringCache<Int>(ttl: .seconds(60))
        let loader = Loader()
        let answers = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await cache.value(for: "token") { try await loader.load(7) } } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        while loader.loads.withLockedValue({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(50))  // the other 49 callers arrive while the load runs
        loader.gate.continuation.yield()
        #expect(try await answers.value == Array(repeating: 7, count: 50))
        #expect(loader.loads.withLockedValue { $0 } == 1)
        // Fresh: answered from the cache, no load.
        #expect(try await cache.value(for: "token") { Issue.record("loaded a fresh key"); return 0 } == 7)
        // Another key loads on its own.
        #expect(try await cache.value(for: "other") { 8 } == 8)
    }

    @Test func aFailedLoadIsNotKeptAndAnExpiredAnswerIsLoadedAgain() async throws {
        let cache = ExpiringCache<Int>(ttl: .milliseconds(100))
        await #expect(throws: Failure.self) { try await cache.value(for: "k") { throw Failure() } }
        #expect(try await cache.value(for: "k") { 1 } == 1, "the failure was not cached")
        #expect(try await cache.value(for: "k") { 2 } == 1, "the answer is reused while fresh")
        try await Task.sleep(for: .milliseconds(150))
        #expect(try await cache.value(for: "k") { 3 } == 3, "an expired answer is loaded again")
    }
}
