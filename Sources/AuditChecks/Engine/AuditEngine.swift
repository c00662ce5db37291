import Foundation
import KubeClient

/// Runs the catalog's checks over an ``AuditInventory`` under an ``AuditPolicy``.
///
/// An audit is a pure function of its inputs and `now`: one pass over each kind, with
/// per-audit indexes (owners, namespaces with NetworkPolicies, roles, service accounts)
/// so that no object is compared with every other. Workloads are checked through their
/// pod templates; a pod, ReplicaSet or Job whose controller is itself audited is skipped,
/// so each problem is reported once, on the object a user edits to fix it.
///
/// ```swift
/// let engine = AuditEngine()
/// let issues = engine.validate(policy)            // [] or field-path errors
/// let report = try engine.audit(inventory, policy: policy, now: Date())
/// status.riskScore = report.riskScore
/// status.top = report.topFindings(10)
/// ```
public struct AuditEngine: Sendable {
    public let catalog: CheckCatalog

    public init(catalog: CheckCatalog = .standard) { self.catalog = catalog }

    /// Problems with `policy`, each naming the field under `fieldPath`.
    public func validate(_ policy: AuditPolicy, fieldPath: String = "spec") -> [PolicyIssue] {
        policy.issues(against: catalog, fieldPath: fieldPath)
    }

    /// Audits `inventory`. Waivers are judged at `now`.
    ///
    /// - Throws: ``InvalidAuditPolicy`` when ``validate(_:fieldPath:)`` finds issues.
    public func audit(
        _ inventory: AuditInventory, policy: AuditPolicy = AuditPolicy(), now: Date = Date()
    ) throws(InvalidAuditPolicy) -> AuditReport {
        let issues = validate(policy)
        guard issues.isEmpty else { throw InvalidAuditPolicy(issues: issues) }
        let checks = catalog.checks.filter { $0.isEnabled(by: policy) }
        var run = AuditRun(inventory: inventory, policy: policy, checks: checks)
        run.auditWorkloads()
        run.auditNamespaces()
        run.auditServicesAndIngresses()
        run.auditRBAC()
        run.auditVulnerabilityReports()
        return run.report(now: now)
    }
}
