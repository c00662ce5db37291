import Foundation
import KubeClient
import OpsAPI
import Testing
import TestSupport

/// The shipped binaries, as a user runs them: `opsagent sim`, then `opsagent run` with
/// `--prometheus-url` and an analysis ConfigMap whose API key is in a Secret, then the
/// `opsagent promote|abort|retry|undo` commands, and `kubectl describe bgd` showing the
/// Events of what happened.
@Suite(.serialized) struct OperatorBinaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String { root.appendingPathComponent(".build/debug/opsagent").path }

    /// A started process whose output goes to a file (read on failure).
    final class Running: Sendable {
        let process: Process
        let log: String
        init(_ arguments: [String], log: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
            FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: OperatorBinaryTests.binary)
            process.arguments = arguments
            process.environment = environment
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            self.process = process
            self.log = log
        }
        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    func opsagent(_ arguments: String...) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(URL(fileURLWithPath: Self.binary), arguments)
    }

    @Test func theRealBinariesRunARolloutWithPrometheusAnLLMAndTheRolloutCommands() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build opsagent first (swift build)")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("binaries-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let kubeconfig = work + "/kubeconfig"
        let sim = try Running(["sim", "--port", "0", "--kubeconfig-out", kubeconfig], log: work + "/sim.log")
        defer { sim.stop() }
        let kubectl = KubectlRunner(kubeconfig: kubeconfig, cacheDir: work + "/kube-cache")
        try await eventually("the simulator serves") {
            guard FileManager.default.fileExists(atPath: kubeconfig) else { return false }
            return try await kubectl.run("get", "ns", "default").status == 0
        }
        #expect(try await kubectl.run("apply", "-f", Self.root.appendingPathComponent("crds").path).status == 0)

        let llm = try await FakeLLMServer.start()
        defer { Task { await llm.stop() } }
        let prometheus = try await PrometheusServer.start(targets: [])
        defer { prometheus.stop() }
        let apiKey = "sk-wired-through-a-secret-0042"
        #expect(try await kubectl.apply("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: opsagent-system}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: opsagent-llm, namespace: opsagent-system}
            stringData: {api-key: \(apiKey)}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: opsagent-analysis, namespace: opsagent-system}
            data:
              provider: openai
              model: gpt-4o-mini
              baseURL: \(llm.baseURL)/v1
              apiKeySecret: opsagent-llm/api-key
            """).status == 0)

        var environment = ProcessInfo.processInfo.environment
        for key in ["OPENAI_API_KEY", "OPSAGENT_LLM_API_KEY", "ANTHROPIC_API_KEY", "KUBECONFIG"] { environment.removeValue(forKey: key) }
        let operatorProcess = try Running(
            ["run", "--kubeconfig", kubeconfig, "--prometheus-url", prometheus.url,
             "--analysis-configmap", "opsagent-system/opsagent-analysis",
             "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--log-format", "text"],
            log: work + "/operator.log", environment: environment)
        defer { operatorProcess.stop() }

        #expect(try await kubectl.apply("""
            apiVersion: opsagent.dev/v1alpha1
            kind: BlueGreenDeployment
            metadata: {name: shop, namespace: default}
            spec:
              replicas: 1
              scaleDownDelaySeconds: 1
              autoPromotion: {enabled: false}
              template:
                metadata: {labels: {app: shop}, annotations: {sim.opsagent.dev/startup-seconds: "0"}}
                spec:
                  containers:
                  - name: app
                    image: registry.example/shop:1.0
                    ports: [{containerPort: 8080}]
              activeService: {name: shop}
              prePromotionAnalysis:
                checks:
                - name: error-rate
                  prometheus: {query: "vector(0.01)"}
                  successCondition: result < 0.05
                  interval: 200ms
                  count: 2
                llm: {mode: gate}
            """).status == 0)
        func status() async throws -> JSONValue {
            let result = try await kubectl.run("get", "bgd", "shop", "-o", "json")
            return try JSONValue(parsing: Array(result.stdout.utf8))["status"]
        }
        func waitFor(_ what: String, _ condition: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
            var last: JSONValue = .null
            do {
                try await eventually(what, timeout: .seconds(90)) {
                    last = (try? await status()) ?? .null
                    return condition(last)
                }
            } catch {
                Issue.record("last status: \(last.serialized(pretty: true))\noperator log:\n\(operatorProcess.output.suffix(3000))")
                throw error
            }
            return last
        }
        func newRevision(_ version: String) async throws {
            let patch = #"[{"op":"add","path":"/spec/template/metadata/annotations/version","value":"\#(version)"}]"#
            #expect(try await kubectl.run("patch", "bgd", "shop", "--type", "json", "-p", patch).status == 0)
        }

        try await waitFor("Healthy on blue") { $0["phase"] == "Healthy" }
        // Revision 2: Prometheus and the LLM (its key read from the Secret) pass it; it waits for `promote`.
        try await newRevision("2")
        let paused = try await waitFor("analysed and waiting for promotion") { $0["phase"] == "Paused" }
        #expect(paused["analysis"]["checks"][0]["measurements"][0]["value"] == "0.01")
        #expect(paused["analysis"]["analyzer"]["provider"] == "openai")
        #expect(llm.requests.contains { $0.headers["authorization"] == "Bearer \(apiKey)" }, "the LLM got the key from the Secret")
        let promote = try await opsagent("promote", "shop", "-n", "default", "--kubeconfig", kubeconfig)
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(promote.stdout.contains("promote requested"))
        try await waitFor("promoted to green") { $0["activeColor"] == "green" && $0["phase"] == "Healthy" }

        // Revision 3: aborted, retried, then promoted.
        try await newRevision("3")
        try await waitFor("revision 3 waits") { $0["phase"] == "Paused" }
        #expect(try await opsagent("abort", "shop", "-n", "default", "--kubeconfig", kubeconfig).status == 0)
        let aborted = try await waitFor("aborted") { $0["phase"] == "RolledBack" }
        #expect(aborted["failureReason"] == "Aborted")
        #expect(try await opsagent("retry", "shop", "-n", "default", "--kubeconfig", kubeconfig).status == 0)
        try await waitFor("revision 3 rolls out again") { $0["phase"] == "Paused" && $0["abortedRevision"].isNull }
        #expect(try await opsagent("promote", "shop", "-n", "default", "--kubeconfig", kubeconfig).status == 0)
        let third = try await waitFor("revision 3 serves on blue") { $0["activeColor"] == "blue" && $0["phase"] == "Healthy" }

        // undo: the template goes back to revision 2, which still runs on green (scale-down is 1s,
        // so it rolls out again), and serves once promoted.
        #expect(try await opsagent("undo", "shop", "-n", "default", "--kubeconfig", kubeconfig).status == 0)
        try await eventually("spec.template is set back to revision 2") {
            let spec = try await kubectl.run("get", "bgd", "shop", "-o", "jsonpath={.spec.template.metadata.annotations.version}")
            return spec.stdout == "2"
        }
        let undone = try await waitFor("revision 2 is rolled out again") { $0["previewRevision"].stringValue != nil || $0["activeRevision"] != third["activeRevision"] }
        #expect(undone["activeRevision"] != undone["previewRevision"])

        // What happened is in the Events kubectl describe shows.
        let describe = try await kubectl.run("describe", "bgd", "shop")
        #expect(describe.status == 0)
        for reason in ["RolloutStarted", "AnalysisPassed", "Promoted", "RolloutAborted", "RetryRequested", "UndoRequested"] {
            #expect(describe.stdout.contains(reason), "kubectl describe shows no \(reason) event:\n\(describe.stdout.suffix(2500))")
        }
        // An unknown rollout is a clear error.
        let missing = try await opsagent("promote", "nope", "-n", "default", "--kubeconfig", kubeconfig)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("bluegreendeployment default/nope not found"))
        // The key never appears in what the operator logged.
        #expect(!operatorProcess.output.contains(apiKey))
    }
}

/// kubectl against one kubeconfig, with its own discovery cache.
struct KubectlRunner: Sendable {
    let kubeconfig: String
    let cacheDir: String

    func run(_ arguments: String...) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir] + arguments)
    }

    func apply(_ yaml: String) async throws -> ProcessRunner.Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("apply-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await run("apply", "-f", file)
        if result.status != 0 { Issue.record("kubectl apply failed: \(result.stderr)") }
        return result
    }
}
