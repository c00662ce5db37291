import Foundation
import GraphQL
import HummingbirdWebSocket
import KubeClient
import Logging
import NIOConcurrencyHelpers
import NIOWebSocket
import OperatorKit

/// The server side of the `graphql-transport-ws` protocol (the GraphQL over WebSocket
/// protocol of the `graphql-ws` library, which Apollo, urql and GraphiQL speak):
/// `connection_init` (carrying `{"Authorization": "Bearer <token>"}`) → `connection_ack`,
/// then `subscribe`/`next`/`error`/`complete` per operation id, and `ping`/`pong`.
/// Protocol violations close the socket with the protocol's 44xx codes.
struct TransportWS: Sendable {
    static let subprotocol = "graphql-transport-ws"
    /// How long a client may take to send `connection_init`.
    static let initTimeout: Duration = .seconds(10)
    static let maxMessageBytes = 1 << 20

    let service: GraphQLService
    let logger: Logger

    /// Serves one socket; `upgradeAuthorization` is the upgrade request's header, used when
    /// `connection_init` carries no token.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, upgradeAuthorization: String?) async throws {
        let (outgoing, send) = AsyncStream.makeStream(of: Outgoing.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // One writer, so that messages of concurrent subscriptions never interleave. It
            // drains what was queued, so a closing message is always sent.
            group.addTask {
                for await message in outgoing {
                    switch message {
                    case .text(let text): try await outbound.write(.text(text))
                    case .close(let code, let reason):
                        try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                        return
                    }
                }
            }
            let session = Session(send: send)
            let timeout = Task {
                try await Task.sleep(for: Self.initTimeout)
                if session.user == nil { send.yield(.close(4408, "Connection initialisation timeout")) }
            }
            for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                guard case .text(let text) = message else {
                    send.yield(.close(4400, "binary messages are not part of graphql-transport-ws"))
                    break
                }
                if await !handle(text, session, upgradeAuthorization: upgradeAuthorization) { break }
            }
            timeout.cancel()
            session.cancelAll()
            send.finish()
            try await group.waitForAll()
        }
    }

    enum Outgoing: Sendable {
        case text(String)
        case close(UInt16, String)
    }

    /// The socket's state: who it is, and its running operations by id.
    final class Session: Sendable {
        let send: AsyncStream<Outgoing>.Continuation
        private let state = NIOLockedValueBox<(user: TokenAuthenticator.User?, initialised: Bool, operations: [String: Task<Void, Never>])>(
            (nil, false, [:]))

        init(send: AsyncStream<Outgoing>.Continuation) { self.send = send }

        var user: TokenAuthenticator.User? { state.withLockedValue { $0.user } }

        /// Marks `connection_init` as received; false when it was already.
        func initialise() -> Bool {
            state.withLockedValue { state in
                if state.initialised { return false }
                state.initialised = true
                return true
            }
        }

        func authenticate(_ user: TokenAuthenticator.User) { state.withLockedValue { $0.user = user } }

        /// Registers an operation; false when the id is in use.
        func start(_ id: String, _ task: @escaping @Sendable () -> Task<Void, Never>) -> Bool {
            state.withLockedValue { state in
                if state.operations[id] != nil { return false }
                state.operations[id] = task()
                return true
            }
        }

        func finished(_ id: String) { _ = state.withLockedValue { $0.operations.removeValue(forKey: id) } }

        func cancel(_ id: String) { state.withLockedValue { $0.operations.removeValue(forKey: id) }?.cancel() }

        func cancelAll() {
            for task in state.withLockedValue({ state in defer { state.operations = [:] }; return Array(state.operations.values) }) { task.cancel() }
        }

        func message(_ object: [String: Any]) {
            guard let data = try? JSONSerialization.data(withJSONObject: object), let text = String(data: data, encoding: .utf8) else { return }
            send.yield(.text(text))
        }

        /// `{"type": type, "id": id, "payload": <JSON of payload>}` with the payload encoded as GraphQL encodes results.
        func message(type: String, id: String, payload: some Encodable) {
            guard let data = try? GraphQLJSONEncoder().encode(payload) else { return }
            message(type: type, id: id, json: String(decoding: data, as: UTF8.self))
        }

        /// The same, with a payload already in JSON.
        func message(type: String, id: String, json: String) {
            send.yield(.text(#"{"type":"\#(type)","id":\#(JSONValue.string(id).serialized()),"payload":\#(json)}"#))
        }
    }

    /// Handles one client message; false when the socket is being closed.
    private func handle(_ text: String, _ session: Session, upgradeAuthorization: String?) async -> Bool {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], let type = object["type"] as? String else {
            session.send.yield(.close(4400, "Invalid message: expected a JSON object with a type"))
            return false
        }
        switch type {
        case "connection_init":
            guard session.initialise() else {
                session.send.yield(.close(4429, "Too many initialisation requests"))
                return false
            }
            let payload = object["payload"] as? [String: Any]
            let authorization = (payload?["Authorization"] ?? payload?["authorization"]) as? String
                ?? (payload?["token"] as? String).map { "Bearer \($0)" } ?? upgradeAuthorization
            switch await service.authenticator.authenticate(authorization: authorization) {
            case .authenticated(let user):
                session.authenticate(user)
                session.message(["type": "connection_ack"])
                return true
            case .rejected(let reason), .unavailable(let reason):
                logger.info("graphql websocket refused", metadata: ["reason": "\(reason)"])
                session.send.yield(.close(4403, "Forbidden: \(reason)".prefix(120).description))
                return false
            }
        case "ping":
            session.message(["type": "pong"])
            return true
        case "pong":
            return true
        case "subscribe":
            guard let user = session.user else {
                session.send.yield(.close(4401, "Unauthorized"))
                return false
            }
            guard let id = object["id"] as? String, let payload = object["payload"] as? [String: Any],
                  let data = try? JSONSerialization.data(withJSONObject: payload),
                  let request = try? JSONDecoder().decode(GraphQLRequest.self, from: data) else {
                session.send.yield(.close(4400, "Invalid subscribe message: needs an id and a payload with a query"))
                return false
            }
            let started = session.start(id) { Task { await self.run(request, id: id, user: user, session) } }
            if !started {
                session.send.yield(.close(4409, "Subscriber for \(id) already exists"))
                return false
            }
            return true
        case "complete":
            if let id = object["id"] as? String { session.cancel(id) }
            return true
        default:
            session.send.yield(.close(4400, "Unknown message type \(type)"))
            return false
        }
    }

    /// Runs one operation: a subscription's results until it ends, or a query's one result.
    private func run(_ request: GraphQLRequest, id: String, user: TokenAuthenticator.User, _ session: Session) async {
        defer { session.finished(id) }
        let parsed = ParsedRequest(request)
        if parsed.kind != .subscription {
            session.message(type: "next", id: id, json: await service.execute(parsed, as: user).json)
            if !Task.isCancelled { session.message(["type": "complete", "id": id]) }
            return
        }
        let results: AsyncThrowingStream<String, any Error>
        if let fast = await service.fastSubscription(parsed, as: user) {
            results = fast
        } else {
            switch await service.subscribe(parsed, as: user) {
            case .failure(let errors):
                session.message(type: "error", id: id, payload: errors.errors)
                return
            case .success(let stream):
                results = relay(stream) { GraphQLService.Answer($0).json }
            }
        }
        do {
            for try await json in results {
                if Task.isCancelled { return }
                session.message(type: "next", id: id, json: json)
            }
            if !Task.isCancelled { session.message(["type": "complete", "id": id]) }
        } catch {
            if !Task.isCancelled { session.message(type: "error", id: id, payload: [GraphQLError(message: "\(error)")]) }
        }
    }
}
