import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import NIOCore
import Synchronization

/// An in-process HTTP server on 127.0.0.1 whose answers a closure computes; it records
/// every request, so tests can check URLs, query parameters and headers.
public final class ScriptedServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [String: String]
        public var body: [UInt8]

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        /// The first value of a query parameter (or of a form field of the body, with `form`).
        public func param(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
        public func params(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
        public var form: [(String, String)] { ScriptedServer.decodeForm(bodyText) }
        public func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public init(_ status: Int = 200, _ body: String = "", headers: [String: String] = [:]) {
            self.status = status
            self.body = Array(body.utf8)
            self.headers = headers
        }
        public static func json(_ value: JSONValue, status: Int = 200) -> Reply {
            Reply(status, value.serialized(), headers: ["Content-Type": "application/json"])
        }
        public static func xml(_ text: String, status: Int = 200) -> Reply { Reply(status, text, headers: ["Content-Type": "text/xml"]) }
    }

    public typealias Handler = @Sendable (Request) async -> Reply

    private let recorded = Mutex<[Request]>([])
    private let task = Mutex<Task<Void, any Error>?>(nil)
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    public var requests: [Request] { recorded.withLock { $0 } }

    private init(port: Int) { self.port = port }

    public static func start(_ handler: @escaping Handler) async -> ScriptedServer {
        let box = Mutex<ScriptedServer?>(nil)
        let router = Router()
        let respond: @Sendable (Hummingbird.Request) async throws -> Response = { request in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let recorded = Request(method: request.method.rawValue, path: request.uri.path,
                                   query: decodeForm(request.uri.query ?? ""), headers: headers,
                                   body: Array(buffer.readableBytesView))
            box.withLock { $0 }?.recorded.withLock { $0.append(recorded) }
            let reply = await handler(recorded)
            var fields = HTTPFields()
            for (name, value) in reply.headers { if let n = HTTPField.Name(name) { fields[n] = value } }
            return Response(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        for method in [HTTPTypes.HTTPRequest.Method.get, .post, .put, .delete] {
            router.on("/", method: method) { request, _ in try await respond(request) }
            router.on("**", method: method) { request, _ in try await respond(request) }
        }
        let (port, task) = await LocalHTTPServer.start(router)
        let server = ScriptedServer(port: port)
        server.task.withLock { $0 = task }
        box.withLock { $0 = server }
        return server
    }

    public func stop() { task.withLock { $0?.cancel() } }

    public static func decodeForm(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            func decode(_ s: String) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
