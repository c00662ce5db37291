import Foundation
import KubeClient

/// One LLM API: how to ask it and how to read its answers.
///
/// Providers only build requests and read responses; ``LLMAnalyzer`` sends them through
/// an `HTTPTransport` (libcurl in production), with the timeout, retries, budget and
/// cache around every call.
public protocol LLMProvider: Sendable {
    /// `openai`, `azure-openai`, `vllm`, `ollama`, `lmstudio`, `anthropic`.
    var name: String { get }
    var model: String { get }
    /// The HTTP request that asks `conversation`; `timeout` bounds the whole exchange.
    func makeRequest(_ conversation: LLMConversation, timeout: Duration) throws(LLMProviderError) -> HTTPRequest
    /// The answer in a 2xx response.
    func readReply(_ response: HTTPResponse) throws(LLMProviderError) -> LLMReply
    /// The failure a non-2xx response stands for.
    func classifyFailure(_ response: HTTPResponse) -> LLMProviderError
}

extension LLMProvider {
    /// The common HTTP classification: 429, 408/5xx/529, 401/403, other 4xx.
    func standardFailure(_ response: HTTPResponse, message: String) -> LLMProviderError {
        let after = retryAfter(response.headers)
        switch response.status {
        case 429: return .rateLimited(retryAfter: after, message: message)
        case 408, 409, 500...599: return .unavailable(status: response.status, retryAfter: after, message: message)
        case 401, 403: return .authentication(status: response.status, message: message)
        default: return .rejected(status: response.status, message: message)
        }
    }

    /// `retry-after-ms` (OpenAI), else `Retry-After` in seconds or as an HTTP date.
    func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        if let ms = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return .milliseconds(Int64(ms))
        }
        if let header = headers["retry-after"], let seconds = KubeError.parseRetryAfter(header) {
            return .seconds(seconds)
        }
        return nil
    }

    /// The `error.message` of a JSON error body (both APIs use it), else the body's start.
    func errorMessage(_ response: HTTPResponse) -> String {
        if let body = try? JSONValue(parsing: response.body), let message = body["error"]["message"].stringValue {
            return message.truncated(to: 300)
        }
        let text = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no body" : text.truncated(to: 300)
    }

    /// A JSON request with the given headers.
    func jsonRequest(url: String, headers: HTTPHeaders, body: JSONValue, timeout: Duration) -> HTTPRequest {
        var all = headers
        all.set("Content-Type", "application/json")
        all.set("Accept", "application/json")
        return HTTPRequest(method: "POST", url: url, headers: all, body: body.serializedBytes(),
                           connectTimeout: min(timeout, .seconds(10)), timeout: timeout)
    }
}

/// A base URL joined with a path, with no doubled or missing slash.
func joinURL(_ base: String, _ path: String) -> String {
    var base = base
    while base.hasSuffix("/") { base.removeLast() }
    return base + (path.hasPrefix("/") ? path : "/" + path)
}
