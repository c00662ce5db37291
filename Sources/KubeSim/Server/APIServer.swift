import Foundation
import HTTPServing
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The HTTP(S) listener: Hummingbird over HTTP/1.1, with TLS that asks for (but does not
/// require) a client certificate signed by the cluster CA. Most requests are answered on
/// the event loop by ``InlineRequestHandler``; the rest go to ``APIResponder``.
final class APIServer: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    let port: Int

    private init(group: ServiceGroup, task: Task<Void, any Error>, port: Int) {
        self.group = group
        self.task = task
        self.port = port
    }

    struct TLSMaterial {
        var certificatePEM: String
        var privateKeyPEM: String
        var clientCAPEM: String
    }

    /// Binds and starts serving; returns once the listener is up (with the port it got).
    static func start(api: APIServices, host: String, port: Int, tls: TLSMaterial?, logger: Logger) async throws -> APIServer {
        let boundPort = NIOLockedValueBox<Int>(0)
        let responder = APIResponder(api: api, serverAddress: { "\(host):\(boundPort.withLockedValue { $0 })" })
        let http1 = HTTPServerBuilder.http1ClosingUnserved { [InlineRequestHandler(responder: responder)] }
        let server: HTTPServerBuilder
        if let tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.certificatePEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)))
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(tls.clientCAPEM.utf8)))
            configuration.applicationProtocols = ["http/1.1"]
            server = try .tls(http1, tlsConfiguration: configuration)
        } else {
            server = http1
        }
        let started = StartSignal()
        let app = Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                boundPort.withLockedValue { $0 = port }
                started.resume(.success(port))
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            do {
                try await group.run()
                started.resume(.failure(SimulatorError.serverStopped))
            } catch {
                started.resume(.failure(error))
                throw error
            }
        }
        let bound = try await started.wait()
        return APIServer(group: group, task: task, port: bound)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// A one-shot signal from the server task to the code waiting for it to listen.
private final class StartSignal: Sendable {
    private let state = NIOLockedValueBox<(result: Result<Int, any Error>?, waiter: CheckedContinuation<Int, any Error>?)>((nil, nil))

    func resume(_ result: Result<Int, any Error>) {
        let waiter: CheckedContinuation<Int, any Error>? = state.withLockedValue { s in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = state.withLockedValue { s in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

/// Why the simulator could not start or stopped.
public enum SimulatorError: Error, CustomStringConvertible {
    /// The listener ended before it reported its port.
    case serverStopped
    /// The data directory could not be read or written.
    case dataDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .serverStopped:
            return "the API server stopped before it started listening (is the port already in use?)"
        case .dataDirectory(let path, let reason):
            return "cannot use data directory \(path): \(reason); check that it exists and is writable, or choose another with --data-dir"
        }
    }
}
