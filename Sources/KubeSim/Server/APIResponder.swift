import Foundation
import Hummingbird
import KubeClient

/// The one responder behind every path: authenticates, routes, authorizes and answers,
/// turning every failure into the `Status` body a Kubernetes client expects.
struct APIResponder: HTTPResponder {
    typealias Context = SimRequestContext
    let api: APIServices
    /// `host:port` clients reach this server at (for `/api`'s serverAddressByClientCIDRs).
    let serverAddress: @Sendable () -> String

    func respond(to request: Request, context: SimRequestContext) async throws -> Response {
        var request = request
        do {
            return try await serve(&request, context: context)
        } catch {
            return Response(Responses.error(error))
        }
    }

    private func serve(_ request: inout Request, context: SimRequestContext) async throws(APIError) -> Response {
        let user = try api.user(headers: request.headers,
                                certificateUser: try await api.authenticator.certificateUser(of: context.channel))
        if let response = try await api.extensions?.respond(to: &request, user: user, authorizer: api.authorizer) {
            return response
        }
        let route = APIRoute(path: request.uri.path)
        if case .resource(let path) = route {
            try await api.extensions?.screen(path, method: request.method, query: request.uri.query)
            return try await ResourceHandler(api: api).handle(path, request: &request, user: user)
        }
        return Response(try answer(route, method: request.method, path: request.uri.path, headers: request.headers,
                                   user: user))
    }

    /// Answers the paths that are not resources: discovery, `/version`, health, OpenAPI.
    func answer(_ route: APIRoute, method: HTTPRequest.Method, path: String, headers: HTTPFields,
                user: UserInfo) throws(APIError) -> Reply {
        guard method == .get || method == .head else {
            if route == .notFound { return Responses.text("404 page not found\n", status: .notFound) }
            throw APIError.methodNotSupported(GroupResource(group: "", resource: ""), verb: method.rawValue)
        }
        let attributes = AuthorizationAttributes(user: user, verb: "get", isResourceRequest: false, path: path)
        guard api.authorizer.authorize(attributes).allowed else {
            throw APIError(code: 403, reason: "Forbidden", message: "forbidden: \(attributes.forbiddenReason)",
                           details: .init())
        }
        let accept = headers[.accept]
        let discovery = api.discovery
        switch route {
        case .root:
            return Responses.json(["paths": .array(Self.rootPaths(api.registry.catalog).map { .string($0) })])
        case .version:
            return Responses.json(Self.version)
        case .health:
            return Responses.text("ok")
        case .legacyAPIVersions:
            if ContentNegotiation.wantsAggregatedDiscovery(accept: accept) {
                return Responses.json(discovery.aggregated(core: true), contentType: DiscoveryDocuments.aggregatedContentType)
            }
            return Responses.json(discovery.apiVersions(serverAddress: serverAddress()))
        case .apiGroups:
            if ContentNegotiation.wantsAggregatedDiscovery(accept: accept) {
                return Responses.json(discovery.aggregated(core: false), contentType: DiscoveryDocuments.aggregatedContentType)
            }
            return Responses.json(discovery.apiGroupList())
        case .apiGroup(let name):
            guard let group = discovery.apiGroup(name) else { throw APIError.pathNotFound() }
            return Responses.json(group)
        case .groupVersion(let group, let version):
            guard let list = discovery.resourceList(group: group, version: version) else { throw APIError.pathNotFound() }
            return Responses.json(list)
        case .openAPIv2:
            switch ContentNegotiation.openAPIV2Form(accept: accept) {
            case .json?:
                break
            case .protobuf?:
                var reply = Responses.buffer(ByteBuffer(bytes: OpenAPIV2.protobufSkeleton()))
                reply.headers[.contentType] = OpenAPIV2.protobufContentType
                return reply
            case nil:
                return Responses.text("406 Not Acceptable: /openapi/v2 is served as application/json or \(OpenAPIV2.protobufContentType)\n",
                                      status: .notAcceptable)
            }
            return Responses.json(api.openAPI.v2Document(catalog: api.registry.catalog))
        case .openAPIv3Index:
            return Responses.json(api.openAPI.v3Index(catalog: api.registry.catalog))
        case .openAPIv3(let group, let version):
            guard let document = api.openAPI.v3Document(group: group, version: version, catalog: api.registry.catalog)
            else { return Responses.text("404 page not found\n", status: .notFound) }
            return Responses.json(document)
        case .notFound, .resource:
            return Responses.text("404 page not found\n", status: .notFound)
        }
    }

    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0+opsagent-sim", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    static func rootPaths(_ catalog: ResourceCatalog) -> [String] {
        var paths = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"]
        for group in catalog.groups where !group.name.isEmpty {
            paths.append("/apis/\(group.name)")
            for version in group.versions { paths.append("/apis/\(group.name)/\(version)") }
        }
        return paths.sorted()
    }
}
