/// Namespace posture: Pod Security admission labels.
enum NamespacePostureChecks {
    static let enforceLabel = "pod-security.kubernetes.io/enforce"

    static let all: [AuditCheck] = [
        AuditCheck(
            id: "OPS-NS-001", category: .namespacePosture, severity: .medium, title: "No Pod Security admission enforcement",
            description: "Without the pod-security.kubernetes.io/enforce label the namespace accepts privileged pods (unless another admission controller stops them).",
            remediation: "Label the namespace pod-security.kubernetes.io/enforce=restricted (or baseline), after checking with the warn and audit labels.",
            rule: .namespace { namespace, _ in
                namespace.labels[enforceLabel] == nil ? [Violation("has no \(enforceLabel) label")] : []
            }),
        AuditCheck(
            id: "OPS-NS-002", category: .namespacePosture, severity: .medium, title: "Pod Security enforcement set to privileged",
            description: "enforce=privileged admits every pod: the label documents a decision but enforces nothing.",
            remediation: "Set pod-security.kubernetes.io/enforce to baseline or restricted, and move workloads that need privileges to a dedicated namespace.",
            rule: .namespace { namespace, _ in
                namespace.labels[enforceLabel] == "privileged" ? [Violation("\(enforceLabel) is privileged")] : []
            }),
        AuditCheck(
            id: "OPS-NS-003", category: .namespacePosture, severity: .low, title: "Pod Security enforcement below restricted without warnings",
            description: "A namespace enforcing less than restricted should at least warn or audit at restricted, so violations show up before they are enforced.",
            remediation: "Add pod-security.kubernetes.io/warn=restricted and pod-security.kubernetes.io/audit=restricted.",
            rule: .namespace { namespace, _ in
                guard let level = namespace.labels[enforceLabel], level != "restricted" else { return [] }
                let watching = namespace.labels["pod-security.kubernetes.io/warn"] == "restricted"
                    || namespace.labels["pod-security.kubernetes.io/audit"] == "restricted"
                return watching ? [] : [Violation("enforces \(level) with no warn or audit label at restricted")]
            }),
    ]
}
