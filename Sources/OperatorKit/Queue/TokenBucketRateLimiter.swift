import NIOConcurrencyHelpers

/// An overall token bucket shared by all items (client-go's `BucketRateLimiter`, backed by
/// `rate.Limiter`): `burst` retries go through at once, then `queriesPerSecond` per second.
///
/// Every call reserves a token, even one that is not available yet: the bucket goes into debt
/// and the delay grows with it, so a storm of failures is spread out instead of retried at
/// once.
public final class TokenBucketRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let queriesPerSecond: Double
    public let burst: Int
    private let clock: any OperatorClock

    private struct Bucket {
        var tokens: Double
        var updated: ClockInstant
    }

    private let bucket: NIOLockedValueBox<Bucket>

    public init(queriesPerSecond: Double, burst: Int, clock: any OperatorClock = SystemClock()) {
        precondition(queriesPerSecond > 0 && burst > 0, "a token bucket needs a positive rate and burst")
        self.queriesPerSecond = queriesPerSecond
        self.burst = burst
        self.clock = clock
        bucket = NIOLockedValueBox(Bucket(tokens: Double(burst), updated: clock.now))
    }

    public func when(_ item: Item) -> Duration {
        let now = clock.now
        let tokensAfter = bucket.withLockedValue { bucket -> Double in
            let refill = bucket.updated.duration(to: now).seconds * queriesPerSecond
            if refill > 0 {
                bucket.tokens = min(Double(burst), bucket.tokens + refill)
                bucket.updated = now
            }
            bucket.tokens -= 1
            return bucket.tokens
        }
        guard tokensAfter < 0 else { return .zero }
        return .seconds(fractional: -tokensAfter / queriesPerSecond)
    }

    /// The bucket tracks no item.
    public func forget(_ item: Item) {}

    /// The bucket tracks no item.
    public func retries(_ item: Item) -> Int { 0 }
}
