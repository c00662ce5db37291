import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// A simulator with its controllers running fast (one simulated second = 50 ms), shared by
/// the workload suites, plus the clients the tests drive it with.
enum WorkloadCluster {
    /// Simulated seconds are this many wall seconds in these tests.
    static let timeScale = 0.05
    static let shared = SharedSimulator(Simulator.Configuration(
        port: 0, tls: true, workloads: SimulationOptions(timeScale: timeScale, eventTTL: 600)))

    static func simulator() async throws -> Simulator { try await shared.get() }

    static func kubectl() async throws -> Kubectl { Kubectl(kubeconfig: try await simulator().kubeconfigPath) }

    static func client() async throws -> KubernetesClient {
        try KubernetesClient(kubeconfigPath: try await simulator().kubeconfigPath)
    }

    /// A fresh namespace, so tests running side by side never see each other's objects.
    static func namespace(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        let client = try await client()
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }
}

/// Polls until `condition` returns a value, or fails the test with `message` after `timeout`.
func waitFor<T>(_ message: @autoclosure () -> String, timeout: Duration = .seconds(30),
                interval: Duration = .milliseconds(50), _ condition: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: interval)
    }
    if let value = try await condition() { return value }
    Issue.record("timed out after \(timeout): \(message())")
    throw WaitTimeout(message: message())
}

struct WaitTimeout: Error, CustomStringConvertible {
    var message: String
    var description: String { "timed out: \(message)" }
}

/// Manifests for the workload tests, as JSON (kubectl applies JSON as readily as YAML).
enum Manifests {
    static func deployment(_ name: String, namespace: String, replicas: Int = 2,
                           image: String = "registry.example/shop:1.0", annotations: [String: String] = [:],
                           spec: [String: JSONValue] = [:], container: [String: JSONValue] = [:]) -> JSONValue {
        var containerSpec: JSONValue = [
            "name": "app", "image": .string(image), "ports": [["name": "http", "containerPort": 8080]],
        ]
        for (key, value) in container { containerSpec[key] = value }
        var template: JSONValue = [
            "metadata": ["labels": ["app": .string(name)]],
            "spec": ["containers": [containerSpec]],
        ]
        if !annotations.isEmpty { template[path: ["metadata", "annotations"]] = .object(annotations.mapValues { .string($0) }) }
        var deploymentSpec: JSONValue = [
            "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]], "template": template,
        ]
        for (key, value) in spec { deploymentSpec[key] = value }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": deploymentSpec,
        ]
    }

    static func service(_ name: String, namespace: String, selector: [String: String], targetPort: JSONValue = "http") -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["selector": .object(selector.mapValues { .string($0) }),
                     "ports": [["name": "web", "port": 80, "targetPort": targetPort]]],
        ]
    }
}

extension Kubectl {
    /// `kubectl apply -f -` with a JSON manifest.
    @discardableResult
    func apply(_ manifest: JSONValue) async throws -> CommandResult {
        try await run(["apply", "-f", "-"], input: manifest.serialized(pretty: true))
    }
}

extension KubernetesClient {
    func items(_ resource: GroupVersionResource, namespace: String, labelSelector: String? = nil) async throws -> [JSONValue] {
        try await list(resource, namespace: namespace, options: ListOptions(labelSelector: labelSelector)).items
    }

    func events(namespace: String, reason: String? = nil, involving name: String? = nil) async throws -> [JSONValue] {
        try await items(.events, namespace: namespace).filter { event in
            (reason == nil || event["reason"].stringValue == reason)
                && (name == nil || event["involvedObject"]["name"].stringValue == name)
        }
    }
}

extension JSONValue {
    func condition(_ type: String) -> JSONValue? {
        self["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == type }
    }
}
