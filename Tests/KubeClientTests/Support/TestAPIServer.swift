import Foundation
import HTTPServing
import Hummingbird
import HummingbirdTLS
import KubeSim
import Logging
import NIOCore
import NIOSSL
import SwiftASN1
import Synchronization
import TestSupport
import X509

/// A request context that remembers the connection it arrived on, so handlers can read
/// the client certificate and tell connections apart.
struct ConnectionContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// An HTTPS server with a generated CA that plays just enough of an API server for the
/// transport tests: it authenticates client certificates and bearer tokens, streams
/// watch bodies, and records which TCP connections carried requests.
final class TestAPIServer: Sendable {
    let ca: CertificateAuthority
    let caPEM: String
    let admin: IssuedCredential
    let port: Int
    let token = "test-token-\(UInt64.random(in: 0 ... .max))"
    private let connections = ConnectionLog()
    private let task: Task<Void, any Error>

    var url: String { "https://127.0.0.1:\(port)" }
    /// Distinct TCP connections that carried at least one request.
    var connectionCount: Int { connections.count }

    static func start(configure: @Sendable (Router<ConnectionContext>) -> Void = { _ in }) async throws -> TestAPIServer {
        let ca = try CertificateAuthority()
        let serving = try ca.issueServer()
        let admin = try ca.issueClient(user: "kubernetes-admin", groups: ["system:masters"])
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(serving.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(try ca.pem.certificatePEM.utf8)))
        tls.certificateVerification = .optionalVerification
        return try await TestAPIServer(ca: ca, admin: admin, tls: tls, configure: configure)
    }

    private init(ca: CertificateAuthority, admin: IssuedCredential, tls: TLSConfiguration,
                 configure: @Sendable (Router<ConnectionContext>) -> Void) async throws {
        self.ca = ca
        self.caPEM = try ca.pem.certificatePEM
        self.admin = admin
        let router = Router(context: ConnectionContext.self)
        let connections = self.connections
        let token = self.token
        // Record the connection and authenticate every request, like an API server.
        router.add(middleware: AuthenticatingMiddleware(token: token, record: { peer in connections.insert(peer) }))
        router.get("whoami") { _, context in
            try await AuthenticatingMiddleware.user(of: context) ?? "bearer"
        }
        configure(router)
        var logger = Logger(label: "test-api-server")
        logger.logLevel = .warning
        let served = await LocalHTTPServer.start(router, server: try .tls(.http1ClosingUnserved(), tlsConfiguration: tls), logger: logger)
        port = served.port
        task = served.task
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

struct AuthenticatingMiddleware: RouterMiddleware {
    typealias Context = ConnectionContext
    let token: String
    let record: @Sendable (String) -> Void

    /// The common name of the client certificate, which the API server reads as the user name.
    static func user(of context: ConnectionContext) async throws -> String? {
        guard let peer = try await context.channel.nioSSL_peerCertificate().get() else { return nil }
        let certificate = try Certificate(derEncoded: try peer.toDERBytes())
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return nil
    }

    func handle(_ request: Request, context: ConnectionContext, next: (Request, ConnectionContext) async throws -> Response) async throws -> Response {
        record(String(describing: context.channel.remoteAddress))
        let bearer = request.headers[.authorization] == "Bearer \(token)"
        let certificateUser = try await Self.user(of: context)
        guard bearer || certificateUser != nil else {
            return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string:
                #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)))
        }
        return try await next(request, context)
    }
}

/// The client addresses (host:port) that carried requests: one entry per TCP connection.
final class ConnectionLog: Sendable {
    private let peers = Mutex<Set<String>>([])
    func insert(_ peer: String) { peers.withLock { _ = $0.insert(peer) } }
    var count: Int { peers.withLock { $0.count } }
}
