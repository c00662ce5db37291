import Foundation
import HTTPServing
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import MCP
import NIOCore

extension MCPHTTPEndpoint {
    /// The largest request body accepted (a `resources_apply` manifest fits many times over).
    static let maxBodyBytes = 4 << 20

    /// Serves `/mcp` (POST, GET, DELETE) on `router`.
    public func addRoutes<Context: Hummingbird.RequestContext>(to router: Router<Context>) {
        router.on(RouterPath(Self.path), method: .post) { request, _ in try await self.respond(to: request) }
        router.on(RouterPath(Self.path), method: .get) { request, _ in try await self.respond(to: request) }
        router.on(RouterPath(Self.path), method: .delete) { request, _ in try await self.respond(to: request) }
    }

    /// A standalone server for `/mcp` on `host:port` (port 0 picks a free one, reported to
    /// `onBound`); returns when the task is cancelled, or on SIGTERM/SIGINT when `handlingSignals`
    /// (leave it off when something else owns the process's signals, as `opsagent run` does).
    public func run(host: String, port: Int, handlingSignals: Bool = true,
                    onBound: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let router = Router()
        addRoutes(to: router)
        let logger = self.logger
        let app = Application(
            router: router, server: .http1ClosingUnserved(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("serving MCP over streamable HTTP", metadata: ["address": "\(host):\(bound)", "path": "\(Self.path)"])
                onBound(bound)
            },
            logger: logger)
        do {
            try await app.runService(gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [])
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    func respond(to request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let answer = await handle(MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers,
            body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: request.uri.path))
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: answer.statusCode)
        if case .stream(let stream, _) = answer {
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data())))
    }
}
