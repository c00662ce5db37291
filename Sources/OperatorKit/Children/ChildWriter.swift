import KubeClient

/// Creates and updates the objects one reconcile owns, and remembers what it wrote so the
/// next reconcile does not act on a cache that has not caught up (``WriteExpectations``).
///
/// - ``create(_:_:)`` treats AlreadyExists as "the cache is behind": the next pass updates.
/// - ``update(_:_:change:)`` applies `change` to the cached object and writes only when it
///   changed anything; on 409 Conflict it reads the object again and re-applies the change.
/// - ``apply(_:_:force:)`` is server-side apply under the controller's field manager, for
///   children whose fields are shared with other writers (an HPA scaling replicas): the
///   server merges, no read is needed, and nothing is sent when the intent is unchanged
///   since the controller's last apply.
public struct ChildWriter: Sendable {
    public let context: ControllerContext
    /// The object being reconciled: expectations are dropped with it.
    public let owner: ObjectKey
    /// How many conflicts in a row an update retries.
    public var conflictAttempts = 3

    public init(context: ControllerContext, owner: ObjectKey) {
        self.context = context
        self.owner = owner
    }

    /// The field manager of the controller's writes: `opsagent-<controller>`.
    public var fieldManager: String { "opsagent-\(context.name)" }

    /// Whether a cached object is older than this controller's last write to it.
    public func isBehind(_ resource: ResourceDescriptor, _ cached: JSONValue) -> Bool {
        context.writes.isBehind(resource.resource, cached)
    }

    /// Creates `object`; nil when it exists already (the cache had not seen it).
    @discardableResult
    public func create(_ resource: ResourceDescriptor, _ object: JSONValue) async throws -> JSONValue? {
        do {
            let created = try await context.api.create(
                resource.resource, object, namespace: namespace(of: object, resource),
                options: WriteOptions(fieldManager: fieldManager))
            context.writes.record(resource.resource, created, owner: owner)
            return created
        } catch let error as KubeError where error.isAlreadyExists {
            return nil
        }
    }

    /// Applies `change` to `cached` and writes it when it differs; retries conflicts on a
    /// fresh read. Returns the object as written, nil when nothing needed writing.
    @discardableResult
    public func update(
        _ resource: ResourceDescriptor, _ cached: JSONValue, change: (inout JSONValue) throws -> Void
    ) async throws -> JSONValue? {
        var current = cached
        let namespace = namespace(of: cached, resource)
        for attempt in 1...max(1, conflictAttempts) {
            var updated = current
            try change(&updated)
            if updated == current { return nil }
            do {
                let written = try await context.api.update(
                    resource.resource, updated, namespace: namespace, subresource: nil,
                    options: WriteOptions(fieldManager: fieldManager))
                context.writes.record(resource.resource, written, owner: owner)
                return written
            } catch let error as KubeError where error.isConflict && attempt < conflictAttempts {
                current = try await context.api.get(
                    resource.resource, name: cached["metadata"]["name"].stringValue ?? "", namespace: namespace)
            }
        }
        return nil
    }

    /// Creates `desired` when `cached` is nil, else updates the cached object with `change`.
    @discardableResult
    public func createOrUpdate(
        _ resource: ResourceDescriptor, desired: JSONValue, cached: JSONValue?, change: (inout JSONValue) throws -> Void
    ) async throws -> JSONValue? {
        guard let cached else { return try await create(resource, desired) }
        return try await update(resource, cached, change: change)
    }

    /// Server-side apply of `object` (the controller's whole intent for the fields it owns).
    @discardableResult
    public func apply(_ resource: ResourceDescriptor, _ object: JSONValue, force: Bool = true) async throws -> JSONValue {
        let written = try await context.api.patch(
            resource.resource, name: object["metadata"]["name"].stringValue ?? "", namespace: namespace(of: object, resource),
            type: .apply(force: force), body: object, subresource: nil, options: WriteOptions(fieldManager: fieldManager))
        context.writes.record(resource.resource, written, owner: owner)
        return written
    }

    private func namespace(of object: JSONValue, _ resource: ResourceDescriptor) -> String? {
        resource.namespaced ? (object["metadata"]["namespace"].stringValue ?? owner.namespace) : nil
    }
}
