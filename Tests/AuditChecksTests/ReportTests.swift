import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Reports: counts, frameworks, risk score, order")
struct ReportTests {
    func insecure() -> JSONValue {
        var spec = Fixtures.podSpec()
        spec["hostPID"] = true
        spec.editContainer { c in
            c["securityContext"]["privileged"] = true
            c["resources"] = nil
        }
        return Fixtures.deployment(spec: spec)
    }

    @Test("Counts by severity follow the unwaived findings; failOn fails the audit at its severity")
    func counts() throws {
        var policy = Fixtures.policy
        policy.failOn = .critical
        let report = try Fixtures.audit([insecure()], policy: policy)
        #expect(report.counts.critical == 1)  // privileged
        #expect(report.counts.high == 1)  // hostPID
        #expect(report.counts.medium == 1)  // memory limit
        #expect(report.counts.low == 3)  // CPU limit, CPU and memory requests
        #expect(report.counts.total == report.findings.count)
        #expect(report.failed)
        #expect(try Fixtures.audit([insecure()]).failed == false)  // no failOn: never fails
    }

    @Test("Framework summaries pass and fail controls by their mapped checks")
    func frameworks() throws {
        let clean = try Fixtures.audit([Fixtures.deployment()])
        for summary in clean.frameworks {
            #expect(summary.failed == 0, "\(summary.framework)")
        }
        let cleanCIS = try #require(clean.frameworks.first { $0.framework == .cis })
        #expect(cleanCIS.score == 100)
        #expect(cleanCIS.passed == FrameworkCatalog.controls(of: .cis).count)

        let report = try Fixtures.audit([insecure()])
        let cis = try #require(report.frameworks.first { $0.framework == .cis })
        #expect(cis.failedControls == ["5.2.2", "5.2.3"])
        #expect(cis.passed + cis.failed + cis.notEvaluated == FrameworkCatalog.controls(of: .cis).count)
        #expect(cis.score == cis.passed * 100 / (cis.passed + cis.failed))
        let baseline = try #require(report.frameworks.first { $0.framework == .pssBaseline })
        #expect(baseline.failedControls == ["HostNamespaces", "PrivilegedContainers"])
    }

    @Test("Only the requested frameworks are summarised; excluded checks leave controls unevaluated")
    func frameworkSelection() throws {
        var policy = Fixtures.policy
        policy.frameworks = ["pss-baseline"]
        policy.checks.exclude = ["OPS-POD-022"]
        let report = try Fixtures.audit([insecure()], policy: policy)
        #expect(report.frameworks.map(\.framework) == [.pssBaseline])
        #expect(report.frameworks[0].notEvaluated == 1)  // HostProcess
    }

    @Test("The risk score follows the documented formula")
    func riskScore() throws {
        func finding(_ id: String, _ severity: Severity, cve: String? = nil, name: String = "a") -> Finding {
            Finding(checkID: id, category: .podSecurity, severity: severity, title: "", object: AuditObject(kind: "Pod", name: name), message: "", cveId: cve)
        }
        #expect(RiskScore.score([]) == 0)
        #expect(RiskScore.score([finding("A", .critical)]) == 25)
        #expect(RiskScore.score([finding("A", .high)]) == 10)
        // the same problem on many objects counts once
        #expect(RiskScore.score((0..<50).map { finding("A", .critical, name: "p\($0)") }) == 25)
        // four criticals: 1 − 0.75⁴ = 0.6836
        #expect(RiskScore.score((0..<4).map { finding("C\($0)", .critical) }) == 68)
        // CVEs count per CVE
        #expect(RiskScore.score([finding("V", .critical, cve: "CVE-1"), finding("V", .critical, cve: "CVE-2")]) == 44)
        #expect(RiskScore.score((0..<40).map { finding("C\($0)", .critical) }) == 100)
        let report = try Fixtures.audit([insecure()])
        // 1 critical, 1 high, 1 medium, 3 low
        let expected = Int((100 * (1 - 0.75 * 0.90 * 0.96 * pow(0.99, 3))).rounded())
        #expect(report.riskScore == expected)
    }

    @Test("Findings are ordered most severe first, and two audits give identical reports")
    func determinism() throws {
        let objects = [insecure(), Fixtures.deployment("api", spec: Fixtures.podSpec()), Fixtures.namespaceObject("zeta", labels: [:])]
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let a = try Fixtures.audit(objects, now: now)
        let b = try Fixtures.audit(objects.reversed(), now: now)
        #expect(a == b)
        #expect(try JSONValue(encoding: a).serialized() == JSONValue(encoding: b).serialized())
        let severities = a.findings.map(\.severity.rank)
        #expect(severities == severities.sorted(by: >))
        #expect(a.topFindings(2).map(\.checkID) == ["OPS-POD-001", "OPS-POD-011"])
    }

    @Test("The report budget truncates with a count and splits into chunks under the budget")
    func budget() throws {
        let findings = (0..<500).map { i in
            Finding(checkID: "OPS-POD-001", category: .podSecurity, severity: .critical, title: "Privileged container",
                    object: AuditObject(kind: "Deployment", namespace: "ns-\(i)", name: "app-\(i)"), container: "app",
                    message: "securityContext.privileged is true")
        }
        let whole = try JSONValue(encoding: findings).serializedBytes().count
        #expect(ReportBudget.truncate(findings, toBytes: whole).dropped == 0)
        let truncated = ReportBudget.truncate(findings, toBytes: whole / 3)
        #expect(truncated.dropped > 0)
        #expect(truncated.kept.count + truncated.dropped == 500)
        #expect(truncated.kept == Array(findings.prefix(truncated.kept.count)))
        let keptBytes = try JSONValue(encoding: truncated.kept).serializedBytes().count
        #expect(keptBytes == truncated.bytes)
        #expect(keptBytes <= whole / 3)
        // one more would not have fitted
        let onePlus = try JSONValue(encoding: Array(findings.prefix(truncated.kept.count + 1))).serializedBytes().count
        #expect(onePlus > whole / 3)

        let split = ReportBudget.split(findings, intoChunksOf: 10_000)
        #expect(split.dropped == 0)
        #expect(split.chunks.flatMap { $0 } == findings)
        for chunk in split.chunks {
            #expect(try JSONValue(encoding: chunk).serializedBytes().count <= 10_000)
        }
        #expect(ReportBudget.split(findings, intoChunksOf: 50).dropped == 500)
        // A chunk limit keeps the first chunks exactly, and stops there.
        let limited = ReportBudget.split(findings, intoChunksOf: 10_000, maxChunks: 2)
        #expect(split.chunks.count > 2)
        #expect(limited.chunks == Array(split.chunks.prefix(2)))
        #expect(ReportBudget.split(findings, intoChunksOf: 10_000, maxChunks: 0).chunks.isEmpty)
    }
}
