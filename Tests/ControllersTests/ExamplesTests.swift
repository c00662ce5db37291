import Foundation
import KubeClient
import KubeSim
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

    @Test func theAlertingExamplesApplyAndAreEvaluated() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: prometheus.url)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("alert-examples")
        let dir = Self.root.appendingPathComponent("examples/alerting").path
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        let applied = try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", sim.kubeconfigPath, "--cache-dir", cache,
                                                               "-n", ns, "apply", "-f", dir])
        #expect(applied.status == 0, "kubectl apply failed: \(applied.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.compactMap { file -> String? in
            let text = try? String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)
            return (try? YAML.decodeAll(text ?? ""))?.first?["metadata"]["name"].stringValue
        }
        #expect(Set(names) == ["web-cpu-high", "web-memory-high", "checkout-error-rate", "checkout-not-ready"])
        for name in names {
            let done = try await cluster.waitFor(name, ns, "\(name) is evaluated and Ready") {
                $0.condition("Ready")?.status == .true && !$0["lastEvaluation"]["time"].isNull
            }
            #expect(done["status"]["state"] == "Inactive")
        }
        let table = try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", sim.kubeconfigPath, "--cache-dir", cache,
                                                             "-n", ns, "get", "arule"])
        #expect(table.stdout.contains("STATE") && table.stdout.contains("SEVERITY") && table.stdout.contains("VALUE") && table.stdout.contains("SINCE"),
                "\(table.stdout)")
    }
}
