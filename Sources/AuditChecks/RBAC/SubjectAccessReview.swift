import KubeClient

/// The access review of one subject (user, group or service account): every binding that
/// names it, what those bindings let it do that matters for security, and a risk score.
///
/// `riskScore` is the sum of the weights of its distinct risks, capped at 100:
///
/// | risk | weight |
/// |---|---|
/// | cluster-admin (or `*` on `*`) cluster-wide | 100 |
/// | `*` on `*` in one namespace | 60 |
/// | subject is `system:anonymous` or `system:unauthenticated` and holds any role | 50 |
/// | a wildcard in verbs, resources or API groups | 40 |
/// | read Secrets in every namespace | 35 |
/// | `escalate` or `bind` | 35 |
/// | `impersonate` | 35 |
/// | `pods/exec` | 25 |
/// | read Secrets in a namespace | 15 |
/// | `pods/attach` | 15 |
/// | create pods or pod controllers | 15 |
///
/// A risk counts once per subject, at its largest weight.
public struct SubjectAccessReview: Sendable, Hashable, Codable {
    public struct SubjectRef: Sendable, Hashable, Codable, Comparable {
        public var kind: String
        public var name: String
        /// Service accounts only.
        public var namespace: String?

        public static func < (a: SubjectRef, b: SubjectRef) -> Bool {
            (a.kind, a.namespace ?? "", a.name) < (b.kind, b.namespace ?? "", b.name)
        }
    }

    public struct Risk: Sendable, Hashable, Codable {
        /// A stable key (`cluster-admin`, `secrets-cluster-wide`, `pods-exec`…).
        public var id: String
        public var weight: Int
        /// Which binding grants it, in words.
        public var detail: String
    }

    public var subject: SubjectRef
    public var bindings: [AuditObject]
    /// Risks, heaviest first.
    public var risks: [Risk]
    public var riskScore: Int
}

/// Builds the access review from the audited bindings.
struct AccessReviewer {
    let rbac: RBACIndex
    private var bySubject: [SubjectAccessReview.SubjectRef: (bindings: [AuditObject], risks: [String: SubjectAccessReview.Risk])] = [:]

    init(rbac: RBACIndex) { self.rbac = rbac }

    static let workloadResources = ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"]

    mutating func add(_ binding: AuditedBinding) {
        let rules = rbac.rules(for: binding) ?? []
        let clusterWide = binding.isClusterWide
        let via = "\(binding.object.kind) \(binding.object.namespace.isEmpty ? "" : binding.object.namespace + "/")\(binding.object.name) → \(binding.roleRef.kind) \(binding.roleRef.name)"
        let scope = clusterWide ? "in every namespace" : "in namespace \(binding.object.namespace)"
        var found: [SubjectAccessReview.Risk] = []
        func risk(_ id: String, _ weight: Int, _ what: String) {
            found.append(SubjectAccessReview.Risk(id: id, weight: weight, detail: "\(what) \(scope) via \(via)"))
        }
        let fullAdmin = (binding.roleRef.kind == "ClusterRole" && binding.roleRef.name == "cluster-admin")
            || rules.contains(where: \.isFullWildcard)
        if fullAdmin {
            clusterWide ? risk("cluster-admin", 100, "full control") : risk("namespace-admin", 60, "full control")
        } else if rules.contains(where: \.hasWildcard) {
            risk("wildcard", 40, "wildcard permissions")
        }
        if rules.contains(where: { $0.grants(anyOf: RBACChecks.readVerbs, on: "secrets") }) {
            clusterWide ? risk("secrets-cluster-wide", 35, "reads Secrets") : risk("secrets", 15, "reads Secrets")
        }
        if rules.contains(where: { $0.namesVerb("escalate") || $0.namesVerb("bind") }) {
            risk("escalate-bind", 35, "escalate/bind")
        }
        if rules.contains(where: { $0.namesVerb("impersonate") }) { risk("impersonate", 35, "impersonate") }
        if rules.contains(where: { $0.grants(anyOf: ["create", "get"], on: "pods/exec") }) {
            risk("pods-exec", 25, "exec into pods")
        }
        if rules.contains(where: { $0.grants(anyOf: ["create", "get"], on: "pods/attach") }) {
            risk("pods-attach", 15, "attach to pods")
        }
        if rules.contains(where: { rule in
            Self.workloadResources.contains { rule.grants(anyOf: ["create"], on: $0, group: $0 == "pods" ? "" : groupOf($0)) }
        }) {
            risk("create-workloads", 15, "creates pods or pod controllers")
        }
        for subject in binding.subjects where !subject.isSystem {
            let namespace = subject.kind == "ServiceAccount" ? (subject.namespace ?? binding.object.namespace) : nil
            let ref = SubjectAccessReview.SubjectRef(kind: subject.kind, name: subject.name, namespace: namespace)
            var entry = bySubject[ref] ?? ([], [:])
            entry.bindings.append(binding.object)
            var risks = found
            if Subject.publicPrincipals.contains(subject.name) {
                risks.append(SubjectAccessReview.Risk(
                    id: "unauthenticated", weight: 50, detail: "anyone without credentials holds \(binding.roleRef.kind) \(binding.roleRef.name) via \(via)"))
            }
            for risk in risks where (entry.risks[risk.id]?.weight ?? -1) < risk.weight {
                entry.risks[risk.id] = risk
            }
            bySubject[ref] = entry
        }
    }

    private func groupOf(_ resource: String) -> String {
        resource == "jobs" || resource == "cronjobs" ? "batch" : "apps"
    }

    func reviews() -> [SubjectAccessReview] {
        bySubject.map { subject, entry in
            let risks = entry.risks.values.sorted { ($0.weight, $1.id) > ($1.weight, $0.id) }
            return SubjectAccessReview(
                subject: subject, bindings: entry.bindings.sorted(), risks: risks,
                riskScore: min(100, risks.reduce(0) { $0 + $1.weight }))
        }
        .sorted { a, b in a.riskScore != b.riskScore ? a.riskScore > b.riskScore : a.subject < b.subject }
    }
}
