import KubeClient

/// What is sent to a model: instructions, the turns so far, and the shape of the answer.
public struct LLMConversation: Sendable, Hashable {
    public var system: String
    public var messages: [LLMMessage]
    /// The JSON Schema the answer must match.
    public var schema: JSONValue
    public var schemaName: String
    /// The most tokens the model may generate.
    public var maxOutputTokens: Int

    public init(system: String, messages: [LLMMessage], schema: JSONValue, schemaName: String, maxOutputTokens: Int) {
        self.system = system
        self.messages = messages
        self.schema = schema
        self.schemaName = schemaName
        self.maxOutputTokens = maxOutputTokens
    }
}

public struct LLMMessage: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable { case user, assistant }
    public var role: Role
    public var text: String

    public init(_ role: Role, _ text: String) {
        self.role = role
        self.text = text
    }
}

/// What a model answered.
public struct LLMReply: Sendable, Hashable {
    /// The answer as text (for a tool call, its input serialized), echoed back in a repair request.
    public var text: String
    /// The answer as JSON when the API delivered it as such (a tool call's input).
    public var structured: JSONValue?
    public var usage: TokenUsage?
    /// The model stopped at the output token limit, so the answer is cut short.
    public var truncated: Bool

    public init(text: String, structured: JSONValue? = nil, usage: TokenUsage? = nil, truncated: Bool = false) {
        self.text = text
        self.structured = structured
        self.usage = usage
        self.truncated = truncated
    }
}

/// Tokens a call used, as the provider reports them.
public struct TokenUsage: Sendable, Hashable {
    public var input: Int
    public var output: Int
    public var total: Int { input + output }

    public init(input: Int, output: Int) {
        self.input = input
        self.output = output
    }
}
