import KubeClient

/// A Role or ClusterRole with the questions the RBAC checks ask of its rules.
public struct AuditedRole: Sendable {
    public let object: AuditObject
    public let labels: [String: String]
    public let rules: [PolicyRule]

    init(kind: String, object raw: JSONValue) throws {
        let role = try raw.decode(Role.self)
        object = AuditObject(kind: kind, namespace: role.metadata.namespace ?? "", name: role.metadata.name ?? "")
        labels = role.metadata.labels ?? [:]
        rules = role.rules ?? []
    }

    init(object: AuditObject, rules: [PolicyRule], labels: [String: String] = [:]) {
        self.object = object
        self.rules = rules
        self.labels = labels
    }

    /// Roles Kubernetes itself maintains (`system:*` names, or the
    /// `kubernetes.io/bootstrapping: rbac-defaults` label), which role checks skip: they
    /// are judged where they are bound.
    var isBuiltIn: Bool {
        object.name.hasPrefix("system:") || labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
    }
}

extension PolicyRule {
    /// Whether the rule grants any of `verbs` on `resource` (`pods/exec` style for
    /// subresources) in the core or any API group. Wildcards count.
    func grants(anyOf verbs: Set<String>, on resource: String, group: String = "") -> Bool {
        let groupMatches = (apiGroups ?? []).contains { $0 == "*" || $0 == group }
        guard groupMatches else { return false }
        let resourceMatches = (resources ?? []).contains { granted in
            granted == "*" || granted == resource
                || (granted.hasSuffix("/*") && resource.hasPrefix(granted.dropLast(1)))
        }
        guard resourceMatches else { return false }
        return self.verbs.contains { $0 == "*" || verbs.contains($0) }
    }

    /// Whether a verb, a resource or an API group is `*`.
    var hasWildcard: Bool {
        verbs.contains("*") || (resources ?? []).contains("*") || (apiGroups ?? []).contains("*")
    }

    /// `*` verbs on `*` resources in `*` groups: the rule cluster-admin has.
    var isFullWildcard: Bool {
        verbs.contains("*") && (resources ?? []).contains("*") && (apiGroups ?? []).contains("*")
    }

    /// Whether the rule grants `verb` itself (not through `*`) on any resource.
    func namesVerb(_ verb: String) -> Bool { verbs.contains(verb) }
}
