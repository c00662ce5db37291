import KubeClient

/// RBAC: rules that hand out too much (checked on Roles and ClusterRoles other than
/// Kubernetes' own), and bindings that hand them to the wrong subjects.
enum RBACChecks {
    static let readVerbs: Set<String> = ["get", "list", "watch"]

    static let all: [AuditCheck] = [
        AuditCheck(
            id: "OPS-RBAC-001", category: .rbac, severity: .critical, title: "cluster-admin bound to a non-system subject",
            description: "cluster-admin can do anything to any object; bound to people or application accounts it makes every one of their credentials a cluster takeover.",
            remediation: "Bind a narrower role; keep cluster-admin for break-glass accounts and bind it only through reviewed, time-limited access.",
            trivy: ["KSV-0111"], kubescape: ["C-0185", "C-0035"],
            rule: .binding { binding, _ in
                guard binding.roleRef.kind == "ClusterRole", binding.roleRef.name == "cluster-admin" else { return [] }
                return binding.subjects.filter { !$0.isSystem }.map {
                    Violation("binds cluster-admin to \($0.displayName)")
                }
            }),
        roleCheck(
            id: "OPS-RBAC-002", severity: .high, title: "Wildcard in role rules",
            description: "A * in verbs, resources or API groups grants everything present and future, including kinds added later by CRDs.",
            remediation: "List the verbs, resources and API groups the subject needs.",
            trivy: ["KSV-0044", "KSV-0045", "KSV-0046"], kubescape: ["C-0187"]
        ) { rule in
            rule.hasWildcard ? "grants \(describe(rule)) with a wildcard" : nil
        },
        AuditCheck(
            id: "OPS-RBAC-003", category: .rbac, severity: .high, title: "Secrets readable cluster-wide",
            description: "A ClusterRoleBinding whose role reads secrets lets its subjects read every Secret in every namespace, including service account tokens.",
            remediation: "Grant secret access with RoleBindings in the namespaces that need it, limited by resourceNames.",
            trivy: ["KSV-0041"], kubescape: ["C-0015", "C-0186"],
            rule: .binding { binding, context in
                guard binding.isClusterWide, let rules = context.rbac.rules(for: binding),
                    rules.contains(where: { $0.grants(anyOf: readVerbs, on: "secrets") && ($0.resourceNames ?? []).isEmpty })
                else { return [] }
                return binding.subjects.filter { !$0.isSystem }.map {
                    Violation("lets \($0.displayName) read Secrets in every namespace through \(binding.roleRef.kind) \(binding.roleRef.name)")
                }
            }),
        roleCheck(
            id: "OPS-RBAC-004", severity: .high, title: "Exec into pods",
            description: "create on pods/exec runs commands inside any matching container, with its service account token and secrets.",
            remediation: "Remove pods/exec from the role; use a break-glass role for debugging.",
            trivy: ["KSV-0053"], kubescape: ["C-0002"]
        ) { rule in
            rule.grants(anyOf: ["create", "get"], on: "pods/exec") ? "grants \(describe(rule)) (pods/exec)" : nil
        },
        roleCheck(
            id: "OPS-RBAC-005", severity: .medium, title: "Attach to pods",
            description: "create on pods/attach connects to a running container's console.",
            remediation: "Remove pods/attach from the role.",
            trivy: ["KSV-0054"], kubescape: []
        ) { rule in
            rule.grants(anyOf: ["create", "get"], on: "pods/attach") ? "grants \(describe(rule)) (pods/attach)" : nil
        },
        roleCheck(
            id: "OPS-RBAC-006", severity: .high, title: "escalate or bind",
            description: "escalate lets a subject write roles with permissions it does not hold; bind lets it bind roles it does not hold. Both lead to cluster-admin.",
            remediation: "Remove the escalate and bind verbs.",
            trivy: ["KSV-0050"], kubescape: ["C-0191"]
        ) { rule in
            let verbs = ["escalate", "bind"].filter(rule.namesVerb)
            return verbs.isEmpty ? nil : "grants \(verbs.joined(separator: " and ")) on \(resources(rule))"
        },
        roleCheck(
            id: "OPS-RBAC-007", severity: .high, title: "impersonate",
            description: "impersonate lets a subject act as other users, groups or service accounts, including privileged ones.",
            remediation: "Remove the impersonate verb, or restrict it with resourceNames.",
            trivy: ["KSV-0043"], kubescape: ["C-0065", "C-0191"]
        ) { rule in
            rule.namesVerb("impersonate") && (rule.resourceNames ?? []).isEmpty
                ? "grants impersonate on \(resources(rule))" : nil
        },
        AuditCheck(
            id: "OPS-RBAC-008", category: .rbac, severity: .critical, title: "Role bound to anonymous users",
            description: "A binding to system:anonymous or system:unauthenticated grants its role to anyone who can reach the API server.",
            remediation: "Delete the binding or remove those subjects.",
            trivy: ["KSV-0122"], kubescape: ["C-0262"],
            rule: .binding { binding, _ in
                // Kubernetes' own binding that lets anyone read /version and /healthz.
                guard binding.roleRef.name != "system:public-info-viewer" else { return [] }
                return binding.subjects.filter { Subject.publicPrincipals.contains($0.name) }.map {
                    Violation("binds \(binding.roleRef.kind) \(binding.roleRef.name) to \($0.name)")
                }
            }),
        AuditCheck(
            id: "OPS-RBAC-009", category: .rbac, severity: .high, title: "Role bound to every authenticated user",
            description: "system:authenticated includes every service account and every user of every identity provider the cluster trusts.",
            remediation: "Bind the role to the groups that need it.",
            trivy: ["KSV-01011"], kubescape: ["C-0265"],
            rule: .binding { binding, _ in
                guard !binding.roleRef.name.hasPrefix("system:") else { return [] }
                return binding.subjects.filter { $0.kind == "Group" && $0.name == "system:authenticated" }.map { _ in
                    Violation("binds \(binding.roleRef.kind) \(binding.roleRef.name) to system:authenticated")
                }
            }),
        AuditCheck(
            id: "OPS-RBAC-010", category: .rbac, severity: .low, title: "Stale binding",
            description: "A binding to a role or ServiceAccount that does not exist grants nothing today, and grants its role to whatever is created later under that name.",
            remediation: "Delete the binding, or the missing subject from it.",
            rule: .binding { binding, context in
                var violations: [Violation] = []
                if context.rbac.knowsRoles, context.rbac.rules(for: binding) == nil {
                    violations.append(Violation("refers to \(binding.roleRef.kind) \(binding.roleRef.name), which does not exist"))
                }
                guard context.rbac.knowsServiceAccounts else { return violations }
                for subject in binding.subjects where subject.kind == "ServiceAccount" {
                    let namespace = subject.namespace ?? binding.object.namespace
                    if context.rbac.serviceAccount(namespace: namespace, name: subject.name) == nil {
                        violations.append(Violation("binds ServiceAccount \(namespace)/\(subject.name), which does not exist"))
                    }
                }
                return violations
            }),
        AuditCheck(
            id: "OPS-RBAC-011", category: .rbac, severity: .high, title: "Binding to system:masters",
            description: "system:masters bypasses RBAC altogether; bindings to it suggest credentials that cannot be revoked by RBAC.",
            remediation: "Remove the binding; grant a reviewed role to a revocable group instead.",
            trivy: ["KSV-0123"], kubescape: ["C-0246"],
            rule: .binding { binding, _ in
                binding.subjects.filter { $0.kind == "Group" && $0.name == "system:masters" }.map { _ in
                    Violation("binds \(binding.roleRef.kind) \(binding.roleRef.name) to system:masters")
                }
            }),
    ]

    /// A check that judges each rule of a Role or ClusterRole Kubernetes does not maintain.
    static func roleCheck(
        id: String, severity: Severity, title: String, description: String, remediation: String, trivy: [String],
        kubescape: [String], judge: @escaping @Sendable (PolicyRule) -> String?
    ) -> AuditCheck {
        AuditCheck(
            id: id, category: .rbac, severity: severity, title: title, description: description,
            remediation: remediation, trivy: trivy, kubescape: kubescape,
            rule: .role { role in
                guard !role.isBuiltIn else { return [] }
                return role.rules.enumerated().compactMap { index, rule in
                    judge(rule).map { Violation("rules[\(index)] \($0)") }
                }
            })
    }

    static func resources(_ rule: PolicyRule) -> String {
        let list = rule.resources ?? rule.nonResourceURLs ?? []
        return list.isEmpty ? "nothing" : list.joined(separator: ",")
    }

    static func describe(_ rule: PolicyRule) -> String {
        "verbs \(rule.verbs.joined(separator: ",")) on \(resources(rule)) in groups \((rule.apiGroups ?? []).map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: ","))"
    }
}
