/// The area a check belongs to. A SecurityAudit can include or exclude a whole category
/// by its raw value (`checks.exclude: [WorkloadHygiene]`).
public enum CheckCategory: String, Sendable, Hashable, CaseIterable, Codable {
    /// Privileges, host namespaces, capabilities, seccomp, AppArmor… of pods and containers.
    case podSecurity = "PodSecurity"
    /// Resources, probes, image references.
    case workloadHygiene = "WorkloadHygiene"
    /// Credentials in the pod spec and the service account identity pods run with.
    case secretsAndIdentity = "SecretsAndIdentity"
    /// Who may do what: Roles, ClusterRoles and their bindings.
    case rbac = "RBAC"
    /// NetworkPolicies, Services and Ingresses that expose workloads.
    case networkExposure = "NetworkExposure"
    /// Namespace-wide settings such as Pod Security admission labels.
    case namespacePosture = "NamespacePosture"
    /// Known CVEs from Trivy Operator's VulnerabilityReports.
    case vulnerabilities = "Vulnerabilities"

    /// Matches the raw value in any capitalisation.
    public init?(parsing text: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = match
    }
}
