import Analysis
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

/// The examples through a second revision, where their gates run: checkout's Prometheus
/// error-rate check against a real Prometheus scraping the cluster, and the LLM step (gate
/// for checkout, advisory for web) against the local OpenAI-compatible test server; catalog
/// waits for a person. The first revision skips analysis by design, so this is where the
/// examples' analysis is proven.
@Suite(.serialized) struct ExamplesSecondRevisionTests {
    @Test func everyExampleRollsOutASecondRevisionThroughItsGates() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        defer { Task { await sim.stop() } }
        let prometheus = try await PrometheusServer.start(
            targets: ["127.0.0.1:\(sim.port)"], metricsPath: "/metrics/cluster", scheme: "https", bearerToken: sim.adminToken)
        defer { prometheus.stop() }
        let llm = try await FakeLLMServer.start()
        var configuration = AnalysisConfiguration()
        configuration.provider = .openAI
        configuration.baseURL = llm.baseURL + "/v1"
        configuration.model = "gpt-4o-mini"
        let cluster = try await RolloutCluster.start(
            prometheusURL: prometheus.url, analyzer: AnalyzerFactory.makeAnalyzer(configuration, apiKey: "sk-examples-test"), sim: sim)
        defer { Task { await cluster.stopOperator(); await llm.stop() } }

        let ns = try await cluster.namespace("examples2")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        let kubectl = KubectlRunner(kubeconfig: cluster.sim.kubeconfigPath, cacheDir: cache)
        let applied = try await kubectl.run("-n", ns, "apply", "-f", ExamplesTests.root.appendingPathComponent("examples/bluegreen").path)
        #expect(applied.status == 0, "kubectl apply failed: \(applied.stderr)")
        var first: [String: String] = [:]
        for name in ["web", "checkout", "catalog"] {
            let healthy = try await cluster.waitFor(name, ns, "\(name) Healthy", timeout: .seconds(90)) { Rollouts.phase($0) == "Healthy" }
            first[name] = healthy["status"]["activeRevision"].stringValue
        }
        // The README's way to start a new revision: a JSON patch of the image.
        for (name, image) in [("web", "registry.example/web:1.1"), ("checkout", "registry.example/shop:1.1"), ("catalog", "registry.example/catalog:3.3")] {
            let patch = #"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"\#(image)"}]"#
            let result = try await kubectl.run("-n", ns, "patch", "bgd", name, "--type", "json", "-p", patch)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let catalog = try await cluster.waitFor("catalog", ns, "catalog analysed and waiting for a person", timeout: .seconds(90)) {
            Rollouts.phase($0) == "Paused" && $0["analysis"]["phase"] == "Successful"
        }
        #expect(catalog["status"]["activeRevision"] == first["catalog"].map(JSONValue.string))
        try await cluster.annotate("catalog", ns, "opsagent.dev/promote", "examples-test")
        for name in ["web", "checkout", "catalog"] {
            let promoted = try await cluster.waitFor(name, ns, "\(name)'s second revision promoted", timeout: .seconds(150)) {
                $0["activeRevision"].stringValue != first[name] && Rollouts.phase($0) == "Healthy"
            }
            let status = promoted["status"]
            #expect(status["history"][0]["outcome"] == "Promoted")
            if name != "catalog" {
                #expect(status["analysis"]["phase"] == "Successful", "\(name): \(status["analysis"])")
                #expect(status["analysis"]["analyzer"]["provider"] == "openai", "\(name)'s LLM step answered")
            }
        }
        // checkout's gate measured a real error rate (a number, not an empty result).
        let checkout = try await cluster.rollout("checkout", ns)["status"]["analysis"]["checks"]
        let errorRate = (checkout.arrayValue ?? []).first { $0["name"] == "error-rate" }
        let values = (errorRate?["measurements"].arrayValue ?? []).compactMap { $0["value"].stringValue.flatMap(Double.init) }
        #expect(!values.isEmpty && values.allSatisfy { $0 < 0.05 }, "error-rate measurements: \(String(describing: errorRate))")
        #expect(llm.requests.contains { $0.bodyText.contains(#"\"name\":\"checkout\""#) })
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

    /// examples/security-reports: a baseline report beside the audits' own. It passes the
    /// schema, reads as the report a run writes, and no audit prunes it or counts it as a run.
    @Test func theBaselineReportIsKeptBesideTheAuditsReports() async throws {
        let cluster = try await SecurityAuditClusterTests.cluster.get()
        let ns = try await cluster.namespace("reportexamples")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        let kubectl = { (arguments: [String]) in
            try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", cluster.sim.kubeconfigPath, "--cache-dir", cache, "-n", ns] + arguments)
        }
        for folder in ["examples/security-reports", "examples/security"] {
            let applied = try await kubectl(["apply", "-f", ExamplesTests.root.appendingPathComponent(folder).path])
            #expect(applied.status == 0, "kubectl apply \(folder): \(applied.stderr)")
        }
        let report = try await cluster.client.get(SecurityReport.groupVersionResource, name: "go-live-baseline", namespace: ns)
        let typed = try report.decode(SecurityReport.self)
        #expect(typed.report.findings.count == 3 && typed.report.counts.high == 1, "the example has a run's report shape")
        try await eventually("the audit has run and written its own report", timeout: .seconds(60)) {
            let status = try await cluster.client.get(SecurityAudit.groupVersionResource, name: "cluster-audit", namespace: ns)["status"]
            return !(status["reports"].arrayValue ?? []).isEmpty
        }
        let status = try await cluster.client.get(SecurityAudit.groupVersionResource, name: "cluster-audit", namespace: ns)["status"]
        #expect(!(status["reports"].arrayValue ?? []).contains { $0["name"].stringValue == "go-live-baseline" })
        let listed = try await kubectl(["get", "sreport"])
        #expect(listed.stdout.contains("go-live-baseline") && listed.stdout.contains("38"), "kubectl get sreport: \(listed.stdout)")
    }
}
