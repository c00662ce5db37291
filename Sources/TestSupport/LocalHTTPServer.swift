import HTTPServing
import Hummingbird
import HummingbirdCore
import Logging

/// A Hummingbird server for tests, on 127.0.0.1 at a free port.
public enum LocalHTTPServer {
    /// Serves `router` and returns once it listens: its port, and the task serving it
    /// (cancel the task to stop the server). `server` may wrap the default in TLS.
    public static func start<Builder: HTTPResponderBuilder>(
        _ router: Builder, server: HTTPServerBuilder = .http1ClosingUnserved(),
        logger: Logger = Logger(label: "local-http-server")
    ) async -> (port: Int, task: Task<Void, any Error>)
    where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ready.continuation.yield($0.localAddress?.port ?? 0) },
                              logger: logger)
        let task = Task { try await app.runService() }
        var port = 0
        for await p in ready.stream { port = p; break }
        return (port, task)
    }
}
