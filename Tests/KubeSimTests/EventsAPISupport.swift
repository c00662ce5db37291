import Foundation
import KubeClient
@testable import KubeSim

/// A simulator with its workload controllers (whose event recorder writes core Events), and
/// Events in both APIs for the events.k8s.io/v1 suites.
enum EventsCluster {
    static let shared = SharedSimulator(Simulator.Configuration(
        port: 0, tls: true, workloads: SimulationOptions(timeScale: 0.05, eventTTL: 600)))
    static let core = GroupVersionResource(group: "", version: "v1", resource: "events")
    static let eventsV1 = GroupVersionResource(group: "events.k8s.io", version: "v1", resource: "events")
    static let microTime = "2026-12-07T10:00:00.123456Z"

    static func client() async throws -> KubernetesClient {
        try KubernetesClient(kubeconfigPath: try await shared.get().kubeconfigPath)
    }

    static func kubectl() async throws -> Kubectl { Kubectl(kubeconfig: try await shared.get().kubeconfigPath) }

    static func namespace(_ client: KubernetesClient, _ prefix: String = "ev") async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }

    /// A valid events.k8s.io/v1 Event about Pod `pod`, with `changes` applied on top.
    static func newEvent(_ name: String, namespace: String, pod: String = "web-0",
                         _ changes: [String: JSONValue] = [:]) -> JSONValue {
        var event: JSONValue = [
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "eventTime": .string(microTime),
            "reportingController": "example.com/rollout-controller", "reportingInstance": "rollout-controller-7f9c",
            "action": "Scaling", "reason": "ScaledUp", "type": "Normal",
            "regarding": ["apiVersion": "v1", "kind": "Pod", "name": .string(pod), "namespace": .string(namespace),
                          "uid": "1f0c2c1e-0000-4000-8000-000000000001"],
            "related": ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f", "namespace": .string(namespace)],
            "note": "scaled up to 3 replicas",
        ]
        for (key, value) in changes {
            if value.isNull { event.removeValue(forKey: key) } else { event[key] = value }
        }
        return event
    }

    /// A core/v1 Event the old way (source, timestamps, count), about Pod `pod`.
    static func legacyEvent(_ name: String, namespace: String, pod: String = "web-0") -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Event", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": ["apiVersion": "v1", "kind": "Pod", "name": .string(pod), "namespace": .string(namespace)],
            "reason": "BackOff", "message": "Back-off restarting failed container", "type": "Warning",
            "source": ["component": "kubelet", "host": "node-1"],
            "firstTimestamp": "2026-12-07T09:00:00Z", "lastTimestamp": "2026-12-07T09:05:00Z", "count": 4,
        ]
    }

    /// The causes of a 422 as `field: message` lines, in order.
    static func causes(_ error: any Error) -> [String] {
        ((error as? KubeError)?.causes ?? []).map { "\($0.field ?? ""): \($0.message ?? "")" }
    }
}
