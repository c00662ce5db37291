import KubeClient

/// Role-based access control as kube-apiserver's RBAC authorizer evaluates it: a request is
/// allowed when a rule of a (Cluster)Role bound to the user, one of its groups or its
/// ServiceAccount covers it. `system:masters` is allowed everything. Rules are read from
/// the store on each decision, so changes to roles and bindings apply at once.
public struct RBACAuthorizer: Authorizing {
    let store: ObjectStore

    static let roles = GroupResource(group: "rbac.authorization.k8s.io", resource: "roles")
    static let clusterRoles = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterroles")
    static let roleBindings = GroupResource(group: "rbac.authorization.k8s.io", resource: "rolebindings")
    static let clusterRoleBindings = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterrolebindings")

    public init(store: ObjectStore) { self.store = store }

    public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
        if attributes.user.isClusterAdmin { return .allow("allowed by group \"system:masters\"") }
        if let reason = firstGrant(attributes) { return .allow(reason) }
        return .deny
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide rules included), for rules reviews.
    public func rules(for user: UserInfo, namespace: String) -> [JSONValue] {
        var out: [JSONValue] = []
        forEachBoundRule(user: user, namespace: namespace) { rule, _ in out.append(rule); return false }
        return out
    }

    private func firstGrant(_ attributes: AuthorizationAttributes) -> String? {
        var reason: String?
        forEachBoundRule(user: attributes.user, namespace: attributes.namespace) { rule, binding in
            if Self.rule(rule, allows: attributes) { reason = binding; return true }
            return false
        }
        return reason
    }

    /// Calls `body` with each rule bound to the user, and a description of the binding; stops when it returns true.
    private func forEachBoundRule(user: UserInfo, namespace: String, _ body: (JSONValue, String) -> Bool) {
        let clusterBindings = (try? store.list(Self.clusterRoleBindings).items) ?? []
        for binding in clusterBindings {
            let object = binding.object
            guard Self.subjects(object, include: user, bindingNamespace: "") else { continue }
            for rule in rules(ofRoleRef: object["roleRef"], namespace: "") {
                if body(rule, "RBAC: allowed by ClusterRoleBinding \"\(binding.key.name)\" of ClusterRole \"\(object["roleRef"]["name"].stringValue ?? "")\" to User \"\(user.name)\"") { return }
            }
        }
        guard !namespace.isEmpty else { return }
        let bindings = (try? store.list(Self.roleBindings, filter: ObjectFilter(namespace: namespace)).items) ?? []
        for binding in bindings {
            let object = binding.object
            guard Self.subjects(object, include: user, bindingNamespace: namespace) else { continue }
            for rule in rules(ofRoleRef: object["roleRef"], namespace: namespace) where !Self.isNonResourceRule(rule) {
                if body(rule, "RBAC: allowed by RoleBinding \"\(binding.key.name)/\(namespace)\" of \(object["roleRef"]["kind"].stringValue ?? "Role") \"\(object["roleRef"]["name"].stringValue ?? "")\" to User \"\(user.name)\"") { return }
            }
        }
    }

    private func rules(ofRoleRef ref: JSONValue, namespace: String) -> [JSONValue] {
        guard let name = ref["name"].stringValue else { return [] }
        let role: StoredObject?
        switch ref["kind"].stringValue {
        case "ClusterRole": role = store.get(Self.clusterRoles, StoreKey(namespace: "", name: name))
        case "Role" where !namespace.isEmpty: role = store.get(Self.roles, StoreKey(namespace: namespace, name: name))
        default: role = nil
        }
        return role?.object["rules"].arrayValue ?? []
    }

    static func subjects(_ binding: JSONValue, include user: UserInfo, bindingNamespace: String) -> Bool {
        for subject in binding["subjects"].arrayValue ?? [] {
            let name = subject["name"].stringValue ?? ""
            switch subject["kind"].stringValue {
            case "User": if name == user.name { return true }
            case "Group": if user.groups.contains(name) { return true }
            case "ServiceAccount":
                let namespace = subject["namespace"].stringValue ?? bindingNamespace
                if user.name == "system:serviceaccount:\(namespace):\(name)" { return true }
            default: continue
            }
        }
        return false
    }

    static func isNonResourceRule(_ rule: JSONValue) -> Bool {
        !(rule["nonResourceURLs"].arrayValue ?? []).isEmpty
    }

    static func rule(_ rule: JSONValue, allows a: AuthorizationAttributes) -> Bool {
        let verbs = strings(rule["verbs"])
        guard verbs.contains("*") || verbs.contains(a.verb) else { return false }
        if !a.isResourceRequest {
            return strings(rule["nonResourceURLs"]).contains { pattern in
                pattern == "*" || pattern == a.path || (pattern.hasSuffix("*") && a.path.hasPrefix(String(pattern.dropLast())))
            }
        }
        let groups = strings(rule["apiGroups"])
        guard groups.contains("*") || groups.contains(a.apiGroup) else { return false }
        let combined = a.subresource.isEmpty ? a.resource : "\(a.resource)/\(a.subresource)"
        let resources = strings(rule["resources"])
        let resourceMatches = resources.contains { pattern in
            if pattern == "*" || pattern == combined { return true }
            if !a.subresource.isEmpty, pattern == "*/\(a.subresource)" { return true }
            return false
        }
        guard resourceMatches else { return false }
        let names = strings(rule["resourceNames"])
        return names.isEmpty || names.contains(a.name)
    }

    static func strings(_ value: JSONValue) -> [String] {
        (value.arrayValue ?? []).compactMap(\.stringValue)
    }
}
