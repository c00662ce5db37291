import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import Logging
import NIOCore
import Synchronization

/// An in-process server that speaks the OpenAI Chat Completions API (also under Azure's
/// deployment path) and the Anthropic Messages API on 127.0.0.1.
///
/// Every request is recorded byte for byte and checked against the public request
/// documents; a request that breaks them gets the 400 the real API would send. Replies
/// come from a script, one per request, then ``defaultReply``.
public final class FakeLLMServer: Sendable {
    public enum Reply: Sendable {
        /// An analysis object as the structured answer (OpenAI: message content; Anthropic: tool input).
        case analysis(JSONValue, usage: TokenUsagePair? = nil)
        /// Free text as the answer (OpenAI: content; Anthropic: a text block, no tool call).
        case text(String)
        /// An HTTP error with the API's error body.
        case status(Int, message: String, headers: [String: String] = [:])
        /// OpenAI's 400 for a server without json_schema support (only when the request asks for it).
        case rejectJSONSchema
        /// Holds the request until the server stops.
        case hang
        /// An analysis computed from the request (to echo what the model was sent).
        case derived(@Sendable (JSONValue) -> JSONValue)
        /// Another reply, after a delay (a slow model).
        indirect case delayed(Duration, Reply)
    }

    public struct TokenUsagePair: Sendable, Hashable {
        public var input: Int
        public var output: Int
        public init(input: Int, output: Int) {
            self.input = input
            self.output = output
        }
    }

    public struct Recorded: Sendable {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [String: String]
        public var body: [UInt8]
        public var json: JSONValue?
        public var violations: [String]

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public static let passing: JSONValue = [
        "verdict": "pass", "confidence": 0.82,
        "summary": "Error rate 0.4%, CPU and memory well under limits, all pods ready.",
        "findings": [["severity": "info", "title": "Healthy preview", "evidence": "error-rate 0.004 < 0.05"]],
        "recommendations": ["Promote the preview."],
    ]

    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public let defaultReply: Reply

    private let script = Mutex<[Reply]>([])
    private let recorded = Mutex<[Recorded]>([])
    private let hanging = Mutex<(released: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)

    /// Requests received so far, in order.
    public var requests: [Recorded] { recorded.withLock { $0 } }
    public var requestCount: Int { recorded.withLock { $0.count } }

    public func enqueue(_ replies: Reply...) { script.withLock { $0 += replies } }

    private init(port: Int, defaultReply: Reply) {
        self.port = port
        self.defaultReply = defaultReply
    }

    public static func start(defaultReply: Reply = .analysis(passing)) async throws -> FakeLLMServer {
        // The port is known only once the server runs; the handlers reach the instance through this box.
        let box = Mutex<FakeLLMServer?>(nil)
        let router = Router()
        let handle: @Sendable (Request, API) async throws -> Response = { request, api in
            guard let server = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return try await server.handle(request, api: api)
        }
        router.post("/v1/chat/completions") { request, _ in try await handle(request, .openAI) }
        router.post("/openai/deployments/:deployment/chat/completions") { request, _ in try await handle(request, .openAI) }
        router.post("/v1/messages") { request, _ in try await handle(request, .anthropic) }
        var logger = Logger(label: "fake-llm-server")
        logger.logLevel = .critical
        let (port, task) = await LocalHTTPServer.start(router, logger: logger)
        let server = FakeLLMServer(port: port, defaultReply: defaultReply)
        server.task.withLock { $0 = task }
        box.withLock { $0 = server }
        return server
    }

    public func stop() async {
        let waiters = hanging.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.released = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
        let task = self.task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }

    // MARK: - handling

    public enum API: Sendable { case openAI, anthropic }

    private func handle(_ request: Request, api: API) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 4 << 20)
        let bytes = Array(buffer.readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let json = try? JSONValue(parsing: bytes)
        var violations = json == nil ? ["$: the body is not JSON"] : []
        if let json { violations += validate(json, headers: headers, api: api) }
        recorded.withLock {
            $0.append(Recorded(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                               headers: headers, body: bytes, json: json, violations: violations))
        }
        guard violations.isEmpty, let json else {
            return error(400, api: api, message: "invalid request: " + violations.prefix(3).joined(separator: "; "))
        }
        let reply = script.withLock { $0.isEmpty ? defaultReply : $0.removeFirst() }
        return try await respond(reply, to: json, api: api)
    }

    private func validate(_ json: JSONValue, headers: [String: String], api: API) -> [String] {
        var problems: [String] = []
        if headers["content-type"]?.hasPrefix("application/json") != true { problems.append("header: Content-Type must be application/json") }
        switch api {
        case .openAI:
            problems += APIRequestSchemas.openAIChatRequest.violations(of: json).map(\.description)
            if json["response_format"]["type"].stringValue == "json_schema" {
                problems += APIRequestSchemas.strictSchemaProblems(json["response_format"]["json_schema"]["schema"])
            }
            if json["response_format"]["type"].stringValue == "json_object",
               !(json["messages"].arrayValue ?? []).contains(where: { $0["content"].stringValue?.contains("JSON") == true }) {
                problems.append("$.messages: json_object mode needs the word JSON in a message")
            }
        case .anthropic:
            problems += APIRequestSchemas.anthropicMessagesRequest.violations(of: json).map(\.description)
            problems += APIRequestSchemas.anthropicConversationProblems(json)
            if headers["x-api-key"]?.isEmpty ?? true { problems.append("header: x-api-key is required") }
            if headers["anthropic-version"] == nil { problems.append("header: anthropic-version is required") }
        }
        return problems
    }

    private func respond(_ reply: Reply, to request: JSONValue, api: API) async throws -> Response {
        switch reply {
        case .analysis(let object, let usage):
            return answer(object.serialized(), structured: object, to: request, api: api, usage: usage)
        case .text(let text):
            return answer(text, structured: nil, to: request, api: api, usage: nil)
        case .status(let code, let message, let headers):
            return error(code, api: api, message: message, headers: headers)
        case .rejectJSONSchema:
            guard request["response_format"]["type"].stringValue == "json_schema" else {
                return answer(Self.passing.serialized(), structured: Self.passing, to: request, api: api, usage: nil)
            }
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string:
                #"{"error":{"message":"Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.","type":"invalid_request_error","param":"response_format","code":null}}"#)))
        case .derived(let make):
            let object = make(request)
            return answer(object.serialized(), structured: object, to: request, api: api, usage: nil)
        case .delayed(let delay, let reply):
            try await Task.sleep(for: delay)
            return try await respond(reply, to: request, api: api)
        case .hang:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = hanging.withLock { state -> Bool in
                    if state.released { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            return error(503, api: api, message: "server stopping")
        }
    }

    private func answer(_ text: String, structured: JSONValue?, to request: JSONValue, api: API, usage: TokenUsagePair?) -> Response {
        let model = request["model"]
        let inputTokens = usage?.input ?? max(1, request.serializedBytes().count / 4)
        let outputTokens = usage?.output ?? max(1, text.utf8.count / 4)
        let body: JSONValue
        switch api {
        case .openAI:
            body = [
                "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": model,
                "choices": [["index": 0, "finish_reason": "stop", "logprobs": nil,
                             "message": ["role": "assistant", "content": .string(text), "refusal": nil]]],
                "usage": ["prompt_tokens": .int(Int64(inputTokens)), "completion_tokens": .int(Int64(outputTokens)),
                          "total_tokens": .int(Int64(inputTokens + outputTokens))],
            ]
        case .anthropic:
            let content: JSONValue
            if let structured {
                let tool = request["tool_choice"]["name"].stringValue ?? request["tools"][0]["name"].stringValue ?? "tool"
                content = [["type": "tool_use", "id": "toolu_fake", "name": .string(tool), "input": structured]]
            } else {
                content = [["type": "text", "text": .string(text)]]
            }
            body = [
                "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": content,
                "stop_reason": structured == nil ? "end_turn" : "tool_use", "stop_sequence": nil,
                "usage": ["input_tokens": .int(Int64(inputTokens)), "output_tokens": .int(Int64(outputTokens))],
            ]
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body.serializedBytes())))
    }

    private func error(_ code: Int, api: API, message: String, headers: [String: String] = [:]) -> Response {
        let body: JSONValue
        switch api {
        case .openAI:
            body = ["error": ["message": .string(message), "type": code == 429 ? "rate_limit_exceeded" : "server_error", "param": nil, "code": nil]]
        case .anthropic:
            let type = switch code {
            case 429: "rate_limit_error"
            case 529: "overloaded_error"
            case 401: "authentication_error"
            case 400: "invalid_request_error"
            default: "api_error"
            }
            body = ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
        }
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serializedBytes())))
    }
}
