import Foundation

/// Every failure the Kubernetes client reports.
///
/// `description` says what went wrong and what to do about it.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with a `Status` object (HTTP code alongside).
    case status(Status, httpCode: Int)
    /// The server answered with an error that is not a `Status` (a proxy, a load balancer…):
    /// the HTTP code, the start of the body, and the `Retry-After` header in seconds if sent.
    case http(code: Int, body: String, retryAfterSeconds: Int? = nil)
    /// The request never got an HTTP answer: libcurl's error code and message, and the URL.
    case transport(code: Int, message: String, url: String)
    /// The request was cancelled (task cancellation or shutdown).
    case cancelled
    /// A response or object could not be read as the expected type.
    case decoding(String)
    /// The client is not configured correctly (kubeconfig, credentials, exec plugin…).
    case configuration(String)

    /// How much of a non-Status body an error keeps.
    public static let bodySnippetLimit = 512

    // MARK: building from responses

    /// The error for an HTTP response with a failure code: a `Status` when the body is one,
    /// otherwise ``http(code:body:retryAfterSeconds:)``. A `Retry-After` header (seconds or
    /// an HTTP date) fills `details.retryAfterSeconds` when the Status has none.
    public static func fromResponse(code: Int, body: some Collection<UInt8>, retryAfterHeader: String? = nil) -> KubeError {
        let headerSeconds = retryAfterHeader.flatMap(parseRetryAfter)
        if var status = Status(body: body) {
            if let headerSeconds, (status.details?.retryAfterSeconds ?? 0) <= 0 {
                var details = status.details ?? StatusDetails()
                details.retryAfterSeconds = headerSeconds
                status.details = details
            }
            return .status(status, httpCode: code)
        }
        var text = String(decoding: body.prefix(bodySnippetLimit), as: UTF8.self)
        if body.count > bodySnippetLimit { text += "…" }
        return .http(code: code, body: text.trimmingCharacters(in: .whitespacesAndNewlines), retryAfterSeconds: headerSeconds)
    }

    /// Seconds from a `Retry-After` header: delta-seconds, or an HTTP date (then the seconds
    /// from now, at least 0).
    public static func parseRetryAfter(_ header: String) -> Int? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: trimmed) {
            return max(0, Int(date.timeIntervalSinceNow.rounded(.up)))
        }
        return nil
    }

    // MARK: classification

    /// The Status, when the server sent one.
    public var status: Status? {
        if case .status(let status, _) = self { return status }
        return nil
    }

    /// The HTTP code of a server answer; nil for transport, cancellation, decoding and
    /// configuration errors.
    public var httpCode: Int? {
        switch self {
        case .status(let status, let code): return code != 0 ? code : status.code
        case .http(let code, _, _): return code
        default: return nil
        }
    }

    /// The reason: the Status's when it is a known one, else the one the HTTP code stands for
    /// (as client-go's `IsNotFound` & co. do).
    public var reason: StatusReason {
        switch self {
        case .status(let status, let code):
            if let reason = status.reason, StatusReason.known.contains(reason) { return reason }
            return StatusReason.forHTTPCode(code != 0 ? code : (status.code ?? 0))
        case .http(let code, _, _):
            return StatusReason.forHTTPCode(code)
        default:
            return .unknown
        }
    }

    public var isNotFound: Bool { reason == .notFound }
    public var isAlreadyExists: Bool { reason == .alreadyExists }
    public var isConflict: Bool { reason == .conflict }
    public var isInvalid: Bool { reason == .invalid }
    /// Gone or Expired: the resourceVersion is too old; list again.
    public var isGone: Bool { reason == .gone || reason == .expired }
    public var isForbidden: Bool { reason == .forbidden }
    public var isUnauthorized: Bool { reason == .unauthorized }
    public var isTooManyRequests: Bool { reason == .tooManyRequests || httpCode == 429 }
    public var isBadRequest: Bool { reason == .badRequest }
    public var isTimeout: Bool { reason == .timeout || reason == .serverTimeout }
    public var isCancelled: Bool { if case .cancelled = self { return true } else { return false } }

    /// Whether the same request may succeed if sent again after a pause: throttling, server
    /// timeouts, 5xx, and network failures that are not configuration problems.
    public var isRetryable: Bool {
        switch self {
        case .status, .http:
            switch reason {
            case .tooManyRequests, .serverTimeout, .timeout, .serviceUnavailable, .internalError, .storeReadError:
                return true
            default:
                if let code = httpCode, code == 429 || code >= 500 { return true }
                return false
            }
        case .transport(let code, _, _):
            return KubeError.retryableCurlCodes.contains(code)
        case .cancelled, .decoding, .configuration:
            return false
        }
    }

    /// How long the server asked to wait: `details.retryAfterSeconds` (or a `Retry-After`
    /// header folded into it), nil when it gave no hint.
    public var retryAfter: Duration? {
        switch self {
        case .status(let status, _):
            if let seconds = status.details?.retryAfterSeconds, seconds > 0 { return .seconds(seconds) }
            return nil
        case .http(_, _, let seconds):
            if let seconds, seconds > 0 { return .seconds(seconds) }
            return nil
        default:
            return nil
        }
    }

    /// The causes of an `Invalid` answer: which fields were rejected and why.
    public var causes: [StatusCause] { status?.causes ?? [] }

    /// libcurl codes worth retrying: resolve/connect failures, timeouts, dropped connections,
    /// TLS handshakes cut short, HTTP/2 stream errors.
    static let retryableCurlCodes: Set<Int> = [5, 6, 7, 16, 18, 28, 35, 52, 55, 56, 92]

    // MARK: description

    public var description: String {
        switch self {
        case .status(let status, let code):
            let message = status.message.map { $0.isEmpty ? "" : $0 } ?? ""
            let head = message.isEmpty ? "the API server answered \(code)" : message
            let reasonText = status.reason.map { $0.rawValue.isEmpty ? "" : " \($0.rawValue)" } ?? ""
            var text = "\(head) (HTTP \(code)\(reasonText))"
            if reason == .invalid, !status.causes.isEmpty, !message.contains(":") {
                let list = status.causes.map { cause in
                    [cause.field, cause.message].compactMap { $0 }.joined(separator: ": ")
                }
                text += " [" + list.joined(separator: "; ") + "]"
            }
            return text + ": " + advice
        case .http(let code, let body, _):
            let snippet = body.isEmpty ? "with an empty body" : "with: \(body)"
            return "the server answered HTTP \(code) \(snippet): " + advice
        case .transport(let code, let message, let url):
            return "request to \(url) failed (libcurl error \(code): \(message)): " + advice
        case .cancelled:
            return "the request was cancelled before it finished; nothing to do unless the cancellation was unexpected"
        case .decoding(let message):
            return "\(message); the object does not have the shape this program expects (check its apiVersion and the field named)"
        case .configuration(let message):
            return message
        }
    }

    /// What to do next.
    var advice: String {
        if case .transport(let code, _, _) = self { return KubeError.transportAdvice(code) }
        switch reason {
        case .notFound:
            return "the object (or its namespace, or the resource type) does not exist; create it first, or treat it as already deleted"
        case .alreadyExists:
            return "an object with this name already exists; read and update it instead, or choose another name"
        case .conflict:
            if !causes.isEmpty, causes.contains(where: { $0.reason == "FieldManagerConflict" }) {
                return "another field manager owns these fields; apply with force to take them over, or drop them from your configuration"
            }
            return "the object was modified since you read it; re-read it and apply your change again"
        case .invalid:
            return "the server rejected the object's content; fix the fields named and send it again"
        case .gone, .expired:
            return "the resourceVersion is too old for the server to serve; list again to get a fresh resourceVersion, then watch from it"
        case .forbidden:
            return "the credentials in use are not allowed to do this; grant the permission with a Role/ClusterRole and binding, or use another identity"
        case .unauthorized:
            return "the server did not accept the credentials; check the token, client certificate or exec plugin, which may have expired"
        case .tooManyRequests:
            if let retryAfter { return "the server is throttling requests; wait \(retryAfter.components.seconds) s and retry" }
            return "the server is throttling requests; slow down and retry with backoff"
        case .serverTimeout, .timeout:
            return "the server did not finish in time; retry, the operation may still complete"
        case .badRequest:
            return "the server could not understand the request; check the parameters (selectors, patch body, query)"
        case .methodNotAllowed:
            return "this resource does not support that operation"
        case .notAcceptable:
            return "the server cannot answer in the requested content type; ask for application/json"
        case .unsupportedMediaType:
            return "the server does not accept this content type here (strategic merge patch works only on built-in kinds); use a JSON merge patch or JSON patch"
        case .requestEntityTooLarge:
            return "the request body is too large; send a smaller object"
        case .serviceUnavailable:
            return "the server is temporarily unavailable; retry with backoff"
        case .internalError, .storeReadError:
            return "the server failed internally; retry with backoff, and check the API server's logs if it persists"
        default:
            if let code = httpCode, code >= 500 { return "the server failed; retry with backoff" }
            return "check the request and the server's answer"
        }
    }

    static func transportAdvice(_ code: Int) -> String {
        switch code {
        case 6: return "the host name could not be resolved; check the server address in the kubeconfig and DNS"
        case 7: return "nothing accepted the connection; check that the API server is running and the address and port are right"
        case 28: return "the request timed out; the server may be overloaded or unreachable, retry with backoff"
        case 35: return "the TLS handshake failed; check the server address and TLS settings, or retry"
        case 51, 60: return "the server's certificate could not be verified; check certificate-authority(-data) and tls-server-name in the kubeconfig"
        case 58: return "the client certificate or key could not be used; check client-certificate(-data) and client-key(-data)"
        case 77: return "the CA certificate could not be read; check certificate-authority(-data)"
        case 1, 3: return "the URL is malformed; check the server address in the kubeconfig"
        case 5: return "the proxy host could not be resolved; check proxy-url or HTTPS_PROXY"
        case 52, 55, 56, 92: return "the connection broke; retry with backoff"
        default: return "a network error occurred; check connectivity to the API server and retry"
        }
    }
}
