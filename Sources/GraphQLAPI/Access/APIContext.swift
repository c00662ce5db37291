import KubeClient
import OperatorKit

/// What every resolver gets for one request (or one subscription): who is asking, the
/// caches, and a client that acts as that user (impersonation), so the API server's RBAC
/// decides every write.
public struct APIContext: Sendable {
    public let user: TokenAuthenticator.User
    let services: APIServices
    /// Requests as the user (the server's identity, impersonating them).
    let client: KubernetesClient

    init(user: TokenAuthenticator.User, services: APIServices) {
        self.user = user
        self.services = services
        var configuration = services.serverClient.configuration
        configuration.impersonation = Impersonation(user: user.name, groups: user.groups, uid: user.uid)
        client = KubernetesClient(configuration: configuration, transport: services.serverClient.transport)
    }

    var caches: APICaches { services.caches }

    /// Throws ``APIError/forbidden`` unless the user may `verb` `resource` in `namespace`.
    func require(_ verb: String, _ resource: ResourceDescriptor, namespace: String?) async throws(APIError) {
        guard try await services.reviewer.allows(user, verb, resource.resource, namespace: namespace) else {
            throw .forbidden(user: user.name, verb: verb, resource: resource.resource.groupResource, namespace: namespace)
        }
    }

    func may(_ verb: String, _ resource: ResourceDescriptor, namespace: String?) async throws(APIError) -> Bool {
        try await services.reviewer.allows(user, verb, resource.resource, namespace: namespace)
    }

    /// The cached objects of `resource` the user may `list`: in `namespace` when given
    /// (forbidden is an error), else everywhere they may list (cluster-wide, or namespace by
    /// namespace among those that hold objects).
    func readable(_ resource: ResourceDescriptor, namespace: String?) async throws(APIError) -> [JSONValue] {
        if let namespace {
            try await require("list", resource, namespace: namespace)
            return try caches.list(resource, namespace: namespace)
        }
        let all = try caches.list(resource)
        if try await may("list", resource, namespace: nil) { return all }
        var verdicts: [String: Bool] = [:]
        var visible: [JSONValue] = []
        for object in all {
            let ns = object["metadata"]["namespace"].stringValue ?? ""
            if verdicts[ns] == nil { verdicts[ns] = try await may("list", resource, namespace: ns) }
            if verdicts[ns] == true { visible.append(object) }
        }
        return visible
    }

    /// Splits an `id` (`namespace/name`).
    static func parse(id: String, argument: String = "id") throws(APIError) -> (namespace: String, name: String) {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidArgument(name: argument, problem: "'\(id)' is not an id; ids are namespace/name, as the queries return them")
        }
        return (String(parts[0]), String(parts[1]))
    }
}
