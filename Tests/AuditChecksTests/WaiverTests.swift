import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Waivers")
struct WaiverTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func privileged(_ name: String, namespace: String = Fixtures.namespace) -> JSONValue {
        var spec = Fixtures.podSpec()
        spec.editContainer { $0["securityContext"]["privileged"] = true }
        return Fixtures.deployment(name, namespace: namespace, spec: spec)
    }

    func policy(_ waiver: Waiver) -> AuditPolicy {
        var policy = Fixtures.policy
        policy.exceptions = [waiver]
        return policy
    }

    @Test("An active waiver hides matching findings and counts them")
    func activeWaiverHides() throws {
        let waiver = Waiver(check: "OPS-POD-001", name: "agent-*", namespace: "shop", reason: "node agent, reviewed",
                            expires: KubeTime(now.addingTimeInterval(3600)))
        let report = try Fixtures.audit([privileged("agent-a"), privileged("web")], policy: policy(waiver), now: now)
        #expect(report.findings(of: "OPS-POD-001").map(\.object.name) == ["web"])
        #expect(report.waivedFindings.map(\.object.name) == ["agent-a"])
        #expect(report.waivers == [WaiverStatus(index: 0, check: "OPS-POD-001", reason: "node agent, reviewed",
                                                expires: waiver.expires, expired: false, matchedFindings: 1)])
        #expect(report.expiredWaivers.isEmpty)
    }

    @Test("An expired waiver stops applying and is reported as expired")
    func expiredWaiverStopsApplying() throws {
        let waiver = Waiver(check: "OPS-POD-001", name: "agent-*", reason: "temporary", expires: KubeTime(now.addingTimeInterval(-1)))
        let report = try Fixtures.audit([privileged("agent-a")], policy: policy(waiver), now: now)
        #expect(report.findings(of: "OPS-POD-001").map(\.object.name) == ["agent-a"])
        #expect(report.waivedFindings.isEmpty)
        #expect(report.expiredWaivers.count == 1)
        #expect(report.expiredWaivers.first?.matchedFindings == 1)
    }

    @Test("The same waiver applies before its expiry and not at it")
    func expiryBoundary() throws {
        let expiry = now
        let waiver = Waiver(check: "PodSecurity", reason: "migration", expires: KubeTime(expiry))
        let before = try Fixtures.audit([privileged("web")], policy: policy(waiver), now: expiry.addingTimeInterval(-1))
        let at = try Fixtures.audit([privileged("web")], policy: policy(waiver), now: expiry)
        #expect(before.findings(of: "OPS-POD-001").isEmpty)
        #expect(!at.findings(of: "OPS-POD-001").isEmpty)
        #expect(at.waivers.first?.expired == true)
    }

    @Test("Waivers match on check, kind, namespace and name pattern")
    func matching() throws {
        let finding = Finding(checkID: "OPS-POD-001", category: .podSecurity, severity: .critical, title: "t",
                              object: AuditObject(kind: "Deployment", namespace: "shop", name: "web-canary"), message: "m")
        #expect(Waiver(check: "ops-pod-001", reason: "r").covers(finding))
        #expect(Waiver(check: "PodSecurity", name: "*-canary", reason: "r").covers(finding))
        #expect(Waiver(check: "OPS-POD-001", name: "web*", namespace: "sh*", kind: "Deployment", reason: "r").covers(finding))
        #expect(!Waiver(check: "OPS-POD-002", reason: "r").covers(finding))
        #expect(!Waiver(check: "OPS-POD-001", namespace: "prod", reason: "r").covers(finding))
        #expect(!Waiver(check: "OPS-POD-001", kind: "StatefulSet", reason: "r").covers(finding))
        #expect(!Waiver(check: "OPS-POD-001", name: "api-*", reason: "r").covers(finding))
    }

    @Test("A waived critical finding no longer fails the audit")
    func failOnIgnoresWaived() throws {
        var policy = policy(Waiver(check: "OPS-POD-001", reason: "accepted"))
        policy.failOn = .critical
        #expect(try Fixtures.audit([privileged("web")], policy: policy).failed == false)
        policy.exceptions = []
        #expect(try Fixtures.audit([privileged("web")], policy: policy).failed == true)
        policy.failOn = nil
        #expect(try Fixtures.audit([privileged("web")], policy: policy).failed == false)
    }

    @Test("Waivers decode from a SecurityAudit spec with an RFC 3339 expiry")
    func decoding() throws {
        let spec: JSONValue = [
            "failOn": "HIGH",
            "exceptions": [["check": "OPS-WL-007", "namespace": "dev", "reason": "dev images", "expires": "2027-01-31T00:00:00Z"]],
        ]
        let policy = try spec.decode(AuditPolicy.self)
        #expect(policy.failOn == .high)
        #expect(policy.exceptions.first?.expires == KubeTime("2027-01-31T00:00:00Z"))
        #expect(policy.scope.includeClusterScoped)
        #expect(policy.imagePolicy.forbidLatest)
    }
}
