import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// The scheduler places pods by their requests, grows the cluster while it may, and says
/// why a pod cannot be placed.
@Suite("Workloads: scheduling and nodes")
struct WorkloadSchedulingTests {
    // Its own small cluster: three 8-CPU nodes that may grow to four.
    static let shared = SharedSimulator(Simulator.Configuration(
        port: 0, tls: true, workloads: SimulationOptions(timeScale: 0.05, initialNodes: 3, maxNodes: 4)))

    @Test("nodes report capacity, allocatable and Ready; pods that do not fit trigger one scale-up, then stay Unschedulable")
    func capacityAndScaleUp() async throws {
        let sim = try await Self.shared.get()
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        let node = try await client.get(.nodes, name: "sim-node-1")
        #expect(node["status"]["capacity"]["cpu"].stringValue == "8")
        #expect(node["status"]["allocatable"]["cpu"].stringValue == "7900m")
        #expect(node["status"]["allocatable"]["pods"].stringValue == "110")
        #expect(node.condition("Ready")?["status"].stringValue == "True")

        let ns = "sched-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        // Five pods of 6 CPUs: one per node; the fourth node is added for the fourth pod; the fifth fits nowhere.
        _ = try await client.create(.deployments, Manifests.deployment("big", namespace: ns, replicas: 5, container: [
            "resources": ["requests": ["cpu": "6", "memory": "1Gi"]],
        ]), namespace: ns)
        let pending = try await waitFor("four pods Running and one Unschedulable") { () -> JSONValue? in
            let pods = try await client.items(.pods, namespace: ns)
            let running = pods.filter { $0["status"]["phase"].stringValue == "Running" }
            let stuck = pods.filter { $0.condition("PodScheduled")?["reason"].stringValue == "Unschedulable" }
            return running.count == 4 && stuck.count == 1 ? stuck.first : Optional<JSONValue>.none
        }
        let message = pending.condition("PodScheduled")?["message"].stringValue ?? ""
        #expect(message.hasPrefix("0/4 nodes are available: 4 Insufficient cpu."), "\(message)")
        #expect(pending["status"]["phase"].stringValue == "Pending")
        let nodes = try await client.items(.nodes, namespace: "").compactMap { $0["metadata"]["name"].stringValue }.sorted()
        #expect(nodes == ["sim-node-1", "sim-node-2", "sim-node-3", "sim-node-4"])
        let placed = Set(try await client.items(.pods, namespace: ns).compactMap { $0["spec"]["nodeName"].stringValue })
        #expect(placed == Set(nodes), "one big pod per node: \(placed)")
        let name = pending["metadata"]["name"].stringValue ?? ""
        let failed = try await waitFor("a FailedScheduling event") { () -> [JSONValue]? in
            let events = try await client.events(namespace: ns, reason: "FailedScheduling", involving: name)
            return events.isEmpty ? nil : events
        }
        #expect(failed.first?["type"].stringValue == "Warning")
        let scaleUps = try await waitFor("a TriggeredScaleUp event") { () -> [JSONValue]? in
            let events = try await client.events(namespace: ns, reason: "TriggeredScaleUp")
            return events.isEmpty ? nil : events
        }
        #expect(scaleUps.count == 1, "\(scaleUps)")

        // Room appears: scaling down to four lets nothing stay pending.
        _ = try await client.scale(.deployments, name: "big", namespace: ns, replicas: 4)
        try await waitFor("four Running pods and none pending") { () -> Bool? in
            let pods = try await client.items(.pods, namespace: ns)
            return pods.count == 4 && pods.allSatisfy { $0["status"]["phase"].stringValue == "Running" } ? true : nil
        }
    }

    @Test("a node selector nothing matches leaves the pod Pending with the reason")
    func nodeSelector() async throws {
        let sim = try await Self.shared.get()
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        let ns = "selector-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        var deployment = Manifests.deployment("picky", namespace: ns, replicas: 1)
        deployment[path: ["spec", "template", "spec", "nodeSelector"]] = ["disktype": "ssd"]
        _ = try await client.create(.deployments, deployment, namespace: ns)
        let message = try await waitFor("an Unschedulable pod") { () -> String? in
            try await client.items(.pods, namespace: ns).first?.condition("PodScheduled")?["message"].stringValue
        }
        #expect(message.contains("node(s) didn't match Pod's node affinity/selector"), "\(message)")
        // The zone label does match: a pod pinned to a zone schedules.
        var zoned = Manifests.deployment("zoned", namespace: ns, replicas: 1)
        zoned[path: ["spec", "template", "spec", "nodeSelector"]] = ["topology.kubernetes.io/zone": "sim-region-1b"]
        _ = try await client.create(.deployments, zoned, namespace: ns)
        let node = try await waitFor("the zoned pod bound") { () -> String? in
            try await client.items(.pods, namespace: ns, labelSelector: "app=zoned").first?["spec"]["nodeName"].stringValue
        }
        #expect(node == "sim-node-2")
    }
}
