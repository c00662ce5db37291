import Foundation
import Logging
import MCP

/// A transport that passes everything through to `inner` and logs the outcome of each
/// `initialize`: the version the client offered and the one the SDK chose (its newest when
/// the client offers a newer one than it knows).
actor NegotiationObserver: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    private let label: String
    /// `initialize` request ids (as JSON text) and the version each offered.
    private var offered: [String: String] = [:]

    init(_ inner: any Transport, label: String, logger: Logger) {
        self.inner = inner
        self.label = label
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }
    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws {
        if !offered.isEmpty, let json = Self.object(data), let id = Self.idText(json["id"]), let clientVersion = offered.removeValue(forKey: id),
           let chosen = (json["result"] as? [String: Any])?["protocolVersion"] as? String {
            logger.info("mcp protocol version negotiated", metadata: [
                "session": "\(label)", "offered": "\(clientVersion)", "chosen": "\(chosen)",
                "note": "\(chosen == clientVersion ? "as offered" : "the client offered a version this server does not know; it answered with its newest")",
            ])
        }
        try await inner.send(data)
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await data in await inner.receive() {
                        await self.observe(data)
                        continuation.yield(data)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func observe(_ data: Data) {
        // Cheap test first: only an initialize request is parsed.
        guard data.count < 65_536, String(decoding: data, as: UTF8.self).contains("\"initialize\""),
              let json = Self.object(data), json["method"] as? String == "initialize", let id = Self.idText(json["id"]) else { return }
        offered[id] = ((json["params"] as? [String: Any])?["protocolVersion"] as? String) ?? "none"
    }

    private static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    private static func idText(_ id: Any?) -> String? {
        if let text = id as? String { return "s:\(text)" }
        if let number = id as? NSNumber { return "n:\(number.intValue)" }
        return nil
    }
}

extension OpsMCPServer {
    /// Serves one session over stdio (the process's stdin and stdout) until the client
    /// closes stdin.
    public func serveStdio(as identity: CallerIdentity) async throws {
        let server = await makeServer(for: identity)
        try await start(server, on: StdioTransport(logger: logger), as: identity, label: "stdio")
        await server.waitUntilCompleted()
        await server.stop()
    }
}
