import KubeClient

/// What a rule may consult besides the object it judges: the image policy and indexes
/// built once per audit (namespaces with NetworkPolicies, ServiceAccounts, roles). Every
/// lookup is a dictionary or set access, so an audit stays linear in the inventory.
struct AuditContext: Sendable {
    var imagePolicy: ImagePolicy
    var rbac: RBACIndex
    /// Namespaces with at least one NetworkPolicy.
    var namespacesWithNetworkPolicy: Set<String>

    init(imagePolicy: ImagePolicy = ImagePolicy(), rbac: RBACIndex = RBACIndex(), namespacesWithNetworkPolicy: Set<String> = []) {
        self.imagePolicy = imagePolicy
        self.rbac = rbac
        self.namespacesWithNetworkPolicy = namespacesWithNetworkPolicy
    }
}
