import NIOConcurrencyHelpers

/// Per-item exponential backoff: the n-th retry of an item waits `base · 2^(n-1)`, at most
/// `maximum` (client-go's `ItemExponentialFailureRateLimiter`).
public final class ExponentialFailureRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let base: Duration
    public let maximum: Duration
    private let failures = NIOLockedValueBox<[Item: Int]>([:])

    public init(base: Duration, maximum: Duration) {
        precondition(base > .zero && maximum >= base, "the backoff needs 0 < base <= maximum")
        self.base = base
        self.maximum = maximum
    }

    public func when(_ item: Item) -> Duration {
        let exponent = failures.withLockedValue { failures -> Int in
            let count = failures[item, default: 0]
            failures[item] = count + 1
            return count
        }
        // 2^exponent overflows long before the cap matters: compare in floating point first.
        let delay = base.seconds * Double.pow2(exponent)
        if delay >= maximum.seconds { return maximum }
        return base * (1 << exponent)
    }

    public func forget(_ item: Item) {
        _ = failures.withLockedValue { $0.removeValue(forKey: item) }
    }

    public func retries(_ item: Item) -> Int {
        failures.withLockedValue { $0[item, default: 0] }
    }
}

extension Double {
    /// 2 to the power of `exponent`, +infinity when out of range.
    static func pow2(_ exponent: Int) -> Double {
        exponent > 1023 ? .infinity : Double(sign: .plus, exponent: exponent, significand: 1)
    }
}
