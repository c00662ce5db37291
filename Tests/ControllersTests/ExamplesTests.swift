import Foundation
import KubeClient
import OpsAPI
import Testing
import TestSupport

/// The manifests in examples/ are what a new user applies first: they must pass the CRD's
/// schema and converge.
@Suite struct ExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theBlueGreenExamplesApplyAndBecomeHealthy() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("examples")
        let dir = Self.root.appendingPathComponent("examples/bluegreen").path
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        let applied = try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", cluster.sim.kubeconfigPath, "--cache-dir", cache,
                                                               "-n", ns, "apply", "-f", dir])
        #expect(applied.status == 0, "kubectl apply failed: \(applied.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.compactMap { file -> String? in
            let text = try? String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)
            return (try? YAML.decodeAll(text ?? ""))?.first?["metadata"]["name"].stringValue
        }
        #expect(Set(names) == ["web", "checkout", "catalog"])
        for name in names {
            let done = try await cluster.waitFor(name, ns, "\(name) becomes Healthy", timeout: .seconds(90)) { Rollouts.phase($0) == "Healthy" }
            #expect(done["status"].condition("Ready")?.status == .true)
        }
    }
}

/// examples/security: the audit and the deliberately insecure workloads pass the schemas,
/// and the audit reports them.
@Suite struct SecurityExamplesTests {
    @Test func theSecurityExamplesApplyAndTheAuditReportsTheirFindings() async throws {
        let cluster = try await SecurityAuditClusterTests.cluster.get()
        let ns = try await cluster.namespace("secexamples")
        let dir = ExamplesTests.root.appendingPathComponent("examples/security").path
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        let applied = try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", cluster.sim.kubeconfigPath, "--cache-dir", cache,
                                                                       "-n", ns, "apply", "-f", dir])
        #expect(applied.status == 0, "kubectl apply failed: \(applied.stderr)")
        // The audit names the cluster-admin binding the examples create, whichever run saw it.
        try await eventually("the audit reports the cluster-admin binding", timeout: .seconds(60)) {
            let status = try await cluster.client.get(SecurityAudit.groupVersionResource, name: "cluster-audit", namespace: ns)["status"]
            guard status["lastRun"].stringValue != nil else { return false }
            if !(status["topFindings"].arrayValue ?? []).contains(where: { $0["checkID"].stringValue == "OPS-RBAC-001" }) {
                _ = try await cluster.client.patch(SecurityAudit.groupVersionResource, name: "cluster-audit", namespace: ns, type: .merge,
                                                   body: ["metadata": ["annotations": ["opsagent.dev/run": .string(UUID().uuidString)]]])
                return false
            }
            return true
        }
    }
}
