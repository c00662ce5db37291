import Foundation

/// Jittered exponential backoff, as client-go's reflector and kube-rs's watcher use between
/// failed list/watch attempts: the n-th consecutive failure waits
/// `min(initial · factor^n, maximum) · (1 + jitter · r)` with `r` uniform in `[0, 1)`, and the
/// count starts over once no failure happened for `resetAfter`.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// 0 for none; 1 adds up to 100 % of the un-jittered delay.
    public var jitter: Double
    /// A quiet period after which the next failure starts again from `initial`.
    public var resetAfter: Duration
    /// A uniform random number in `[0, 1)`; injectable so tests are deterministic.
    public var random: @Sendable () -> Double

    private var failures = 0
    private var lastFailure: ClockInstant?

    /// The reflector / watcher defaults: 800 ms doubling up to 30 s, jitter 1.0, reset after 2 min.
    public static var watchRestart: Backoff {
        Backoff(initial: .milliseconds(800), maximum: .seconds(30), factor: 2, jitter: 1, resetAfter: .seconds(120))
    }

    public init(
        initial: Duration, maximum: Duration, factor: Double = 2, jitter: Double = 0, resetAfter: Duration = .seconds(120),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.random = random
    }

    /// How many failures in a row the next delay accounts for.
    public var consecutiveFailures: Int { failures }

    /// Records a failure at `now` and returns how long to wait before trying again.
    public mutating func nextDelay(now: ClockInstant) -> Duration {
        if let lastFailure, lastFailure.duration(to: now) >= resetAfter { failures = 0 }
        lastFailure = now
        let exponent = Double(failures)
        failures += 1
        let base = min(initial.seconds * Foundation.pow(factor, exponent), maximum.seconds)
        let jittered = base * (1 + jitter * min(max(random(), 0), 1))
        return .seconds(fractional: jittered)
    }

    /// Forgets past failures: the next delay is `initial` again.
    public mutating func reset() {
        failures = 0
        lastFailure = nil
    }
}
