/// Why an analysis fell back to the built-in analyzer.
///
/// Callers write it as a condition: `type: AnalysisDegraded, status: "True",
/// reason: degraded.reason.rawValue, message: degraded.message`.
public struct DegradedReason: Sendable, Hashable, Codable {
    public var reason: Reason
    /// What happened and what to do about it, at most ``maxMessageLength`` characters.
    public var message: String

    public static let maxMessageLength = 300

    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message.truncated(to: Self.maxMessageLength)
    }

    /// A condition reason: CamelCase, as Kubernetes conventions want.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// The calls-per-minute or tokens-per-hour budget is used up.
        case budgetExhausted = "BudgetExhausted"
        /// The provider did not answer within the analysis timeout.
        case timeout = "Timeout"
        /// The provider kept answering 429 after the retries.
        case rateLimited = "RateLimited"
        /// The provider kept failing (5xx, connection errors) after the retries.
        case providerUnavailable = "ProviderUnavailable"
        /// The provider refused the credentials (401/403).
        case authenticationFailed = "AuthenticationFailed"
        /// The provider rejected the request (another 4xx): model name, deployment, URL.
        case requestRejected = "RequestRejected"
        /// The reply did not match the result schema, even after one repair request.
        case invalidReply = "InvalidReply"
        /// The analysis was cancelled before the provider answered.
        case cancelled = "Cancelled"
        /// The provider is configured wrongly (no API key, bad URL).
        case misconfigured = "Misconfigured"
    }
}
