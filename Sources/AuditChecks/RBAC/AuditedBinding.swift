import KubeClient

/// A RoleBinding or ClusterRoleBinding: who is bound, to which role.
public struct AuditedBinding: Sendable {
    public let object: AuditObject
    public let subjects: [Subject]
    public let roleRef: RoleRef

    init(kind: String, object raw: JSONValue) throws {
        let binding = try raw.decode(RoleBinding.self)
        object = AuditObject(
            kind: kind, namespace: binding.metadata.namespace ?? "", name: binding.metadata.name ?? "")
        subjects = binding.subjects ?? []
        roleRef = binding.roleRef
    }

    /// A ClusterRoleBinding grants its role in every namespace; a RoleBinding only in its own.
    public var isClusterWide: Bool { object.kind == "ClusterRoleBinding" }
}

extension Subject {
    /// `ServiceAccount ns/name`, `User alice`, `Group devs`.
    var displayName: String {
        kind == "ServiceAccount" ? "ServiceAccount \(namespace ?? "")/\(name)" : "\(kind) \(name)"
    }

    /// Users and groups Kubernetes components authenticate as (`system:` names other than
    /// the anonymous and all-users groups), and service accounts of `kube-system`.
    var isSystem: Bool {
        if kind == "ServiceAccount" { return namespace == "kube-system" }
        if Self.publicPrincipals.contains(name) || name == "system:authenticated" { return false }
        return name.hasPrefix("system:")
    }

    /// Anyone at all: `system:anonymous` and `system:unauthenticated`.
    static let publicPrincipals: Set<String> = ["system:anonymous", "system:unauthenticated"]
}
