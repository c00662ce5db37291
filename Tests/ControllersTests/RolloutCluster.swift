import Analysis
import Cloud
import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
import Testing

/// The embedded cluster with the operator's BlueGreenDeployment controller running against
/// it over HTTPS, as `opsagent up` runs them. Simulated time runs 20× faster.
final class RolloutCluster: Sendable {
    static let timeScale = 0.05
    let sim: Simulator
    let client: KubernetesClient
    let manager: Manager
    let run: Task<Void, any Error>

    static let shared = SharedRolloutCluster()

    static func start(prometheusURL: String? = nil, analyzer: (any Analyzer)? = nil, sim existing: Simulator? = nil,
                      securityAudits: Bool = false, cloud: CloudClients? = nil) async throws -> RolloutCluster {
        let sim: Simulator
        if let existing { sim = existing } else {
            sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: timeScale)))
        }
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        for crd in OpsAPI.customResourceDefinitions {
            do {
                _ = try await client.get(.customResourceDefinitions, name: crd.name)
            } catch let error as KubeError where error.isNotFound {
                _ = try await client.create(.customResourceDefinitions, crd.json)
            }
            try await eventually("the \(crd.kind) CRD is served") {
                (try? await client.list(crd.resource, namespace: "default")) != nil
            }
        }
        let manager = Manager(api: client, configuration: ManagerConfiguration())
        try BlueGreenController.register(in: OperatorContext(manager: manager, configuration: .init(
            prometheusURL: prometheusURL, analyzer: analyzer ?? BuiltinAnalyzer())))
        if securityAudits {
            var configuration = OperatorContext.Configuration(analyzer: analyzer ?? BuiltinAnalyzer())
            configuration.cloud = cloud
            try SecurityAuditController.register(in: OperatorContext(manager: manager, configuration: configuration))
        }
        let run = Task { try await manager.run() }
        try await eventually("the manager's caches sync") { manager.isReady }
        return RolloutCluster(sim: sim, client: client, manager: manager, run: run)
    }

    private init(sim: Simulator, client: KubernetesClient, manager: Manager, run: Task<Void, any Error>) {
        self.sim = sim
        self.client = client
        self.manager = manager
        self.run = run
    }

    /// Stops the operator (not the cluster).
    func stopOperator() async {
        manager.stop()
        _ = try? await run.value
    }

    func namespace(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }

    func rollout(_ name: String, _ namespace: String) async throws -> JSONValue {
        try await client.get(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace)
    }

    /// Waits until the rollout's status satisfies `condition`, and returns it.
    @discardableResult
    func waitFor(_ name: String, _ namespace: String, _ what: String, timeout: Duration = .seconds(60),
                 _ condition: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue = .null
        do {
            try await eventually(what, timeout: timeout) {
                last = try await self.rollout(name, namespace)
                return condition(last["status"])
            }
        } catch {
            Issue.record("last status of \(namespace)/\(name): \(last["status"].serialized(pretty: true))")
            throw error
        }
        return last
    }

    func create(_ object: JSONValue, namespace: String) async throws {
        _ = try await client.create(BlueGreenDeployment.groupVersionResource, object, namespace: namespace)
    }

    /// Changes the rollout's spec with a merge patch.
    func patch(_ name: String, _ namespace: String, _ body: JSONValue) async throws {
        _ = try await client.patch(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace, type: .merge, body: body)
    }

    func annotate(_ name: String, _ namespace: String, _ key: String, _ value: String) async throws {
        try await patch(name, namespace, ["metadata": ["annotations": [.init(stringLiteral: key): .string(value)]]])
    }

    func serviceColor(_ service: String, _ namespace: String) async throws -> String? {
        try await client.get(.services, name: service, namespace: namespace)["spec"]["selector"]["opsagent.dev/color"].stringValue
    }

    func replicas(_ deployment: String, _ namespace: String) async throws -> Int? {
        do {
            return try await client.get(.deployments, name: deployment, namespace: namespace)["spec"]["replicas"].intValue
        } catch let error as KubeError where error.isNotFound {
            return nil
        }
    }
}

/// One rollout cluster per test process, started on first use.
actor SharedRolloutCluster {
    private var cluster: RolloutCluster?
    func get() async throws -> RolloutCluster {
        if let cluster { return cluster }
        let started = try await RolloutCluster.start()
        cluster = started
        return started
    }
}

/// A BlueGreenDeployment manifest.
enum Rollouts {
    static func manifest(_ name: String, image: String = "registry.example/shop:1.0", replicas: Int = 2,
                         podAnnotations: [String: String] = [:], spec extra: [String: JSONValue] = [:]) -> JSONValue {
        var template: JSONValue = [
            "metadata": ["labels": ["app": .string(name)]],
            "spec": ["containers": [[
                "name": "app", "image": .string(image), "ports": [["name": "http", "containerPort": 8080]],
                "resources": ["limits": ["cpu": "500m", "memory": "256Mi"]],
            ]]],
        ]
        if !podAnnotations.isEmpty { template["metadata"]["annotations"] = .object(podAnnotations.mapValues { .string($0) }) }
        var spec: JSONValue = [
            "replicas": .int(Int64(replicas)),
            "template": template,
            "activeService": ["name": .string(name)],
            "previewService": ["name": .string("\(name)-preview")],
            "scaleDownDelaySeconds": 1,
            "progressDeadlineSeconds": 30,
            "prePromotionAnalysis": ["checks": [
                ["name": "ready", "builtin": ["type": "PodReadiness"], "interval": "200ms", "count": 2],
                ["name": "restarts", "builtin": ["type": "Restarts"], "interval": "200ms", "count": 2],
            ]],
        ]
        for (k, v) in extra { spec[k] = v }
        return ["apiVersion": "opsagent.dev/v1alpha1", "kind": "BlueGreenDeployment",
                "metadata": ["name": .string(name)], "spec": spec]
    }

    static func phase(_ status: JSONValue) -> String? { status["phase"].stringValue }
}

/// Polls until `condition` holds, or fails the test with `message` after `timeout`.
func eventually(_ message: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100),
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    if try await condition() { return }
    Issue.record("timed out after \(timeout): \(message)")
    throw TimedOut(message: message)
}

struct TimedOut: Error, CustomStringConvertible {
    var message: String
    var description: String { "timed out: \(message)" }
}
