import AuditChecks
import Foundation
import KubeClient
import OpsAPI
import Testing

/// The SecurityAudit spec maps onto the engine's policy, and a SecurityReport stays under
/// its byte budget however many findings a run has, counting what it left out.
@Suite struct SecurityAuditAPITests {
    static func pod(_ index: Int) -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod",
         "metadata": ["name": .string("pod-\(index)"), "namespace": .string("ns-\(index % 7)")],
         "spec": ["containers": [["name": "app", "image": "nginx:latest", "securityContext": ["privileged": true],
                                  "env": [["name": "DB_PASSWORD", "value": .string("hunter2-\(index)-Zq9")]]]]]]
    }

    @Test func theSpecDecodesIntoThePolicyTheEngineValidates() throws {
        let spec: JSONValue = [
            "schedule": "0 3 * * *", "frameworks": ["CIS", "PSS-Restricted"], "failOn": "high",
            "checks": ["include": ["PodSecurity", "OPS-NOPE-1"]],
            "exceptions": [["check": "OPS-POD-001", "reason": "legacy", "expires": "2030-01-01T00:00:00Z"]],
        ]
        let decoded = try spec.decode(SecurityAuditSpec.self)
        #expect(decoded.policy.failOn == .high)
        #expect(decoded.policy.frameworks == ["CIS", "PSS-Restricted"])
        #expect(decoded.policy.exceptions.first?.expires != nil)
        let issues = AuditEngine().validate(decoded.policy)
        #expect(issues.map(\.fieldPath) == ["spec.checks.include[1]"])
    }

    @Test func aLargeRunIsTruncatedUnderTheBudgetWithADroppedCount() throws {
        let report = try AuditEngine().audit(AuditInventory(objects: (0..<600).map(Self.pod)))
        #expect(report.findings.count > 1000)
        let budget = 64 * 1024
        let body = SecurityReportBody(runID: "g1-first", report: report, budget: budget)
        #expect(body.droppedFindings > 0)
        #expect(body.findings.count + body.droppedFindings == report.findings.count)
        let bytes = try JSONValue(encoding: body.findings).serializedBytes().count
            + JSONValue(encoding: body.accessReview).serializedBytes().count
        #expect(bytes <= budget)
        // The most severe findings are the ones kept.
        #expect(body.findings.first?.severity == .critical)
        // No credential value reaches the report.
        let text = try JSONValue(encoding: body).serialized(pretty: false)
        #expect(!text.contains("hunter2"))
    }

    @Test func aLargeRunIsSplitOverReportsEachUnderTheBudget() throws {
        let report = try AuditEngine().audit(AuditInventory(objects: (0..<600).map(Self.pod)))
        let budget = 64 * 1024
        let parts = SecurityReportBody.parts(runID: "g1-first", report: report, budget: budget, maxParts: 100)
        #expect(parts.count > 1)
        // Every finding is in exactly one part, in report order; nothing was dropped.
        #expect(parts.flatMap(\.findings) == report.findings)
        #expect(parts.allSatisfy { $0.droppedFindings == 0 })
        for (index, part) in parts.enumerated() {
            #expect(part.part == index + 1 && part.parts == parts.count)
            let bytes = try JSONValue(encoding: part.findings).serializedBytes().count
                + JSONValue(encoding: part.accessReview).serializedBytes().count
            #expect(bytes <= budget, "part \(index + 1) holds \(bytes) bytes")
        }
        #expect(SecurityReportBody.partName("audit-g1-first", part: 1) == "audit-g1-first")
        #expect(SecurityReportBody.partName("audit-g1-first", part: 3) == "audit-g1-first-p3")
        // Past the most parts, the rest is counted as dropped in every part.
        let capped = SecurityReportBody.parts(runID: "g1-first", report: report, budget: budget, maxParts: 2)
        #expect(capped.count == 2)
        #expect(capped.flatMap(\.findings).count + capped[0].droppedFindings == report.findings.count)
        #expect(capped[0].droppedFindings > 0 && capped[1].droppedFindings == capped[0].droppedFindings)
        // A run that fits is one report, without part numbers.
        let small = SecurityReportBody.parts(runID: "g1-first", report: try AuditEngine().audit(AuditInventory(objects: [Self.pod(1)])))
        #expect(small.count == 1 && small[0].part == nil && small[0].parts == nil)
    }

    @Test func theCRDEnumeratesFrameworksAndSeverities() {
        let spec = SecurityAudit.definition.json["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        #expect(spec["frameworks"]["items"]["enum"].arrayValue?.compactMap(\.stringValue) == Framework.allCases.map(\.rawValue))
        #expect(spec["failOn"]["enum"].arrayValue?.compactMap(\.stringValue) == ["critical", "high", "medium", "low"])
        let columns = SecurityAudit.definition.printerColumns.filter { $0.priority == 0 }.map { $0.name.uppercased() }
        #expect(columns == ["CRITICAL", "HIGH", "SCORE", "LAST RUN", "AGE"])
    }
}
