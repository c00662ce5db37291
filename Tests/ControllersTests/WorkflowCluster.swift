import Analysis
import Controllers
import Foundation
import KubeClient
import KubeSim
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// The embedded cluster with the operator's rollout, audit, alerting and workflow controllers,
/// which can be stopped and started again (a new process, as far as the operator can tell).
final class WorkflowCluster: Sendable {
    let sim: Simulator
    let client: KubernetesClient
    let api: CountingAPI
    private let running = NIOLockedValueBox<(Manager, Task<Void, any Error>)?>(nil)

    static func start(prometheusURL: String? = nil) async throws -> WorkflowCluster {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: RolloutCluster.timeScale)))
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        for crd in OpsAPI.customResourceDefinitions {
            _ = try await client.create(.customResourceDefinitions, crd.json)
            try await eventually("the \(crd.kind) CRD is served") { (try? await client.list(crd.resource, namespace: "default")) != nil }
        }
        let cluster = WorkflowCluster(sim: sim, client: client, api: CountingAPI(client))
        try await cluster.startOperator(prometheusURL: prometheusURL)
        return cluster
    }

    private init(sim: Simulator, client: KubernetesClient, api: CountingAPI) {
        self.sim = sim
        self.client = client
        self.api = api
    }

    func startOperator(prometheusURL: String? = nil) async throws {
        let manager = Manager(api: api, configuration: ManagerConfiguration())
        let context = OperatorContext(manager: manager, configuration: .init(prometheusURL: prometheusURL, analyzer: BuiltinAnalyzer()))
        for controller in InstalledControllers.all { try controller.register(in: context) }
        let run = Task { try await manager.run() }
        running.withLockedValue { $0 = (manager, run) }
        try await eventually("the manager's caches sync", timeout: .seconds(60)) { manager.isReady }
    }

    /// Stops the operator as a crash would look to the cluster: its jobs are cancelled and
    /// nothing more is written.
    func stopOperator() async {
        guard let (manager, run) = running.withLockedValue({ $0 }) else { return }
        manager.stop()
        _ = try? await run.value
        running.withLockedValue { $0 = nil }
    }

    func stop() async {
        await stopOperator()
        await sim.stop()
    }

    func namespace(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }

    func kubectl(_ arguments: String...) async throws -> ProcessRunner.Result {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(sim.port)").path
        return try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", sim.kubeconfigPath, "--cache-dir", cache] + arguments)
    }

    /// Applies `examples/workflows` in `namespace`, as a user would.
    func applyWorkflowExamples(_ namespace: String) async throws {
        let dir = ExamplesTests.root.appendingPathComponent("examples/workflows").path
        let applied = try await kubectl("-n", namespace, "apply", "-f", dir)
        #expect(applied.status == 0, "kubectl apply examples/workflows: \(applied.stderr)")
        for name in ["deployment", "incident-response"] {
            try await eventually("\(name) is Ready") {
                let workflow = try await self.client.get(OpsWorkflow.groupVersionResource, name: name, namespace: namespace)
                return workflow["status"].condition("Ready")?.status == .true
            }
        }
    }

    func run(_ name: String, _ namespace: String) async throws -> JSONValue {
        try await client.get(OpsWorkflowRun.groupVersionResource, name: name, namespace: namespace)
    }

    /// Waits until the run's status satisfies `condition`.
    @discardableResult
    func waitForRun(_ name: String, _ namespace: String, _ what: String, timeout: Duration = .seconds(120),
                    _ condition: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue = .null
        do {
            try await eventually(what, timeout: timeout) {
                last = try await self.run(name, namespace)
                return condition(last["status"])
            }
        } catch {
            Issue.record("last status of run \(namespace)/\(name): \(last["status"].serialized(pretty: true))")
            throw error
        }
        return last
    }

    static func step(_ status: JSONValue, _ name: String) -> JSONValue {
        (status["steps"].arrayValue ?? []).first { $0["name"].stringValue == name } ?? .null
    }

    static func finished(_ status: JSONValue) -> Bool {
        ["Succeeded", "Failed", "Cancelled"].contains(status["phase"].stringValue ?? "")
    }
}
