import KubeClient

/// The API-server operations OperatorKit needs: the seam between the controller runtime and
/// the network.
///
/// ``KubernetesClient`` conforms to it; tests may substitute an in-memory server. Everything
/// in OperatorKit — informers, status writers, finalizers, events, leader election — talks to
/// the cluster through this protocol only.
public protocol KubernetesAPI: Sendable {
    func get(_ resource: GroupVersionResource, name: String, namespace: String?, subresource: String?) async throws
        -> JSONValue
    /// One page of a list.
    func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> ObjectList
    /// Opens a watch; the sequence ends when the server closes the stream.
    func watchEvents(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) async throws
        -> WatchEvents
    func create(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?, options: WriteOptions)
        async throws -> JSONValue
    /// Replaces the object (or its subresource); 409 Conflict when its resourceVersion is stale.
    func update(
        _ resource: GroupVersionResource, _ object: JSONValue, namespace: String?, subresource: String?,
        options: WriteOptions
    ) async throws -> JSONValue
    func patch(
        _ resource: GroupVersionResource, name: String, namespace: String?, type: PatchType, body: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> JSONValue
    func delete(_ resource: GroupVersionResource, name: String, namespace: String?, options: DeleteOptions)
        async throws -> DeleteResult
    /// Whether the server serves `resource` (discovery); nil when this API cannot tell.
    func serves(_ resource: GroupVersionResource) async throws -> Bool?
}

extension KubernetesAPI {
    /// An API that cannot tell what the server serves (callers then assume the oldest API).
    public func serves(_ resource: GroupVersionResource) async throws -> Bool? { nil }

    public func get(_ resource: GroupVersionResource, name: String, namespace: String?) async throws -> JSONValue {
        try await get(resource, name: name, namespace: namespace, subresource: nil)
    }

    public func create(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?) async throws
        -> JSONValue
    {
        try await create(resource, object, namespace: namespace, options: WriteOptions())
    }

    public func update(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?) async throws
        -> JSONValue
    {
        try await update(resource, object, namespace: namespace, subresource: nil, options: WriteOptions())
    }

    public func updateStatus(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?) async throws
        -> JSONValue
    {
        try await update(resource, object, namespace: namespace, subresource: "status", options: WriteOptions())
    }

    public func patch(
        _ resource: GroupVersionResource, name: String, namespace: String?, type: PatchType, body: JSONValue
    ) async throws -> JSONValue {
        try await patch(
            resource, name: name, namespace: namespace, type: type, body: body, subresource: nil, options: WriteOptions())
    }
}

extension KubernetesClient: KubernetesAPI {
    /// From the group version's discovery document; a 404 for it means not served.
    public func serves(_ resource: GroupVersionResource) async throws -> Bool? {
        let groupVersion = resource.group.isEmpty ? resource.version : "\(resource.group)/\(resource.version)"
        do {
            return try await resources(groupVersion: groupVersion).contains { $0.name == resource.resource }
        } catch let error as KubeError where error.isNotFound {
            return false
        }
    }

    public func watchEvents(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) async throws
        -> WatchEvents
    {
        WatchEvents(try await watch(resource, namespace: namespace, options: options))
    }
}
