/// How often and how patiently a failed provider call is tried again.
///
/// Retried: 429, 408, 5xx (and Anthropic's 529), and connection failures. A `Retry-After`
/// (or `retry-after-ms`) from the server is honoured as given; otherwise the wait grows
/// exponentially with ±20% jitter. A wait that would end past the analysis deadline is
/// not taken: the analysis falls back at once instead.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxRetries: Int = 2, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(10)) {
        self.maxRetries = max(0, maxRetries)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The wait before retry number `retry` (0-based) when the server named none.
    public func backoff(forRetry retry: Int, jitter: Double = Double.random(in: 0.8...1.2)) -> Duration {
        let exponent = min(retry, 20)
        let base = initialBackoff * (1 << exponent)
        let capped = min(base, maxBackoff)
        return capped * jitter
    }
}

/// The operating limits of an ``LLMAnalyzer``.
public struct LLMAnalyzerSettings: Sendable, Hashable {
    /// The most one analysis may take, retries included; then it falls back.
    public var timeout: Duration
    public var retry: RetryPolicy
    /// How long a provider's answer is reused for the same input.
    public var cacheTTL: Duration
    /// How long a fallback caused by a provider failure is reused, so a reconcile loop does
    /// not hammer a failing provider. Zero disables it.
    public var failureCacheTTL: Duration
    /// The most tokens a model may write per call.
    public var maxOutputTokens: Int
    /// Keep the model from passing what the built-in rules fail or cannot judge.
    public var guardrails: Bool

    public init(timeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy(), cacheTTL: Duration = .seconds(600),
                failureCacheTTL: Duration = .seconds(60), maxOutputTokens: Int = 1024, guardrails: Bool = true) {
        self.timeout = timeout
        self.retry = retry
        self.cacheTTL = cacheTTL
        self.failureCacheTTL = failureCacheTTL
        self.maxOutputTokens = maxOutputTokens
        self.guardrails = guardrails
    }
}
