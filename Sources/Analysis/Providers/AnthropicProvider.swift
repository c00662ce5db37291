import Foundation
import KubeClient

/// The Anthropic Messages API, answering through a forced tool call whose `input_schema`
/// is the result schema, so the answer arrives as a JSON object.
public struct AnthropicProvider: LLMProvider {
    public static let defaultBaseURL = "https://api.anthropic.com"
    public static let apiVersion = "2023-06-01"

    public let baseURL: String
    public let model: String
    private let apiKey: String
    private let temperature: Double?

    public var name: String { "anthropic" }

    /// - Parameter baseURL: the API root, without `/v1` (`https://api.anthropic.com`).
    public init(baseURL: String? = nil, model: String, apiKey: String?, temperature: Double? = nil) throws(LLMProviderError) {
        let base = baseURL ?? Self.defaultBaseURL
        guard URL(string: base)?.scheme?.hasPrefix("http") == true else {
            throw .misconfigured(message: "base URL \(base.debugDescription) is not an http(s) URL")
        }
        guard let apiKey, !apiKey.isEmpty else {
            throw .misconfigured(message: "anthropic needs an API key: set analysis.apiKeySecret or the OPSAGENT_LLM_API_KEY environment variable")
        }
        self.baseURL = base
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
    }

    public var endpoint: String { joinURL(baseURL, "/v1/messages") }

    public func makeRequest(_ conversation: LLMConversation, timeout: Duration) throws(LLMProviderError) -> HTTPRequest {
        let messages: [JSONValue] = conversation.messages.map {
            ["role": .string($0.role.rawValue), "content": [["type": "text", "text": .string($0.text)]]]
        }
        var body: JSONValue = [
            "model": .string(model),
            "max_tokens": .int(Int64(conversation.maxOutputTokens)),
            "system": .string(conversation.system),
            "messages": .array(messages),
            "tools": [[
                "name": .string(conversation.schemaName),
                "description": "Record the analysis: the verdict, its confidence, a summary, the findings with their evidence, and recommendations.",
                "input_schema": conversation.schema,
            ]],
            "tool_choice": ["type": "tool", "name": .string(conversation.schemaName)],
        ]
        if let temperature { body["temperature"] = .double(temperature) }
        let headers: HTTPHeaders = ["x-api-key": apiKey, "anthropic-version": Self.apiVersion]
        return jsonRequest(url: endpoint, headers: headers, body: body, timeout: timeout)
    }

    public func readReply(_ response: HTTPResponse) throws(LLMProviderError) -> LLMReply {
        guard let body = try? JSONValue(parsing: response.body) else {
            throw .malformedResponse(message: "the body is not JSON: \(response.bodyText.truncated(to: 120))")
        }
        guard let content = body["content"].arrayValue else {
            throw .malformedResponse(message: "no content in the response")
        }
        var usage: TokenUsage?
        if let input = body["usage"]["input_tokens"].intValue, let output = body["usage"]["output_tokens"].intValue {
            usage = TokenUsage(input: input, output: output)
        }
        let truncated = body["stop_reason"].stringValue == "max_tokens"
        if body["stop_reason"].stringValue == "refusal" {
            throw .refused(message: "the model declined to answer")
        }
        if let call = content.first(where: { $0["type"].stringValue == "tool_use" }) {
            let input = call["input"]
            return LLMReply(text: input.serialized(), structured: input.objectValue != nil ? input : nil, usage: usage, truncated: truncated)
        }
        // No tool call: take the text, which may still hold the JSON.
        let text = content.compactMap { $0["type"].stringValue == "text" ? $0["text"].stringValue : nil }.joined(separator: "\n")
        return LLMReply(text: text, usage: usage, truncated: truncated)
    }

    public func classifyFailure(_ response: HTTPResponse) -> LLMProviderError {
        standardFailure(response, message: errorMessage(response))
    }
}
