import Foundation
import KubeClient
import Analysis

/// The public request documents the fake servers hold requests to.
public enum APIRequestSchemas {
    /// `CreateChatCompletionRequest` from the public OpenAI OpenAPI document (a copy of
    /// shared/api-schemas/openai-chat-completions.json, kept beside the tests).
    public static let openAIChatRequest: JSONSchema = JSONSchema(document: openAIDocument, definition: "CreateChatCompletionRequest")
    public static let openAIChatResponse: JSONSchema = JSONSchema(document: openAIDocument, definition: "CreateChatCompletionResponse")

    public static let openAIDocument: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("openai-chat-completions.json")
        do {
            return try JSONValue(parsing: Array(try Data(contentsOf: url)))
        } catch {
            fatalError("cannot read the OpenAI request schema at \(url.path): \(error)")
        }
    }()

    /// The Messages API request as Anthropic documents it (docs.anthropic.com, "Messages"):
    /// model, max_tokens ≥ 1, messages of user/assistant turns with string or text-block
    /// content, optional system, tools with a name, description and an object input_schema,
    /// tool_choice auto/any/tool/none, temperature 0–1.
    public static let anthropicMessagesRequest = JSONSchema([
        "definitions": [
            "TextBlock": [
                "type": "object", "required": ["type", "text"],
                "properties": ["type": ["enum": ["text"]], "text": ["type": "string", "minLength": 1]],
            ],
            "Message": [
                "type": "object", "required": ["role", "content"], "additionalProperties": false,
                "properties": [
                    "role": ["enum": ["user", "assistant"]],
                    "content": ["oneOf": [
                        ["type": "string", "minLength": 1],
                        ["type": "array", "minItems": 1, "items": ["$ref": "#/definitions/TextBlock"]],
                    ]],
                ],
            ],
            "Tool": [
                "type": "object", "required": ["name", "input_schema"],
                "properties": [
                    "name": ["type": "string", "pattern": "^[a-zA-Z0-9_-]{1,64}$"],
                    "description": ["type": "string"],
                    "input_schema": ["type": "object", "required": ["type"], "properties": ["type": ["enum": ["object"]]]],
                ],
            ],
        ],
        "type": "object",
        "required": ["model", "max_tokens", "messages"],
        "properties": [
            "model": ["type": "string", "minLength": 1],
            "max_tokens": ["type": "integer", "minimum": 1],
            "messages": ["type": "array", "minItems": 1, "items": ["$ref": "#/definitions/Message"]],
            "system": ["oneOf": [["type": "string"], ["type": "array", "items": ["$ref": "#/definitions/TextBlock"]]]],
            "temperature": ["type": "number", "minimum": 0, "maximum": 1],
            "tools": ["type": "array", "items": ["$ref": "#/definitions/Tool"]],
            "tool_choice": [
                "type": "object", "required": ["type"],
                "properties": ["type": ["enum": ["auto", "any", "tool", "none"]], "name": ["type": "string"]],
            ],
            "stream": ["type": "boolean"],
            "metadata": ["type": "object"],
        ],
    ])

    /// Rules of the Messages API a schema cannot say: the first turn is the user's, turns
    /// alternate, and a forced tool names a declared tool.
    public static func anthropicConversationProblems(_ body: JSONValue) -> [String] {
        var problems: [String] = []
        let roles = body["messages"].arrayValue?.compactMap { $0["role"].stringValue } ?? []
        if roles.first != "user" { problems.append("$.messages: the first message must have role user") }
        for (a, b) in zip(roles, roles.dropFirst()) where a == b {
            problems.append("$.messages: roles must alternate, found \(a) twice")
        }
        if body["tool_choice"]["type"].stringValue == "tool" {
            let name = body["tool_choice"]["name"].stringValue ?? ""
            let declared = body["tools"].arrayValue?.compactMap { $0["name"].stringValue } ?? []
            if !declared.contains(name) { problems.append("$.tool_choice.name: \(name) is not a declared tool") }
        }
        return problems
    }

    /// Rules OpenAI applies to a strict json_schema: every object lists all its properties
    /// as required and forbids others.
    public static func strictSchemaProblems(_ schema: JSONValue, path: String = "$.response_format.json_schema.schema") -> [String] {
        var problems: [String] = []
        if schema["type"].stringValue == "object" {
            let properties = Set(schema["properties"].objectValue?.keys.map { $0 } ?? [])
            let required = Set(schema["required"].arrayValue?.compactMap(\.stringValue) ?? [])
            if properties != required { problems.append("\(path): strict mode needs every property required") }
            if schema["additionalProperties"] != .bool(false) { problems.append("\(path): strict mode needs additionalProperties false") }
            for (name, sub) in schema["properties"].objectValue ?? [:] {
                problems += strictSchemaProblems(sub, path: "\(path).properties.\(name)")
            }
        }
        if case .object = schema["items"] { problems += strictSchemaProblems(schema["items"], path: "\(path).items") }
        for keyword in ["maxLength", "minLength"] where schema[keyword] != .null {
            problems.append("\(path): \(keyword) is not supported in strict mode")
        }
        return problems
    }
}
