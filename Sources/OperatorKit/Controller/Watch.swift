import KubeClient

/// A resource a controller watches and how its events become keys to reconcile
/// (controller-runtime's `source` + `handler`).
public struct Watch: Sendable {
    public let resource: ResourceDescriptor
    public let filter: EventFilter
    let keys: @Sendable (JSONValue) -> [ObjectKey]

    public init(
        _ resource: ResourceDescriptor, filter: EventFilter = .all,
        keys: @escaping @Sendable (JSONValue) -> [ObjectKey]
    ) {
        self.resource = resource
        self.filter = filter
        self.keys = keys
    }

    /// The controller's own resource: each object reconciles itself.
    public static func primary(_ resource: ResourceDescriptor, filter: EventFilter = .ignoreStatusOnlyUpdates) -> Watch {
        Watch(resource, filter: filter) { object in ObjectKey(of: object).map { [$0] } ?? [] }
    }

    /// Objects the controller creates: a change to one reconciles the owner named by its
    /// controller owner reference (a child Deployment wakes its BlueGreenDeployment).
    public static func owned(
        _ resource: ResourceDescriptor, by owner: ResourceDescriptor, filter: EventFilter = .all
    ) -> Watch {
        Watch(resource, filter: filter) { object in
            guard let reference = OwnerReferences.controller(of: object),
                owner.isReferenced(by: reference), let name = reference["name"].stringValue
            else { return [] }
            let namespace = owner.namespaced ? object["metadata"]["namespace"].stringValue : nil
            return [ObjectKey(namespace: namespace, name: name)]
        }
    }

    /// Objects a primary names rather than owns (a Service it routes through, a child it will
    /// create under a fixed name, which may be there first): a change to one wakes every
    /// primary whose `index` lists the object's key (`namespace/name`). The index is added
    /// to `primaries`, the primary's cache.
    public static func referenced(
        _ resource: ResourceDescriptor, by index: Indexer, in primaries: ObjectCache, filter: EventFilter = .all
    ) -> Watch {
        primaries.addIndexer(index)
        return Watch(resource, filter: filter) { object in
            guard let key = ObjectKey(of: object) else { return [] }
            return Array(primaries.keys(index: index.name, value: key.description))
        }
    }

    /// Any other resource, mapped to the keys it affects by a function (a ConfigMap wakes
    /// every object that mounts it, say).
    public static func mapped(
        _ resource: ResourceDescriptor, filter: EventFilter = .all, _ keys: @escaping @Sendable (JSONValue) -> [ObjectKey]
    ) -> Watch {
        Watch(resource, filter: filter, keys: keys)
    }

    /// The keys an event wakes: for an update, those of the old and the new object, so a
    /// child that changed owners wakes both.
    func keys(for event: InformerEvent) -> Set<ObjectKey> {
        guard filter.accepts(event) else { return [] }
        switch event {
        case .added(let object), .deleted(let object, _):
            return Set(keys(object))
        case .updated(let old, let new):
            return Set(keys(old)).union(keys(new))
        }
    }
}
