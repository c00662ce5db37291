import Cloud
import Foundation
import KubeClient
import OpsAPI
import Testing
import TestSupport

/// A SecurityAudit on the embedded cluster with AWS configured (a real moto server): the
/// cloud posture findings reach the SecurityReport's `cloud` section, count in the audit's
/// status with the cluster's findings, and trip `failOn`. The operator's AWS secret key
/// appears nowhere.
@Suite("SecurityAudit with a cloud on the embedded cluster", .serialized)
struct SecurityAuditCloudTests {
    static let plantedSecretKey = "Planted/Audit+SecretKey0123456789abcdefXY"
    let audits = SecurityAuditClusterTests()

    @Test func eksAndEC2FindingsReachTheReportAndTheStatusCounts() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        var settings = AWSSettings(region: "us-east-1", endpointURL: moto.url, environment: isolatedAWSEnvironment())
        settings.staticCredentials = AWSCredentials(accessKeyID: "AKIAAUDIT0123456789", secretAccessKey: Self.plantedSecretKey,
                                                    source: "test Secret")
        let clouds = CloudClients(aws: settings, gcp: nil)
        let aws = try clouds.aws()
        // Open to the internet, logging off; a version in standard support (so only these two, and encryption, are judged).
        try await aws.createEKSCluster("prod", version: "1.31", publicCIDRs: ["0.0.0.0/0"])
        let loose = try await aws.runInstances(1, httpTokens: "optional")
        try await aws.runInstances(1, httpTokens: "required")

        let cluster = try await RolloutCluster.start(securityAudits: true, cloud: clouds)
        defer { Task { await cluster.stopOperator(); await cluster.sim.stop() } }
        let ns = try await cluster.namespace("cloudaudit")
        _ = try await cluster.client.create(SecurityAuditClusterTests.audits, [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit", "metadata": ["name": "with-cloud", "namespace": .string(ns)],
            "spec": ["scope": ["namespaces": [.string(ns)]], "failOn": "high"],
        ], namespace: ns)
        let audit = try await audits.waitForRun(cluster, "with-cloud", ns, "the audit's first run")
        let report = try await audits.latestReport(cluster, audit)
        let cloud = report["report"]["cloud"]
        #expect(cloud["errors"].arrayValue?.isEmpty == true, "\(cloud["errors"])")
        #expect(cloud["examined"] == ["EKSCluster": 1, "EC2Instance": 2])
        let findings = cloud["findings"].arrayValue ?? []
        let on = { (check: String) in findings.filter { $0["checkID"].stringValue == check }.compactMap { $0["name"].stringValue } }
        #expect(on("OPS-CLOUD-001") == ["prod"], "public endpoint open to 0.0.0.0/0")
        #expect(on("OPS-CLOUD-002") == ["prod"], "control-plane logging off")
        #expect(on("OPS-CLOUD-003").isEmpty, "1.31 is in standard support")
        #expect(on("OPS-CLOUD-009") == loose, "only the instance allowing IMDSv1")
        #expect(findings.allSatisfy { $0["location"].stringValue?.hasPrefix("us-east-1") == true && !($0["remediation"].stringValue ?? "").isEmpty })

        // The status counts the cloud's findings with the cluster's, and failOn sees them.
        let clusterFindings = report["report"]["findings"].arrayValue ?? []
        for severity in ["critical", "high", "medium", "low"] {
            let expected = (clusterFindings + findings).filter { $0["severity"].stringValue?.lowercased() == severity }.count
            #expect(audit["status"]["counts"][severity].intValue == expected, "\(severity): \(audit["status"]["counts"])")
            #expect(report["report"]["counts"][severity].intValue == expected, "the report's \(severity) count")
        }
        #expect((audit["status"]["counts"]["high"].intValue ?? 0) >= 1)
        #expect(audit["status"]["phase"] == "Failed" && audit["status"]["message"].stringValue?.contains("failOn (high)") == true,
                "\(audit["status"]["message"])")
        let events = try await cluster.client.list(.events, namespace: ns).items
        #expect(![audit, report, .array(events)].contains { $0.serialized().contains(Self.plantedSecretKey) })
    }
}
