import Foundation
import KubeClient
import Logging
import OperatorKit
import MCP

/// Streamable HTTP at `/mcp` (the MCP 2025 transport): the SDK's
/// `StatefulHTTPServerTransport` does the protocol, one per session; this type
/// authenticates every request (bearer token → TokenReview), routes it to its session by
/// `Mcp-Session-Id`, and starts a session for each `initialize`.
public final class MCPHTTPEndpoint: Sendable {
    public static let path = "/mcp"

    let server: OpsMCPServer
    let serverClient: KubernetesClient
    let authenticator: TokenAuthenticator
    let sessions = HTTPSessions()
    let logger: Logger

    public init(server: OpsMCPServer, serverClient: KubernetesClient, logger: Logger = Logger(label: "opsagent.mcp.http")) {
        self.server = server
        self.serverClient = serverClient
        self.authenticator = TokenAuthenticator(client: serverClient, logger: logger)
        self.logger = logger
    }

    /// Live sessions, for tests and metrics.
    public var sessionCount: Int { get async { await sessions.count } }

    /// Answers one HTTP request to `/mcp`.
    public func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        let user: TokenAuthenticator.User
        switch await authenticator.authenticate(authorization: request.header(HTTPHeaderName.authorization)) {
        case .authenticated(let authenticated): user = authenticated
        case .rejected(let reason):
            return .error(statusCode: 401, .invalidRequest("Unauthorized: \(reason)"), extraHeaders: [HTTPHeaderName.wwwAuthenticate: "Bearer"])
        case .unavailable(let reason):
            return .error(statusCode: 503, .internalError(reason))
        }
        if let id = request.header(HTTPHeaderName.sessionID) {
            guard let session = await sessions.session(id, user: user.name) else {
                return .error(statusCode: 404, .invalidRequest("Not Found: no session \(id); initialize a new one"))
            }
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE", response.statusCode == 200 { await sessions.remove(id) }
            return response
        }
        if request.method.uppercased() == "POST", let probe = Self.discoverProbe(request.body) {
            return probe
        }
        return await startSession(request, user: user)
    }

    /// A new session for an `initialize` (anything else without a session id is answered
    /// by the SDK's transport: 400 for a missing session, a parse error for bad JSON).
    private func startSession(_ request: MCP.HTTPRequest, user: TokenAuthenticator.User) async -> MCP.HTTPResponse {
        let identity = self.identity(of: user)
        let transport = StatefulHTTPServerTransport(
            // Every request carries a bearer token a browser page cannot attach by itself, so
            // DNS rebinding gains nothing; the endpoint serves in-cluster host names too.
            validationPipeline: StandardValidationPipeline(validators: [
                OriginValidator.disabled, AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(),
                ProtocolVersionValidator(), SessionValidator(),
            ]), logger: logger)
        let mcp = await server.makeServer(for: identity)
        do {
            try await server.start(mcp, on: transport, as: identity, label: user.name)
        } catch {
            return .error(statusCode: 500, .internalError("cannot start a session: \(error)"))
        }
        let response = await transport.handleRequest(request)
        if let id = response.headers[HTTPHeaderName.sessionID], response.statusCode == 200 {
            await sessions.add(id, .init(server: mcp, transport: transport, user: user.name, lastUsed: .now))
            logger.info("mcp session started", metadata: ["identity": "\(identity.name)"])
        } else {
            await mcp.stop()
        }
        return response
    }

    /// Whom a user's requests act as, by ``MCPServerOptions/httpIdentity``.
    func identity(of user: TokenAuthenticator.User) -> CallerIdentity {
        switch server.options.httpIdentity {
        case .impersonate:
            var configuration = serverClient.configuration
            configuration.impersonation = Impersonation(user: user.name, groups: user.groups, uid: user.uid)
            return CallerIdentity(name: user.name, client: KubernetesClient(configuration: configuration, transport: serverClient.transport))
        case .server:
            return CallerIdentity(name: "\(user.name) (acting as opsagent)", client: serverClient)
        }
    }

    /// The answer to `server/discover` (clients of protocol 2026-07-28 probe with it first):
    /// "unsupported protocol version", listing the versions `initialize` negotiates.
    static func discoverProbe(_ body: Data?) -> MCP.HTTPResponse? {
        guard let body, let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              json["method"] as? String == "server/discover" else { return nil }
        let requested = (json["params"] as? [String: Any])?["protocolVersion"] as? String ?? "unknown"
        let reply: [String: Any] = [
            "jsonrpc": "2.0", "id": json["id"] ?? NSNull(),
            "error": ["code": -32022, "message": "protocol \(requested) is not supported; use initialize",
                      "data": ["supported": OpsMCPServer.handshakeVersions, "requested": requested] as [String: Any]] as [String: Any],
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: reply) else { return nil }
        return .data(data, headers: [HTTPHeaderName.contentType: "application/json"])
    }

    /// Ends every session.
    public func shutdown() async { await sessions.removeAll() }
}
