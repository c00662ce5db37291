import AuditChecks
import Foundation
import GraphQLAPI
import KubeClient
import OpsAPI
import Testing

/// Vulnerabilities and compliance from the SecurityReports of each audit's latest run, and
/// workflow runs started by `executeWorkflow`.
@Suite(.serialized) struct GraphQLSecurityAndWorkflowTests {
    static let cluster = ClusterBox()

    static func finding(_ check: String, _ severity: String, pod: String, namespace: String, cve: String? = nil) -> JSONValue {
        var finding: JSONValue = ["checkID": .string(check), "category": "pod-security", "severity": .string(severity),
                                  "title": .string("\(check) title"), "message": .string("container app of \(pod)"),
                                  "object": ["kind": "Pod", "namespace": .string(namespace), "name": .string(pod)], "container": "app"]
        if let cve { finding["cveId"] = .string(cve) }
        return finding
    }

    /// An audit whose status names `run` as its latest, and the report of that run (and an
    /// older run's report, which must not be shown).
    func plantAudit(_ cluster: APICluster, namespace: String) async throws {
        _ = try await cluster.admin.create(SecurityAudit.groupVersionResource, [
            "apiVersion": .string(SecurityAudit.apiVersion), "kind": .string(SecurityAudit.kind), "metadata": ["name": "nightly"], "spec": [:],
        ], namespace: namespace)
        _ = try await cluster.admin.patch(SecurityAudit.groupVersionResource, name: "nightly", namespace: namespace, type: .merge, body: [
            "status": ["phase": "Completed", "lastRunID": "run-2", "riskScore": 72, "lastRun": "2026-12-07T09:00:00Z",
                       "counts": ["critical": 1, "high": 1, "medium": 0, "low": 0, "waived": 0]],
        ], subresource: "status")
        for (run, findings) in [("run-1", [Self.finding("KSV-OLD", "critical", pod: "gone", namespace: namespace)]),
                                ("run-2", [Self.finding("OA-PS-001", "critical", pod: "web-1", namespace: namespace),
                                           Self.finding("OA-VULN", "high", pod: "web-1", namespace: namespace, cve: "CVE-2026-0001")])] {
            _ = try await cluster.admin.create(SecurityReport.groupVersionResource, [
                "apiVersion": .string(SecurityReport.apiVersion), "kind": .string(SecurityReport.kind),
                "metadata": ["name": .string("nightly-\(run)"), "labels": [.init(stringLiteral: SecurityReport.auditLabel): "nightly"]],
                "report": ["runID": .string(run), "auditedAt": .string(run == "run-2" ? "2026-12-07T09:00:00Z" : "2026-12-06T09:00:00Z"),
                           "riskScore": 72, "counts": ["critical": 1, "high": 1, "medium": 0, "low": 0, "waived": 0],
                           "frameworks": [["framework": "CIS", "title": "CIS", "passed": 3, "failed": 1, "notEvaluated": 0, "score": 75,
                                           "failedControls": .array(FrameworkCatalog.controls(of: .cis).prefix(1).map { .string($0.id) })]],
                           "objectsAudited": 10, "checksRun": 40, "findings": .array(findings), "droppedFindings": 0, "waivedFindings": 0,
                           "waivers": [], "accessReview": [], "droppedAccessReviews": 0],
            ], namespace: namespace)
        }
    }

    @Test func vulnerabilitiesAndComplianceComeFromTheLatestRunOfAuditsTheCallerMayRead() async throws {
        let cluster = try await Self.cluster.get()
        try await plantAudit(cluster, namespace: "team-a")
        try await plantAudit(cluster, namespace: "team-b")
        var all: JSONValue = .null
        try await cluster.eventually("both audits' latest findings are served") {
            all = try await cluster.data("{ vulnerabilities { id severity checkID cveId audit affectedResource { type name namespace } remediation } }")
            return all["vulnerabilities"].arrayValue?.count == 4
        }
        let items = all["vulnerabilities"].arrayValue ?? []
        #expect(!items.contains { $0["checkID"].stringValue == "KSV-OLD" }, "an older run's report is not the latest")
        #expect(items[0]["severity"].stringValue == "CRITICAL", "most severe first")
        #expect(items.contains { $0["cveId"].stringValue == "CVE-2026-0001" && $0["affectedResource"]["type"].stringValue == "pod" })
        let high = try await cluster.data("{ vulnerabilities(severity: HIGH) { checkID } }")
        #expect(high["vulnerabilities"].arrayValue?.count == 2)
        let viewer = try await cluster.data("{ vulnerabilities { audit } }", token: cluster.viewerToken)
        #expect(Set(viewer["vulnerabilities"].arrayValue?.compactMap { $0["audit"].stringValue } ?? []) == ["team-a/nightly"])

        let cis = try await cluster.data(#"{ compliance(standard: "CIS") { standard control status evidence lastChecked } }"#, token: cluster.viewerToken)
        let controls = cis["compliance"].arrayValue ?? []
        #expect(controls.count == FrameworkCatalog.controls(of: .cis).count)
        #expect(controls.first { $0["status"].stringValue == "fail" }?["control"].stringValue == FrameworkCatalog.controls(of: .cis).first?.id)
        #expect(controls.allSatisfy { $0["lastChecked"].stringValue == "2026-12-07T09:00:00Z" })
        let unknown = try await cluster.error(#"{ compliance(standard: "PCI") { control } }"#)
        #expect(unknown.contains("CIS") && unknown.contains("standard"), "\(unknown)")
        let audits = try await cluster.data("{ audits { id riskScore critical high } }", token: cluster.viewerToken)
        #expect(audits["audits"][0]["riskScore"].intValue == 72)
    }

    @Test func executeWorkflowStartsARunAsTheCaller() async throws {
        let cluster = try await Self.cluster.get()
        _ = try await cluster.admin.create(OpsWorkflow.groupVersionResource, [
            "apiVersion": .string(OpsWorkflow.apiVersion), "kind": .string(OpsWorkflow.kind), "metadata": ["name": "health"],
            "spec": ["parameters": ["target": "web"],
                     "steps": [["name": "check", "agent": "monitoring", "action": "check-system-health", "parameters": ["name": "${params.target}"]]]],
        ], namespace: "team-a")
        let started = try await cluster.data(#"mutation { executeWorkflow(workflow: "team-a/health", parameters: {target: "api", threshold: 0.9}) { id status run { workflow trigger steps { name phase } } } }"#)
        let id = try #require(started["executeWorkflow"]["id"].stringValue)
        #expect(id.hasPrefix("team-a/health-"))
        #expect(started["executeWorkflow"]["run"]["trigger"].stringValue == "api")
        #expect(started["executeWorkflow"]["run"]["steps"][0]["name"].stringValue == "check")
        let run = try await cluster.admin.get(OpsWorkflowRun.groupVersionResource, name: String(id.dropFirst("team-a/".count)), namespace: "team-a")
        #expect(run["spec"]["parameters"]["target"].stringValue == "api", "parameters override the workflow's defaults")
        #expect(run["spec"]["parameters"]["threshold"].stringValue == "0.9", "numbers are passed as text, as every run parameter is")

        let refused = try await cluster.error(#"mutation { executeWorkflow(workflow: "team-a/health") { id } }"#, token: cluster.viewerToken)
        #expect(refused.contains("forbidden"), "\(refused)")
        let missing = try await cluster.error(#"mutation { executeWorkflow(workflow: "team-a/nope") { id } }"#)
        #expect(missing.contains("not found"), "\(missing)")
        try await cluster.eventually("the run is listed") {
            try await cluster.data("{ workflowRuns { id } }")["workflowRuns"].arrayValue?.contains { $0["id"].stringValue == id } == true
        }
    }
}
