import Foundation

/// Retries of throttled and transient failures: exponential backoff with full jitter, as
/// the AWS and Google SDKs do, capped in attempts and in delay.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `attempt` (1 for the first retry): a random time up to
    /// `baseDelay · 2^(attempt-1)`, at most `maxDelay`; a server's Retry-After wins when longer.
    public func delay(beforeRetry attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        let jittered = ceiling * Double.random(in: 0.5...1)
        if let retryAfter, retryAfter > jittered { return min(retryAfter, maxDelay) }
        return jittered
    }

    /// Reads a `Retry-After` header given in seconds.
    public static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }
}
