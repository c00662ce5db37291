import Foundation
import Logging
import MCP

/// A transport that answers `tools/call` requests itself and passes every other message
/// through to the SDK's `Server` on `inner`.
///
/// Why: the SDK (0.12.1) type-erases every result by encoding it and decoding it again as
/// `Value`, and that decoding builds and compiles a regular expression for every string in
/// the result (its data-URL check). For a tool answering a page of pods that was 37 % of the
/// server's CPU under 50 sessions (`perf`, `make bench`). Here a `tools/call` is decoded as the
/// SDK's own `Request<CallTool>`, run by `handle`, and answered with the SDK's own
/// `Response<CallTool>`, encoded as the SDK encodes responses.
///
/// Semantics kept from the SDK's `Server`:
/// - each call runs in a task of its own, so a slow tool never holds up the session;
/// - `notifications/cancelled` for a running call cancels it, and a cancelled call is not
///   answered (MCP's cancellation rule); the notification still reaches the SDK;
/// - anything this type does not take (batches, a `tools/call` whose params do not decode)
///   goes to the SDK unchanged, which answers it as before, errors included.
actor DirectToolCalls: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    private let handle: @Sendable (CallTool.Parameters) async -> CallTool.Result
    /// The calls running, by request id; the number tells a call from a later one that
    /// reuses its id.
    private var running: [ID: (number: Int, task: Task<Void, Never>)] = [:]
    private var started = 0

    init(_ inner: any Transport, logger: Logger, handle: @escaping @Sendable (CallTool.Parameters) async -> CallTool.Result) {
        self.inner = inner
        self.logger = logger
        self.handle = handle
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async {
        for call in running.values { call.task.cancel() }
        running.removeAll()
        await inner.disconnect()
    }

    func send(_ data: Data) async throws { try await inner.send(data) }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await data in await inner.receive() {
                        if await !self.took(data) { continuation.yield(data) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Starts `data` when it is a single `tools/call` request; notes a cancellation of one.
    /// Returns whether the message was taken (not to be passed on).
    private func took(_ data: Data) -> Bool {
        guard let method = Self.method(of: data) else { return false }
        switch method {
        case CallTool.name:
            guard let request = try? JSONDecoder().decode(Request<CallTool>.self, from: data), request.method == CallTool.name else { return false }
            start(request)
            return true
        case CancelledNotification.name:
            if let note = try? JSONDecoder().decode(Message<CancelledNotification>.self, from: data),
               let id = note.params.requestId, let call = running.removeValue(forKey: id) {
                call.task.cancel()
            }
            return false
        default:
            return false
        }
    }

    private func start(_ request: Request<CallTool>) {
        let id = request.id
        started += 1
        let number = started
        running[id]?.task.cancel()
        running[id] = (number, Task { [handle, inner, logger] in
            let result = await handle(request.params)
            guard await self.finish(id, number), !Task.isCancelled else { return }
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                try await inner.send(encoder.encode(Response<CallTool>(id: id, result: result)))
            } catch {
                logger.warning("cannot send a tools/call answer", metadata: ["id": "\(id)", "error": "\(error)"])
            }
        })
    }

    /// Forgets a finished call; false when it was cancelled meanwhile (not to be answered).
    private func finish(_ id: ID, _ number: Int) -> Bool {
        guard running[id]?.number == number else { return false }
        running[id] = nil
        return true
    }

    /// The `method` of a single JSON-RPC message, read without decoding the rest; nil for a
    /// batch, a response, or what is not JSON.
    static func method(of data: Data) -> String? {
        guard let first = data.first(where: { !$0.isASCIIWhitespace }), first == UInt8(ascii: "{") else { return nil }
        struct Header: Decodable { let method: String? }
        return (try? JSONDecoder().decode(Header.self, from: data))?.method
    }
}

private extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
