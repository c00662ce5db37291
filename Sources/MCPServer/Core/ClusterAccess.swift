import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// The cluster as one tool call sees it: requests go out as the caller's identity, through
/// the server's policy (``ResourcePolicy``), API errors come back as ``ToolError``s naming
/// the RBAC verb and resource, and every namespace read is remembered so that the answer
/// can be redacted with the Secret values of exactly those namespaces.
public final class ClusterAccess: Sendable {
    public let client: KubernetesClient
    /// Who the requests act as, for messages and the call log.
    public let identity: String
    let policy: ResourcePolicy
    /// Namespaces read so far; `nil` inside means "cluster-wide".
    private let touched = NIOLockedValueBox<Set<String>?>([])

    init(client: KubernetesClient, identity: String, policy: ResourcePolicy) {
        self.client = client
        self.identity = identity
        self.policy = policy
    }

    public var defaultNamespace: String { client.defaultNamespace }

    /// The namespaces whose Secrets the answer must be redacted with; nil = all.
    var touchedNamespaces: Set<String>? { touched.withLockedValue { $0 } }

    func touch(_ namespace: String?, _ resource: ResourceRef) {
        touched.withLockedValue { set in
            guard set != nil else { return }
            if let namespace, resource.namespaced { set!.insert(namespace) } else { set = nil }
        }
    }

    /// Runs one API request, turning its errors into ``ToolError``s about `verb` on `resource`.
    func call<T: Sendable>(_ verb: String, _ resource: ResourceRef, name: String? = nil, namespace: String?,
                           _ body: () async throws -> T) async throws(ToolError) -> T {
        touch(namespace, resource)
        do {
            return try await body()
        } catch {
            throw ToolError.from(error, verb: verb, resource: resource.plural, name: name,
                                 namespace: resource.namespaced ? namespace : nil, identity: identity)
        }
    }

    // MARK: reads

    public func list(_ resource: ResourceRef, namespace: String?, options: ListOptions) async throws(ToolError) -> ObjectList {
        try policy.check(resource, namespace: namespace, write: false)
        var options = options
        options.omitManagedFields = true
        let ns = resource.namespaced ? namespace : nil
        var page = try await call("list", resource, namespace: ns) { try await client.list(resource.resource, namespace: ns, options: options) }
        let hiding = policy.hidesData(resource)
        page.items = page.items.compactMap { item in
            let meta = item["metadata"]
            guard policy.allowsListing(resource, namespace: meta["namespace"].stringValue, name: meta["name"].stringValue) else { return nil }
            return ObjectMasking.mask(item, hidingData: hiding)
        }
        return page
    }

    public func get(_ resource: ResourceRef, name: String, namespace: String?, subresource: String? = nil) async throws(ToolError) -> JSONValue {
        let ns = resource.namespaced ? namespace : nil
        try policy.check(resource, namespace: ns, name: name, write: false)
        let object = try await call("get", resource, name: name, namespace: ns) {
            try await client.get(resource.resource, name: name, namespace: ns, subresource: subresource)
        }
        return ObjectMasking.mask(object, hidingData: policy.hidesData(resource))
    }

    public func logs(pod: String, namespace: String, options: LogOptions) async throws(ToolError) -> String {
        try policy.check(.pods, namespace: namespace, name: pod, write: false)
        return try await call("get", ResourceRef(.pods, kind: "Pod"), name: "\(pod)/log", namespace: namespace) {
            try await client.logs(pod: pod, namespace: namespace, options: options)
        }
    }

    /// Resolves what an agent calls a resource type (`deployments`, `Deployment`, `deploy`,
    /// `bgd`, `deployments.apps`) through discovery.
    public func resolve(_ text: String, argument: String = "kind") async throws(ToolError) -> ResourceRef {
        do {
            return ResourceRef(try await client.resolve(text))
        } catch let error as KubeError where error.isForbidden || error.httpCode != nil {
            throw ToolError.from(error, verb: "get", resource: "discovery", name: nil, namespace: nil, identity: identity)
        } catch {
            throw .invalidArgument(name: argument, problem: "the cluster has no resource type '\(text)'; use a plural "
                                   + "(deployments), a kind (Deployment) or a short name (deploy), optionally with its group (deployments.apps)")
        }
    }

    // MARK: writes

    public func create(_ resource: ResourceRef, _ object: JSONValue, namespace: String) async throws(ToolError) -> JSONValue {
        try policy.check(resource, namespace: namespace, name: object["metadata"]["name"].stringValue, write: true)
        return try await call("create", resource, name: object["metadata"]["name"].stringValue, namespace: namespace) {
            try await client.create(resource.resource, object, namespace: namespace)
        }
    }

    public func patch(_ resource: ResourceRef, name: String, namespace: String?, type: PatchType, body: JSONValue,
                      subresource: String? = nil, fieldManager: String? = nil) async throws(ToolError) -> JSONValue {
        let ns = resource.namespaced ? namespace : nil
        try policy.check(resource, namespace: ns, name: name, write: true)
        let verb = subresource.map { "patch (\($0))" } ?? "patch"
        return try await call(verb, resource, name: name, namespace: ns) {
            try await client.patch(resource.resource, name: name, namespace: ns, type: type, body: body,
                                   subresource: subresource, options: WriteOptions(fieldManager: fieldManager))
        }
    }

    public func delete(_ resource: ResourceRef, name: String, namespace: String?) async throws(ToolError) -> DeleteResult {
        let ns = resource.namespaced ? namespace : nil
        try policy.check(resource, namespace: ns, name: name, write: true)
        return try await call("delete", resource, name: name, namespace: ns) {
            try await client.delete(resource.resource, name: name, namespace: ns)
        }
    }
}
