/// Decides how long an item waits before it is retried (client-go's `workqueue.RateLimiter`).
public protocol RateLimiter<Item>: Sendable {
    associatedtype Item: Hashable & Sendable

    /// Records one more retry of `item` and returns how long it should wait.
    func when(_ item: Item) -> Duration
    /// Stops tracking `item`: its next failure starts from the shortest delay again.
    func forget(_ item: Item)
    /// How many times `item` has been retried since it was last forgotten.
    func retries(_ item: Item) -> Int
}

extension RateLimiter {
    /// controller-runtime's default: per-item exponential backoff from 5 ms to 1000 s, combined
    /// with an overall token bucket of 10 qps and burst 100; the longer delay wins.
    public static func controllerDefault(clock: any OperatorClock = SystemClock()) -> MaxOfRateLimiter<Item> {
        MaxOfRateLimiter([
            ExponentialFailureRateLimiter<Item>(base: .milliseconds(5), maximum: .seconds(1000)),
            TokenBucketRateLimiter<Item>(queriesPerSecond: 10, burst: 100, clock: clock),
        ])
    }
}

/// The limiter that waits longest among several (client-go's `MaxOfRateLimiter`).
public struct MaxOfRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let limiters: [any RateLimiter<Item>]

    public init(_ limiters: [any RateLimiter<Item>]) {
        precondition(!limiters.isEmpty, "MaxOfRateLimiter needs at least one limiter")
        self.limiters = limiters
    }

    public func when(_ item: Item) -> Duration {
        limiters.map { $0.when(item) }.max() ?? .zero
    }

    public func forget(_ item: Item) {
        for limiter in limiters { limiter.forget(item) }
    }

    public func retries(_ item: Item) -> Int {
        limiters.map { $0.retries(item) }.max() ?? 0
    }
}
