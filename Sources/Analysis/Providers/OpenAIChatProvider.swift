import Foundation
import KubeClient
import Synchronization

/// The Chat Completions API and the servers that speak it: OpenAI, Azure OpenAI, vLLM,
/// Ollama and LM Studio.
///
/// Answers are asked for with `response_format: {type: json_schema, strict: true}`. A
/// server that rejects that (older vLLM, some local runtimes) is asked again with
/// `{type: json_object}` and the schema spelled out in the instructions; the provider
/// remembers the downgrade for later calls. Either way the reply is validated against
/// the schema by the analyzer.
public final class OpenAIChatProvider: LLMProvider {
    /// Which server family, for the URL, the authentication header and small dialect differences.
    public enum Flavor: Sendable, Hashable {
        case openAI
        /// Azure OpenAI: `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`, `api-key` header.
        case azure(deployment: String, apiVersion: String)
        case vLLM
        case ollama
        case lmStudio

        public var providerName: String {
            switch self {
            case .openAI: "openai"
            case .azure: "azure-openai"
            case .vLLM: "vllm"
            case .ollama: "ollama"
            case .lmStudio: "lmstudio"
            }
        }

        /// Where the server listens by default.
        public var defaultBaseURL: String? {
            switch self {
            case .openAI: "https://api.openai.com/v1"
            case .azure: nil
            case .vLLM: "http://localhost:8000/v1"
            case .ollama: "http://localhost:11434/v1"
            case .lmStudio: "http://localhost:1234/v1"
            }
        }
    }

    /// The `response_format` asked for.
    public enum OutputMode: String, Sendable, Hashable {
        case jsonSchema = "json_schema"
        case jsonObject = "json_object"
    }

    public static let defaultAzureAPIVersion = "2024-10-21"

    public let flavor: Flavor
    public let baseURL: String
    public let model: String
    private let apiKey: String?
    private let temperature: Double?
    private let extraHeaders: HTTPHeaders
    private let mode: Mutex<OutputMode>

    public var name: String { flavor.providerName }

    /// The `response_format` the next request uses.
    public var outputMode: OutputMode { mode.withLock { $0 } }

    /// - Parameters:
    ///   - baseURL: up to and including `/v1` (`https://api.openai.com/v1`); for Azure the
    ///     resource endpoint (`https://my-resource.openai.azure.com`). Nil takes the
    ///     flavor's default.
    ///   - model: the model name; for Azure the deployment's model (sent for the record).
    ///   - apiKey: sent as `Authorization: Bearer` (Azure: `api-key`); optional for local servers.
    ///   - temperature: omitted when nil (reasoning models accept only their default).
    ///   - outputMode: start with `json_object` for servers known to lack `json_schema`.
    public init(flavor: Flavor, baseURL: String? = nil, model: String, apiKey: String? = nil,
                temperature: Double? = nil, extraHeaders: HTTPHeaders = [:], outputMode: OutputMode = .jsonSchema) throws(LLMProviderError) {
        guard let base = baseURL ?? flavor.defaultBaseURL, !base.isEmpty else {
            throw .misconfigured(message: "\(flavor.providerName) needs a base URL (analysis.baseURL), e.g. https://my-resource.openai.azure.com")
        }
        guard URL(string: base)?.scheme?.hasPrefix("http") == true else {
            throw .misconfigured(message: "base URL \(base.debugDescription) is not an http(s) URL")
        }
        if case .azure(let deployment, _) = flavor, deployment.isEmpty {
            throw .misconfigured(message: "azure-openai needs a deployment name (analysis.azure.deployment)")
        }
        if apiKey?.isEmpty ?? true {
            switch flavor {
            case .openAI, .azure:
                throw .misconfigured(message: "\(flavor.providerName) needs an API key: set analysis.apiKeySecret or the OPSAGENT_LLM_API_KEY environment variable")
            case .vLLM, .ollama, .lmStudio:
                break
            }
        }
        self.flavor = flavor
        self.baseURL = base
        self.model = model
        self.apiKey = apiKey?.isEmpty == true ? nil : apiKey
        self.temperature = temperature
        self.extraHeaders = extraHeaders
        self.mode = Mutex(outputMode)
    }

    /// The chat completions endpoint.
    public var endpoint: String {
        switch flavor {
        case .azure(let deployment, let apiVersion):
            let escaped = deployment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? deployment
            let version = apiVersion.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? apiVersion
            return joinURL(baseURL, "/openai/deployments/\(escaped)/chat/completions") + "?api-version=\(version)"
        default:
            return joinURL(baseURL, "/chat/completions")
        }
    }

    public func makeRequest(_ conversation: LLMConversation, timeout: Duration) throws(LLMProviderError) -> HTTPRequest {
        let mode = outputMode
        var system = conversation.system
        if mode == .jsonObject {
            // json_object only guarantees JSON; the shape must be in the instructions.
            system += "\n\nReply with one JSON object that matches this JSON Schema exactly:\n" + conversation.schema.serialized()
        }
        var messages: [JSONValue] = [["role": "system", "content": .string(system)]]
        messages += conversation.messages.map { ["role": .string($0.role.rawValue), "content": .string($0.text)] }
        var body: JSONValue = ["model": .string(model), "messages": .array(messages)]
        switch mode {
        case .jsonSchema:
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": .string(conversation.schemaName), "strict": true, "schema": conversation.schema],
            ]
        case .jsonObject:
            body["response_format"] = ["type": "json_object"]
        }
        switch flavor {
        case .openAI, .azure:
            body["max_completion_tokens"] = .int(Int64(conversation.maxOutputTokens))
        case .vLLM, .ollama, .lmStudio:
            // Local servers know the older name best.
            body["max_tokens"] = .int(Int64(conversation.maxOutputTokens))
        }
        if let temperature { body["temperature"] = .double(temperature) }
        var headers = extraHeaders
        if let apiKey {
            if case .azure = flavor { headers.set("api-key", apiKey) } else { headers.set("Authorization", "Bearer \(apiKey)") }
        }
        return jsonRequest(url: endpoint, headers: headers, body: body, timeout: timeout)
    }

    public func readReply(_ response: HTTPResponse) throws(LLMProviderError) -> LLMReply {
        guard let body = try? JSONValue(parsing: response.body) else {
            throw .malformedResponse(message: "the body is not JSON: \(response.bodyText.truncated(to: 120))")
        }
        guard let choice = body["choices"].arrayValue?.first else {
            throw .malformedResponse(message: "no choices in the response")
        }
        let message = choice["message"]
        if let refusal = message["refusal"].stringValue, !refusal.isEmpty {
            throw .refused(message: refusal.truncated(to: 300))
        }
        let finish = choice["finish_reason"].stringValue
        if finish == "content_filter" { throw .refused(message: "the provider's content filter stopped the answer") }
        guard let content = message["content"].stringValue else {
            throw .malformedResponse(message: "the first choice has no text content")
        }
        var usage: TokenUsage?
        if let input = body["usage"]["prompt_tokens"].intValue, let output = body["usage"]["completion_tokens"].intValue {
            usage = TokenUsage(input: input, output: output)
        }
        return LLMReply(text: content, usage: usage, truncated: finish == "length")
    }

    public func classifyFailure(_ response: HTTPResponse) -> LLMProviderError {
        let message = errorMessage(response)
        if (response.status == 400 || response.status == 422), outputMode == .jsonSchema, Self.mentionsStructuredOutput(response) {
            mode.withLock { $0 = .jsonObject }
            return .structuredOutputUnsupported(message: message)
        }
        return standardFailure(response, message: message)
    }

    /// Whether a 400/422 body complains about `response_format` / `json_schema`.
    static func mentionsStructuredOutput(_ response: HTTPResponse) -> Bool {
        if let body = try? JSONValue(parsing: response.body), body["error"]["param"].stringValue?.hasPrefix("response_format") == true {
            return true
        }
        let text = response.bodyText.lowercased()
        return text.contains("response_format") || text.contains("json_schema") || text.contains("structured output")
    }
}
