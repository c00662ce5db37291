import ConfigGen
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// `opsagent generate`'s examples against the embedded cluster, as a user would take
/// them: `kubectl kustomize` on the `-o DIR` folder, `kubectl apply --dry-run=server -k`
/// (kubectl validates fields strictly), then applied for real with the BlueGreenDeployment
/// and SecurityAudit controllers running, and audited by a SecurityAudit of the namespace.
@Suite("opsagent generate on the embedded cluster", .serialized)
struct GenerateEndToEndTests {
    static let examples = ["web-app.yaml", "worker.yaml", "stateful.yaml", "blue-green.yaml"]

    /// The example's requirements, moved into `namespace`, generated into a fresh folder.
    func generate(_ example: String, namespace: String) throws -> (GeneratedManifests, URL) {
        let text = try String(contentsOf: ExamplesTests.root.appendingPathComponent("examples/generate/\(example)"), encoding: .utf8)
        var document = try YAML.decode(text)
        document["namespace"] = .string(namespace)
        let generated = try ManifestGenerator().generate(document: document)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID().uuidString.prefix(8))")
        try generated.write(to: folder, explain: true)
        return (generated, folder)
    }

    @Test func everyExampleBuildsWithKustomizeAppliesCleanlyAndPassesTheSecurityAudit() async throws {
        let audits = SecurityAuditClusterTests()
        let cluster = try await SecurityAuditClusterTests.cluster.get()
        let ns = try await cluster.namespace("generate")
        var workloads: [String] = []
        for example in Self.examples {
            let (generated, folder) = try generate(example, namespace: ns)
            defer { try? FileManager.default.removeItem(at: folder) }

            let built = try await audits.kubectl(cluster, ["kustomize", folder.path])
            #expect(built.status == 0, "kubectl kustomize \(example): \(built.stderr)")
            #expect(Set(try YAML.decodeAll(built.stdout)) == Set(generated.objects), "\(example): kustomize changed the objects")

            let dryRun = try await audits.kubectl(cluster, ["apply", "--dry-run=server", "-k", folder.path])
            #expect(dryRun.status == 0, "server dry run of \(example): \(dryRun.stderr)")
            #expect(dryRun.stdout.split(separator: "\n").count == generated.manifests.count, "\(dryRun.stdout)")
            #expect(dryRun.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix("(server dry run)") }, "\(dryRun.stdout)")
            #expect(dryRun.stderr.isEmpty, "warnings for \(example): \(dryRun.stderr)")
            let workload = try #require(generated.manifests.first { ["Deployment", "BlueGreenDeployment"].contains($0.kind) })
            let lookup = try await audits.kubectl(cluster, ["-n", ns, "get", workload.kind.lowercased(), workload.name])
            #expect(lookup.status != 0, "the dry run created \(workload.kind) \(workload.name)")

            let applied = try await audits.kubectl(cluster, ["apply", "-k", folder.path])
            #expect(applied.status == 0, "kubectl apply -k \(example): \(applied.stderr)")
            workloads.append(workload.kind == "BlueGreenDeployment" ? "\(workload.name)-blue" : workload.name)
        }

        // The rollout's controller has created its first color; the audit's caches hold every workload.
        let deployments = ResourceDescriptor(resource: .deployments, kind: "Deployment")
        try await eventually("the operator's caches hold the generated workloads", timeout: .seconds(60)) {
            workloads.allSatisfy { cluster.manager.cache.get(deployments, ObjectKey(namespace: ns, name: $0)) != nil }
        }
        _ = try await cluster.client.create(SecurityAuditClusterTests.audits, [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit", "metadata": ["name": "generated", "namespace": .string(ns)],
            "spec": ["scope": ["namespaces": [.string(ns)], "includeClusterScoped": false],
                     "checks": ["exclude": ["Vulnerabilities"]], "imagePolicy": ["forbidLatest": true]],
        ], namespace: ns)
        let audit = try await audits.waitForRun(cluster, "generated", ns, "the audit of the generated workloads runs")
        #expect(audit["status"]["phase"] == "Completed")
        let report = try await audits.latestReport(cluster, audit)
        let findings = report["report"]["findings"].arrayValue ?? []
        let serious = findings.filter { ["critical", "high"].contains($0["severity"].stringValue ?? "") }
        #expect(serious.isEmpty, "high or critical findings: \(serious.map { $0.serialized() })")
        #expect(audit["status"]["counts"]["critical"] == 0 && audit["status"]["counts"]["high"] == 0)
        // The audit did look at them: 4 workloads, 3 Services (the rollout's active Service
        // included, the worker has none) and the Ingress, plus the namespace.
        #expect((audit["status"]["objectsAudited"].intValue ?? 0) >= 8, "\(audit["status"].serialized())")
        // Pod security, resources, probes and exposure are clean; what remains is at most the
        // low note on Secret keys read into env vars and the namespace's own posture.
        let remaining = Set(findings.compactMap { $0["checkID"].stringValue })
        #expect(remaining.isSubset(of: ["OPS-SEC-004", "OPS-NS-001", "OPS-NS-002", "OPS-NS-003"]), "\(remaining.sorted())")
    }
}
