import Foundation
import GraphQL
import Hummingbird
import HummingbirdWebSocket
import Logging
import OperatorKit

/// `opsagent api`: the dashboard at `/`, GraphQL over HTTP at `POST /graphql`, and
/// subscriptions over WebSocket at `/graphql` (graphql-transport-ws). Every request needs a
/// bearer token the cluster accepts (TokenReview); anonymous requests get 401.
public struct APIServer: Sendable {
    public static let path = "/graphql"
    static let maxBodyBytes = 1 << 20

    let service: GraphQLService
    let logger: Logger

    public init(service: GraphQLService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    /// Serves on `host:port` (0 picks a free port, reported to `onBound`) until cancelled,
    /// or SIGTERM/SIGINT when `handlingSignals`.
    public func run(host: String, port: Int, handlingSignals: Bool = true, onBound: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let router = Router()
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/healthz") { _, _ in "ok" }
        router.post(RouterPath(Self.path)) { request, _ in try await self.respond(to: request) }
        router.get(RouterPath(Self.path)) { _, _ -> Response in
            Response(status: .methodNotAllowed, headers: [.allow: "POST"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: "POST GraphQL requests here, or open a WebSocket with subprotocol graphql-transport-ws\n")))
        }
        let transport = TransportWS(service: service, logger: logger)
        let sockets = Router(context: BasicWebSocketRequestContext.self)
        sockets.ws(RouterPath(Self.path)) { request, _ in
            let offered = request.headers[.secWebSocketProtocol]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            guard offered.contains(TransportWS.subprotocol) else { return .dontUpgrade }
            return .upgrade([.secWebSocketProtocol: TransportWS.subprotocol])
        } onUpgrade: { inbound, outbound, context in
            try await transport.serve(inbound: inbound, outbound: outbound, upgradeAuthorization: context.request.headers[.authorization])
        }
        let logger = self.logger
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: sockets),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("serving the GraphQL API and dashboard", metadata: ["address": "\(host):\(bound)", "graphql": "\(Self.path)"])
                onBound(bound)
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [])
    }

    func respond(to request: Request) async throws -> Response {
        let user: TokenAuthenticator.User
        switch await service.authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .authenticated(let authenticated): user = authenticated
        case .rejected(let reason):
            return Self.json(.unauthorized, GraphQLResult(errors: [GraphQLError(message: "Unauthorized: \(reason)")]),
                             extra: [.wwwAuthenticate: "Bearer"])
        case .unavailable(let reason):
            return Self.json(.serviceUnavailable, GraphQLResult(errors: [GraphQLError(message: reason)]))
        }
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        let graphQLRequest: GraphQLRequest
        do {
            graphQLRequest = try JSONDecoder().decode(GraphQLRequest.self, from: Data(body.readableBytesView))
        } catch {
            return Self.json(.badRequest, GraphQLResult(errors: [GraphQLError(
                message: "the body must be JSON {\"query\": \"...\", \"variables\": {...}, \"operationName\": \"...\"}: \(error)")]))
        }
        let answer = await service.execute(graphQLRequest, as: user)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: answer.json)))
    }

    static func json(_ status: HTTPResponse.Status, _ result: GraphQLResult, extra: HTTPFields = [:]) -> Response {
        let data = (try? GraphQLJSONEncoder().encode(result)) ?? Data(#"{"errors":[{"message":"cannot encode the result"}]}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
