/// The set of checks an engine runs, in a stable order, with lookup by ID.
public struct CheckCatalog: Sendable {
    public let checks: [AuditCheck]
    private let byID: [String: Int]

    /// Every built-in check: pod security, workload hygiene, secrets and identity, RBAC,
    /// network exposure, namespace posture and vulnerabilities.
    public static let standard = CheckCatalog(
        checks: PodSecurityChecks.all + WorkloadHygieneChecks.all + SecretsIdentityChecks.all + RBACChecks.all
            + NetworkExposureChecks.all + NamespacePostureChecks.all + VulnerabilityChecks.all)

    init(checks: [AuditCheck]) {
        self.checks = checks
        var byID: [String: Int] = [:]
        for (index, check) in checks.enumerated() {
            precondition(byID[check.id.uppercased()] == nil, "duplicate check ID \(check.id)")
            byID[check.id.uppercased()] = index
        }
        self.byID = byID
    }

    /// The check with this ID (any capitalisation).
    public func check(id: String) -> AuditCheck? { byID[id.uppercased()].map { checks[$0] } }
}
