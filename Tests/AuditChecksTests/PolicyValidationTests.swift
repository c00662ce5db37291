import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Policy validation")
struct PolicyValidationTests {
    let engine = AuditEngine()

    @Test("The default policy and known IDs, categories and frameworks are valid")
    func validPolicies() {
        #expect(engine.validate(AuditPolicy()).isEmpty)
        let policy = AuditPolicy(
            scope: AuditScope(kinds: ["Deployment", "Namespace"]),
            checks: CheckSelection(include: ["PodSecurity", "ops-rbac-001"], exclude: ["OPS-POD-016"]),
            exceptions: [Waiver(check: "NetworkExposure", reason: "edge namespace")],
            frameworks: ["cis", "PSS-Restricted"])
        #expect(engine.validate(policy).isEmpty)
    }

    @Test("Unknown check IDs, categories, frameworks and kinds are reported with their field paths")
    func unknownNames() {
        let policy = AuditPolicy(
            scope: AuditScope(namespaces: ["shop", ""], kinds: ["Deployment", "Widget"]),
            checks: CheckSelection(include: ["OPS-POD-001", "PodSecurity", "OPS-POD-999"], exclude: ["Networking"]),
            exceptions: [
                Waiver(check: "OPS-WL-001", reason: "ok"),
                Waiver(check: "KSV-0017", reason: " "),
            ],
            imagePolicy: ImagePolicy(allowedRegistries: ["ghcr.io", ""]),
            frameworks: ["CIS", "PCI-DSS"])
        let issues = engine.validate(policy)
        #expect(issues.map(\.fieldPath) == [
            "spec.checks.include[2]", "spec.checks.exclude[0]", "spec.frameworks[1]", "spec.scope.kinds[1]",
            "spec.scope.namespaces[1]", "spec.exceptions[1].check", "spec.exceptions[1].reason",
            "spec.imagePolicy.allowedRegistries[1]",
        ])
        #expect(issues[0].message.contains("OPS-POD-999"))
        #expect(issues[2].message.contains("PCI-DSS"))
        #expect(issues[2].message.contains("NSA-CISA"))
    }

    @Test("Auditing with an invalid policy throws the issues and audits nothing")
    func auditRefusesInvalidPolicy() {
        let policy = AuditPolicy(checks: CheckSelection(exclude: ["OPS-NOPE"]))
        #expect(throws: InvalidAuditPolicy(issues: [PolicyIssue(
            fieldPath: "spec.checks.exclude[0]",
            message: engine.validate(policy)[0].message)])) {
            try engine.audit(AuditInventory(objects: [Fixtures.deployment()]), policy: policy)
        }
    }

    @Test("Field paths start where the caller says")
    func customRoot() {
        let issues = engine.validate(AuditPolicy(frameworks: ["x"]), fieldPath: "spec.policy")
        #expect(issues.map(\.fieldPath) == ["spec.policy.frameworks[0]"])
    }

    @Test("Severity and category names parse in any capitalisation; unknown severities fail to decode")
    func parsing() throws {
        #expect(Severity(parsing: "CRITICAL") == .critical)
        #expect(CheckCategory(parsing: "rbac") == .rbac)
        #expect(Framework(parsing: "nist-800-53") == .nist80053)
        let bad: JSONValue = ["failOn": "severe"]
        #expect(throws: (any Error).self) { try bad.decode(AuditPolicy.self) }
    }
}
