/// Typed reads and writes for kinds with a ``KubeObject`` view.
///
/// Writes take the raw object the view was read from where fields could be lost: the view
/// is merged over it (``KubeObject/merged(into:)``), so fields the view does not declare survive.
extension KubernetesClient {
    public func get<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        try T(json: try await get(T.groupVersionResource, name: name, namespace: T.namespaced ? namespace ?? defaultNamespace : nil))
    }

    public func list<T: KubeObject>(_ type: T.Type, namespace: String? = nil,
                                    options: ListOptions = ListOptions()) async throws -> [T] {
        try await listAll(T.groupVersionResource, namespace: namespace, options: options).items.map { try T(json: $0) }
    }

    @discardableResult
    public func create<T: KubeObject>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        let ns = T.namespaced ? object.metadata.namespace ?? defaultNamespace : nil
        return try T(json: try await create(T.groupVersionResource, try object.json(), namespace: ns, options: options))
    }

    /// Replaces the object with `object` written over `original` (the raw object it was read from).
    @discardableResult
    public func update<T: KubeObject>(_ object: T, original: JSONValue, options: WriteOptions = WriteOptions()) async throws -> T {
        let ns = T.namespaced ? object.metadata.namespace ?? defaultNamespace : nil
        return try T(json: try await update(T.groupVersionResource, try object.merged(into: original), namespace: ns, options: options))
    }
}
