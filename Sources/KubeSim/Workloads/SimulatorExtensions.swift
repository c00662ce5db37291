import HTTPTypes
import Hummingbird
import KubeClient
import NIOCore

/// What the workload simulation and fault injection add to the API server's request
/// pipeline: extra endpoints (`/metrics/cluster`, `/admin/faults`,
/// `/apis/metrics.k8s.io/v1beta1/…`), the fault screen every API request passes, and the
/// registration of watches that close-watches faults end.
public struct SimulatorExtensions: Sendable {
    public let workloads: WorkloadSimulation?
    public let faults: FaultInjector

    public init(workloads: WorkloadSimulation?, faults: FaultInjector) {
        self.workloads = workloads
        self.faults = faults
    }

    /// Whether `path` is one of the extra endpoints.
    func claims(_ path: String) -> Bool {
        path == "/metrics/cluster" || path == FaultAdmin.path || path.hasPrefix(FaultAdmin.path + "/")
            || (workloads != nil && path.hasPrefix(Self.metricsPrefix))
    }

    private static let metricsPrefix = "/apis/\(MetricsServer.group)/\(MetricsServer.version)/"

    /// Answers the extra endpoints after authentication; nil for any other path.
    func respond(to request: inout Request, user: UserInfo, authorizer: any Authorizing) async throws(APIError) -> Response? {
        let path = request.uri.path
        if path == "/metrics/cluster" {
            try authorize(AuthorizationAttributes(user: user, verb: "get", isResourceRequest: false, path: path), authorizer)
            guard let workloads else { throw APIError.pathNotFound() }
            let namespace = QueryParameters(request.uri.query)["namespace"]
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let bytes = workloads.clusterMetrics(namespace: namespace)
            var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        }
        if path == FaultAdmin.path || path.hasPrefix(FaultAdmin.path + "/") {
            try authorize(AuthorizationAttributes(user: user, verb: request.method.rawValue.lowercased(),
                                                  isResourceRequest: false, path: path), authorizer)
            let body = try await ResourceHandler.readBody(&request, method: request.method)
            return Response(try FaultAdmin(faults: faults).respond(method: request.method, path: path, body: body))
        }
        if path.hasPrefix(Self.metricsPrefix), let workloads {
            guard case .resource(let route) = APIRoute(path: path), route.subresource == nil, !route.watchPrefix else {
                throw APIError.pathNotFound()
            }
            guard request.method == .get || request.method == .head else {
                throw APIError.methodNotSupported(GroupResource(group: MetricsServer.group, resource: route.resource),
                                                  verb: request.method.rawValue)
            }
            try authorize(AuthorizationAttributes(user: user, verb: route.name == nil ? "list" : "get",
                                                  apiGroup: MetricsServer.group, apiVersion: MetricsServer.version,
                                                  resource: route.resource, namespace: route.namespace ?? "",
                                                  name: route.name ?? ""), authorizer)
            let value = try workloads.metricsServer.respond(resource: route.resource, namespace: route.namespace,
                                                            name: route.name, query: QueryParameters(request.uri.query))
            return Response(Responses.json(value))
        }
        return nil
    }

    /// The fault screen for one API request (may wait, or fail it).
    func screen(_ route: APIRoute.ResourcePath, method: HTTPRequest.Method, query: String?) async throws(APIError) {
        guard !faults.isEmpty else { return }
        let isWatch = ResourceHandler.isWatch(route, query: QueryParameters(query))
        let verb = FaultRequest.verb(method: method.rawValue, hasName: route.name != nil, isWatch: isWatch)
        try await faults.screen(FaultRequest(verb: verb, resource: GroupResource(group: route.group, resource: route.resource),
                                             namespace: route.namespace ?? ""))
    }

    /// Registers a running watch for close-watches faults.
    func watchStarted(type: ResourceType, namespace: String, stop: @escaping @Sendable () -> Void) -> FaultWatchLease {
        faults.watchStarted(FaultRequest(verb: "watch", resource: type.groupResource, namespace: namespace), stop: stop)
    }

    private func authorize(_ attributes: AuthorizationAttributes, _ authorizer: any Authorizing) throws(APIError) {
        guard authorizer.authorize(attributes).allowed else {
            if attributes.isResourceRequest {
                throw APIError.forbidden(GroupResource(group: attributes.apiGroup, resource: attributes.resource),
                                         name: attributes.name, attributes.forbiddenReason)
            }
            throw APIError(code: 403, reason: "Forbidden", message: "forbidden: \(attributes.forbiddenReason)",
                           details: .init())
        }
    }
}
