import NIOConcurrencyHelpers
import Testing

@testable import OperatorKit

@Suite("Work queue")
struct WorkQueueTests {
    func makeQueue(clock: ManualClock = ManualClock()) -> WorkQueue<String> {
        WorkQueue(name: "test", rateLimiter: MaxOfRateLimiter<String>.controllerDefault(clock: clock), clock: clock)
    }

    @Test("a key added many times while waiting is handed out once")
    func deduplicates() async {
        let queue = makeQueue()
        for _ in 0..<1000 { queue.add("default/web") }
        queue.add("default/api")
        #expect(queue.depth == 2)
        #expect(await queue.next() == "default/web")
        #expect(await queue.next() == "default/api")
        #expect(queue.depth == 0)
    }

    @Test("a key added while it is processed comes back only after done, never twice at once")
    func requeuesAfterDone() async {
        let queue = makeQueue()
        queue.add("a")
        let key = await queue.next()
        #expect(key == "a")
        queue.add("a")
        queue.add("a")
        #expect(queue.depth == 0, "a key being processed must not be handed to a second worker")
        queue.done("a")
        #expect(queue.depth == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.depth == 0 && queue.inFlightCount == 0)
    }

    @Test("1,000 racing enqueues over 8 workers: every key processed, none ever concurrently")
    func racingEnqueues() async throws {
        let queue = WorkQueue<String>(name: "race", rateLimiter: MaxOfRateLimiter<String>.controllerDefault())
        let keys = (0..<20).map { "ns/object-\($0)" }
        struct Tally {
            var active: [String: Int] = [:]
            var overlaps = 0
            var processed: [String: Int] = [:]
            var lastAddAfterStart: [String: Bool] = [:]
        }
        let tally = NIOLockedValueBox(Tally())

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let key = await queue.next() {
                        tally.withLockedValue { tally in
                            tally.active[key, default: 0] += 1
                            if tally.active[key]! > 1 { tally.overlaps += 1 }
                        }
                        await Task.yield()
                        await Task.yield()
                        tally.withLockedValue { tally in
                            tally.active[key]! -= 1
                            tally.processed[key, default: 0] += 1
                        }
                        queue.done(key)
                    }
                }
            }
            await withTaskGroup(of: Void.self) { adders in
                for i in 0..<1000 {
                    adders.addTask { queue.add(keys[i % keys.count]) }
                }
            }
            // Generous: with the whole suite running in parallel on two cores, these 1,008 tasks
            // share the cooperative pool with hundreds of others.
            try await eventually("the queue drains", timeout: .seconds(60)) { queue.depth == 0 && queue.inFlightCount == 0 }
            queue.shutDown()
            try await group.waitForAll()
        }

        let result = tally.withLockedValue { $0 }
        #expect(result.overlaps == 0, "a key was processed by two workers at once")
        #expect(Set(result.processed.keys) == Set(keys), "every enqueued key is processed")
        let total = result.processed.values.reduce(0, +)
        #expect(total <= 1000, "deduplication never processes more often than added")
        #expect(total >= keys.count)
    }

    @Test("rate-limited retries wait 5 ms, 10 ms, 20 ms… on the clock and forget starts over")
    func perItemBackoffOnTheClock() async throws {
        let clock = ManualClock()
        let queue = makeQueue(clock: clock)
        for expected in [5, 10, 20, 40] {
            let start = clock.now
            queue.addRateLimited("web")
            #expect(queue.depth == 0)
            try await clock.waitForSleepers()
            #expect(clock.nextDeadline == start + .milliseconds(expected))
            clock.advance(by: .milliseconds(expected - 1))
            #expect(queue.depth == 0, "ready before its backoff of \(expected) ms")
            clock.advance(by: .milliseconds(1))
            try await eventually { queue.depth == 1 }
            #expect(await queue.next() == "web")
            queue.done("web")
        }
        #expect(queue.retries("web") == 4)
        queue.forget("web")
        #expect(queue.retries("web") == 0)
        let start = clock.now
        queue.addRateLimited("web")
        try await clock.waitForSleepers()
        #expect(clock.nextDeadline == start + .milliseconds(5))
    }

    @Test("delayed keys become ready at their time; the earlier of two delays wins")
    func requeueAfter() async throws {
        let clock = ManualClock()
        let queue = makeQueue(clock: clock)
        queue.add("late", after: .seconds(30))
        queue.add("late", after: .seconds(60))
        queue.add("soon", after: .seconds(10))
        queue.add("soon", after: .seconds(5))
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(5))
        try await eventually { queue.depth == 1 }
        #expect(await queue.next() == "soon")
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(24))
        #expect(queue.depth == 0)
        clock.advance(by: .seconds(1))
        try await eventually { queue.depth == 1 }
        #expect(await queue.next() == "late")
        #expect(queue.delayedCount == 0)
    }

    @Test("shutdown wakes idle workers, ignores new keys and lets in-flight work finish")
    func shutdown() async throws {
        let queue = makeQueue()
        queue.add("busy")
        #expect(await queue.next() == "busy")
        let idleWorker = Task { await queue.next() }
        queue.add("waiting", after: .seconds(1))
        queue.shutDown()
        #expect(await idleWorker.value == nil)
        queue.add("ignored")
        #expect(queue.depth == 0 && queue.delayedCount == 0)
        #expect(queue.inFlightCount == 1)
        let drained = Task { await queue.waitForInFlight() }
        queue.done("busy")
        await drained.value
        #expect(queue.inFlightCount == 0)
        #expect(await queue.next() == nil)
    }

    @Test("a cancelled worker stops waiting")
    func cancelledWorker() async {
        let queue = makeQueue()
        let worker = Task { await queue.next() }
        worker.cancel()
        #expect(await worker.value == nil)
        queue.add("a")
        #expect(queue.depth == 1, "the cancelled worker must not have taken the key")
    }
}

@Suite("Rate limiters")
struct RateLimiterTests {
    @Test("per-item backoff doubles from 5 ms and stops at 1000 s")
    func exponential() {
        let limiter = ExponentialFailureRateLimiter<String>(base: .milliseconds(5), maximum: .seconds(1000))
        let delays = (0..<20).map { _ in limiter.when("a") }
        #expect(delays[0] == .milliseconds(5))
        #expect(delays[1] == .milliseconds(10))
        #expect(delays[10] == .milliseconds(5 * 1024))
        #expect(delays[17] == .milliseconds(5 * 131_072))
        #expect(delays[18] == .seconds(1000))
        #expect(delays[19] == .seconds(1000))
        #expect(limiter.when("b") == .milliseconds(5), "items back off independently")
        limiter.forget("a")
        #expect(limiter.when("a") == .milliseconds(5))
        for _ in 0..<200 { _ = limiter.when("overflow") }
        #expect(limiter.when("overflow") == .seconds(1000))
    }

    @Test("the overall bucket lets 100 through, then 10 per second")
    func tokenBucket() {
        let clock = ManualClock()
        let bucket = TokenBucketRateLimiter<String>(queriesPerSecond: 10, burst: 100, clock: clock)
        for i in 0..<100 { #expect(bucket.when("item-\(i)") == .zero) }
        #expect(bucket.when("x") == .milliseconds(100))
        #expect(bucket.when("y") == .milliseconds(200))
        clock.advance(by: .seconds(1))
        // 10 tokens refilled pay back the debt of 2, leaving 8.
        for _ in 0..<8 { #expect(bucket.when("z") == .zero) }
        #expect(bucket.when("z") == .milliseconds(100))
    }

    @Test("the controller default waits for the longer of backoff and bucket")
    func controllerDefault() {
        let clock = ManualClock()
        let limiter = MaxOfRateLimiter<String>.controllerDefault(clock: clock)
        #expect(limiter.when("a") == .milliseconds(5))
        for i in 0..<99 { _ = limiter.when("other-\(i)") }
        // The bucket is empty now: 100 ms beats the 10 ms backoff of a's second failure.
        #expect(limiter.when("a") == .milliseconds(100))
        #expect(limiter.retries("a") == 2)
        limiter.forget("a")
        #expect(limiter.retries("a") == 0)
    }
}
