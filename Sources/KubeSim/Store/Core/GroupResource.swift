/// A resource type independent of version, the unit of storage: `deployments.apps`, `pods`.
///
/// All versions of a resource share one storage table, as they share one etcd prefix in a
/// real cluster.
public struct GroupResource: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var group: String
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    /// `deployments.apps`, or `pods` for the core group: how API errors name a resource.
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

    public static func < (lhs: GroupResource, rhs: GroupResource) -> Bool {
        (lhs.group, lhs.resource) < (rhs.group, rhs.resource)
    }
}

/// Where one object lives: namespace (empty for cluster-scoped objects) and name.
///
/// Ordered as etcd orders keys (`namespace/name`), which is the order lists are served in.
public struct StoreKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: StoreKey, rhs: StoreKey) -> Bool {
        if lhs.namespace != rhs.namespace { return lhs.namespace < rhs.namespace }
        return lhs.name < rhs.name
    }
}
