import KubeClient

/// One check of the catalog: a stable identity users can waive and look up, and the rule
/// that finds violations.
///
/// The ID (`OPS-POD-001`) never changes meaning once released. ``trivyIDs`` and
/// ``kubescapeIDs`` name the Trivy (`KSV-0017`, legacy alias `KSV017`) and kubescape
/// (`C-0057`) checks that cover the same thing, so a report reads familiar to users of
/// those tools; an ID is listed only where its rule was compared. ``frameworks`` comes from
/// ``FrameworkCatalog``, the one table of framework controls.
public struct AuditCheck: Sendable, Identifiable {
    public let id: String
    public let category: CheckCategory
    public let severity: Severity
    public let title: String
    public let description: String
    public let remediation: String
    public let trivyIDs: [String]
    public let kubescapeIDs: [String]
    let rule: CheckRule
    /// Whether the policy turns this check on (image checks depend on the image policy).
    let isApplicable: @Sendable (AuditPolicy) -> Bool

    init(
        id: String, category: CheckCategory, severity: Severity, title: String, description: String,
        remediation: String, trivy: [String] = [], kubescape: [String] = [],
        applicable: @escaping @Sendable (AuditPolicy) -> Bool = { _ in true }, rule: CheckRule
    ) {
        self.id = id
        self.category = category
        self.severity = severity
        self.title = title
        self.description = description
        self.remediation = remediation
        self.trivyIDs = trivy
        self.kubescapeIDs = kubescape
        self.isApplicable = applicable
        self.rule = rule
    }

    /// The framework controls this check evidences, from ``FrameworkCatalog``.
    public var frameworks: [ControlReference] { FrameworkCatalog.controls(mappedTo: id) }

    /// Whether `policy` enables the check: selected by `checks.include`/`exclude` and
    /// applicable under its image policy.
    public func isEnabled(by policy: AuditPolicy) -> Bool {
        policy.checks.selects(self) && isApplicable(policy)
    }
}

/// What a rule looks at, and the function that judges one such thing. A rule returns no
/// violations when the object passes.
enum CheckRule: Sendable {
    /// A pod template (a workload's, or a bare pod's spec).
    case workload(@Sendable (AuditedWorkload, AuditContext) -> [Violation])
    case namespace(@Sendable (AuditedNamespace, AuditContext) -> [Violation])
    case service(@Sendable (Service) -> [Violation])
    case ingress(@Sendable (Ingress) -> [Violation])
    /// A Role or ClusterRole.
    case role(@Sendable (AuditedRole) -> [Violation])
    /// A RoleBinding or ClusterRoleBinding.
    case binding(@Sendable (AuditedBinding, AuditContext) -> [Violation])
    /// A Trivy Operator VulnerabilityReport.
    case vulnerabilityReport(@Sendable (VulnerabilityReportView) -> [Violation])
}

/// Builds a workload rule that judges each container (init containers included) on its
/// own and reports the container's name with the message.
func eachContainer(
    _ judge: @escaping @Sendable (AuditedContainer, AuditedWorkload, AuditContext) -> String?
) -> CheckRule {
    .workload { workload, context in
        workload.containers.compactMap { container in
            judge(container, workload, context).map { Violation(container: container.name, $0) }
        }
    }
}

/// Builds a workload rule that judges the pod as a whole.
func wholePod(_ judge: @escaping @Sendable (AuditedWorkload, AuditContext) -> String?) -> CheckRule {
    .workload { workload, context in judge(workload, context).map { [Violation($0)] } ?? [] }
}
