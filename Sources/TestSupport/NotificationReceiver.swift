import Foundation
import Hummingbird
import KubeClient
import Synchronization

/// An in-process HTTP receiver for notifications (a webhook, Slack, PagerDuty or an
/// Alertmanager's webhook receiver): records every POST, and can be told to fail or to
/// answer slowly.
public final class NotificationReceiver: Sendable {
    public struct Received: Sendable {
        public var path: String
        public var headers: [String: String]
        public var body: [UInt8]
        public var json: JSONValue?
        public var at: Date
        /// The status it was answered with.
        public var status: Int
    }

    private struct Behaviour {
        var failuresLeft = 0
        var failureStatus = 500
        var delay: Duration = .zero
        var reply = "ok"
        var replyStatus = 200
        /// Replies for paths starting with a prefix (a PagerDuty path answers JSON, Slack's "ok").
        var replies: [String: (body: String, status: Int)] = [:]
    }

    private let received = Mutex<[Received]>([])
    private let behaviour = Mutex(Behaviour())
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let boundPort = Mutex(0)
    public var port: Int { boundPort.withLock { $0 } }

    public init() {}

    /// The base URL, `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    public static func start() async -> NotificationReceiver {
        let receiver = NotificationReceiver()
        let router = Router()
        router.post("**") { request, _ in try await receiver.handle(request) }
        let (port, task) = await LocalHTTPServer.start(router)
        receiver.boundPort.withLock { $0 = port }
        receiver.task.withLock { $0 = task }
        return receiver
    }

    public func stop() {
        task.withLock { $0?.cancel() }
    }

    /// Answers the next `count` requests with `status`.
    public func fail(next count: Int, status: Int = 503) {
        behaviour.withLock {
            $0.failuresLeft = count
            $0.failureStatus = status
        }
    }

    /// Answers every request after `delay`.
    public func respond(after delay: Duration) { behaviour.withLock { $0.delay = delay } }

    /// The body and status of successful answers (Slack answers `ok`, PagerDuty a JSON status).
    public func reply(_ body: String, status: Int = 200) {
        behaviour.withLock {
            $0.reply = body
            $0.replyStatus = status
        }
    }

    /// The body and status of successful answers to paths starting with `prefix`.
    public func reply(_ body: String, status: Int = 200, toPathsStartingWith prefix: String) {
        behaviour.withLock { $0.replies[prefix] = (body, status) }
    }

    public var requests: [Received] { received.withLock { $0 } }

    public func requests(path: String) -> [Received] { requests.filter { $0.path == path } }

    /// The requests answered with a 2xx.
    public var accepted: [Received] { requests.filter { (200..<300).contains($0.status) } }

    private func handle(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 4 << 20)
        let bytes = Array(buffer.readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let (status, delay, reply) = behaviour.withLock { b -> (Int, Duration, String) in
            if b.failuresLeft > 0 {
                b.failuresLeft -= 1
                return (b.failureStatus, b.delay, "{\"status\":\"error\",\"message\":\"try again\"}")
            }
            if let match = b.replies.keys.filter({ request.uri.path.hasPrefix($0) }).max(by: { $0.count < $1.count }),
               let reply = b.replies[match] {
                return (reply.status, b.delay, reply.body)
            }
            return (b.replyStatus, b.delay, b.reply)
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        received.withLock {
            $0.append(Received(path: request.uri.path, headers: headers, body: bytes, json: try? JSONValue(parsing: bytes), at: Date(), status: status))
        }
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: reply)))
    }
}
