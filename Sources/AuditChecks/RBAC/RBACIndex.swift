import KubeClient

/// Roles, ClusterRoles and ServiceAccounts by name, built once per audit, so that a
/// binding resolves its role and subjects in constant time.
struct RBACIndex: Sendable {
    /// `namespace/name` → Role rules.
    private var roles: [String: [PolicyRule]] = [:]
    private var clusterRoles: [String: [PolicyRule]] = [:]
    /// `namespace/name` of every ServiceAccount.
    private var serviceAccounts: [String: ServiceAccount] = [:]
    /// Whether the inventory holds ServiceAccounts at all (a missing one means something
    /// only then).
    private(set) var knowsServiceAccounts = false
    /// Whether the inventory holds Roles or ClusterRoles at all.
    private(set) var knowsRoles = false

    init() {}

    init(inventory: AuditInventory) {
        for raw in inventory.roles {
            guard let role = try? raw.decode(Role.self) else { continue }
            roles[(role.metadata.namespace ?? "") + "/" + (role.metadata.name ?? "")] = role.rules ?? []
        }
        for raw in inventory.clusterRoles {
            guard let role = try? raw.decode(ClusterRole.self) else { continue }
            clusterRoles[role.metadata.name ?? ""] = role.rules ?? []
        }
        knowsServiceAccounts = !inventory.serviceAccounts.isEmpty
        knowsRoles = !inventory.roles.isEmpty || !inventory.clusterRoles.isEmpty
        for raw in inventory.serviceAccounts {
            let ns = raw["metadata"]["namespace"].stringValue ?? ""
            let name = raw["metadata"]["name"].stringValue ?? ""
            var account = ServiceAccount(metadata: ObjectMeta(name: name, namespace: ns))
            account.automountServiceAccountToken = raw["automountServiceAccountToken"].boolValue
            serviceAccounts[ns + "/" + name] = account
        }
    }

    /// The rules a binding grants, nil when its role is not in the inventory.
    func rules(for binding: AuditedBinding) -> [PolicyRule]? {
        switch binding.roleRef.kind {
        case "ClusterRole": clusterRoles[binding.roleRef.name]
        case "Role": roles[binding.object.namespace + "/" + binding.roleRef.name]
        default: nil
        }
    }

    func serviceAccount(namespace: String, name: String) -> ServiceAccount? {
        serviceAccounts[namespace + "/" + name]
    }
}
