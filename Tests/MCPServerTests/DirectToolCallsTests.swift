import Foundation
import MCP
@testable import MCPServer
import Testing

/// `tools/call` answered beside the SDK's `Server`, over the SDK's in-memory transport: the
/// answers a client reads, cancellation, and what is left to the SDK.
@Suite struct DirectToolCallsTests {
    /// A session: the SDK's `Server` (with a `tools/list` handler) on `DirectToolCalls`, whose
    /// tool echoes its `text` argument, or waits for cancellation when asked to `wait`.
    struct Session {
        let client: InMemoryTransport
        let server: Server
        let cancelled: AsyncStream<String>

        static func start() async throws -> Session {
            let (client, serverEnd) = await InMemoryTransport.createConnectedPair()
            let (cancelled, noteCancelled) = AsyncStream<String>.makeStream()
            let direct = DirectToolCalls(serverEnd, logger: .init(label: "test")) { params in
                let text = params.arguments?["text"]?.stringValue ?? ""
                if params.arguments?["wait"]?.boolValue == true {
                    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                    noteCancelled.yield(text)
                }
                return CallTool.Result(content: [.text(text)], structuredContent: ["echo": .string(text)], isError: false)
            }
            let server = Server(name: "test", version: "1", capabilities: .init(tools: .init()))
            await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: [Tool(name: "echo", description: "echoes", inputSchema: ["type": "object"])]) }
            try await server.start(transport: direct)
            try await client.connect()
            return Session(client: client, server: server, cancelled: cancelled)
        }

        func send(_ json: String) async throws { try await client.send(Data(json.utf8)) }

        /// The next message the server sends, as JSON.
        func next(_ iterator: inout AsyncThrowingStream<Data, any Error>.Iterator) async throws -> [String: Any] {
            let data = try #require(try await iterator.next())
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    static func call(_ id: Int, _ text: String, wait: Bool = false) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"echo","arguments":{"text":"\#(text)","wait":\#(wait)}}}"#
    }

    @Test func aToolCallIsAnsweredWithItsIdAndResultAndOtherMethodsReachTheSDK() async throws {
        let session = try await Session.start()
        defer { Task { await session.server.stop() } }
        var replies = await session.client.receive().makeAsyncIterator()
        try await session.send(Self.call(7, "hello data:text/plain,x"))
        let answer = try await session.next(&replies)
        #expect(answer["id"] as? Int == 7)
        let result = try #require(answer["result"] as? [String: Any])
        #expect((result["structuredContent"] as? [String: Any])?["echo"] as? String == "hello data:text/plain,x")
        #expect(result["isError"] as? Bool == false)
        #expect(((result["content"] as? [[String: Any]])?.first?["text"]) as? String == "hello data:text/plain,x")

        try await session.send(#"{"jsonrpc":"2.0","id":8,"method":"tools/list"}"#)
        let listed = try await session.next(&replies)
        #expect(listed["id"] as? Int == 8)
        #expect(((listed["result"] as? [String: Any])?["tools"] as? [[String: Any]])?.first?["name"] as? String == "echo")
    }

    @Test func aCancelledCallIsNotAnsweredAndLaterCallsAre() async throws {
        let session = try await Session.start()
        defer { Task { await session.server.stop() } }
        var replies = await session.client.receive().makeAsyncIterator()
        var cancelled = session.cancelled.makeAsyncIterator()
        try await session.send(Self.call(1, "slow", wait: true))
        try await session.send(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"user"}}"#)
        #expect(await cancelled.next() == "slow", "the running call saw the cancellation")
        try await session.send(Self.call(2, "fast"))
        let answer = try await session.next(&replies)
        #expect(answer["id"] as? Int == 2, "the first message after the cancellation answers call 2, not the cancelled call 1: \(answer)")
    }

    @Test func aToolCallWithoutParamsIsLeftToTheSDKWhichAnswersWithAnError() async throws {
        let session = try await Session.start()
        defer { Task { await session.server.stop() } }
        var replies = await session.client.receive().makeAsyncIterator()
        try await session.send(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":"nonsense"}"#)
        let answer = try await session.next(&replies)
        #expect(answer["id"] as? Int == 3)
        #expect(answer["error"] != nil, "\(answer)")
    }
}
