/// How a call to an LLM provider failed, classified for retrying and for the
/// `AnalysisDegraded` reason.
public enum LLMProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 429: slow down; retry after the given time when the server said.
    case rateLimited(retryAfter: Duration?, message: String)
    /// 5xx, 529 (overloaded), 408: the provider is having trouble; retryable.
    case unavailable(status: Int, retryAfter: Duration?, message: String)
    /// 401/403: the API key is missing, wrong or not allowed this model.
    case authentication(status: Int, message: String)
    /// Another 4xx: the request is wrong for this provider (model, deployment, URL).
    case rejected(status: Int, message: String)
    /// The server does not support `json_schema` structured output; resend as `json_object`.
    case structuredOutputUnsupported(message: String)
    /// No HTTP answer (connection refused, DNS, TLS); retryable.
    case transport(message: String)
    /// No answer within the time allowed.
    case timedOut
    case cancelled
    /// A 2xx answer that is not the API's response shape.
    case malformedResponse(message: String)
    /// The model declined to answer (a refusal, a content filter).
    case refused(message: String)
    /// The provider cannot be called as configured.
    case misconfigured(message: String)

    /// Whether trying the same call again may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .unavailable, .transport: true
        default: false
        }
    }

    /// The wait the server asked for, if any.
    public var retryAfter: Duration? {
        switch self {
        case .rateLimited(let after, _), .unavailable(_, let after, _): after
        default: nil
        }
    }

    /// The `AnalysisDegraded` reason this failure leads to.
    public var degradedReason: DegradedReason.Reason {
        switch self {
        case .rateLimited: .rateLimited
        case .unavailable, .transport, .malformedResponse: .providerUnavailable
        case .authentication: .authenticationFailed
        case .rejected, .structuredOutputUnsupported: .requestRejected
        case .timedOut: .timeout
        case .cancelled: .cancelled
        case .refused: .invalidReply
        case .misconfigured: .misconfigured
        }
    }

    public var description: String {
        switch self {
        case .rateLimited(let after, let message):
            "the provider rate-limited the call (429\(after.map { ", retry after \($0)" } ?? "")): \(message)"
        case .unavailable(let status, _, let message):
            "the provider failed with HTTP \(status): \(message)"
        case .authentication(let status, let message):
            "the provider refused the credentials (HTTP \(status)): \(message); check the API key Secret"
        case .rejected(let status, let message):
            "the provider rejected the request (HTTP \(status)): \(message); check the model or deployment name and the base URL"
        case .structuredOutputUnsupported(let message):
            "the provider does not support json_schema output: \(message)"
        case .transport(let message):
            "the provider could not be reached: \(message)"
        case .timedOut:
            "the provider did not answer in time"
        case .cancelled:
            "the analysis was cancelled"
        case .malformedResponse(let message):
            "the provider's response is not in the API's format: \(message)"
        case .refused(let message):
            "the model declined to answer: \(message)"
        case .misconfigured(let message):
            "the provider is misconfigured: \(message)"
        }
    }
}
