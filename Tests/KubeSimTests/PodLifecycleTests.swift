import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// What a pod's command makes its containers do, and graceful deletion: Terminating until the
/// simulated kubelet has stopped the containers, then gone.
@Suite("Workloads: pod commands and graceful deletion")
struct PodLifecycleTests {
    func pod(_ name: String, command: [String]? = nil, restartPolicy: String = "Always", grace: Int? = nil,
             labels: [String: String] = [:], annotations: [String: String] = [:]) -> JSONValue {
        var container: JSONValue = ["name": "main", "image": "busybox:1.37"]
        if let command { container["command"] = .array(command.map { .string($0) }) }
        var spec: JSONValue = ["restartPolicy": .string(restartPolicy), "containers": [container]]
        if let grace { spec["terminationGracePeriodSeconds"] = .int(Int64(grace)) }
        var metadata: JSONValue = ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })]
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations.mapValues { .string($0) }) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec]
    }

    func phase(_ client: KubernetesClient, _ name: String, _ ns: String) async throws -> String? {
        try await client.get(.pods, name: name, namespace: ns)["status"]["phase"].stringValue
    }

    @Test("sleep N keeps a Never pod Running; exit N, true and false end it Succeeded or Failed by their code; an unknown server runs on")
    func commands() async throws {
        let client = try await WorkloadCluster.client()
        let ns = try await WorkloadCluster.namespace("commands")
        _ = try await client.create(.pods, pod("sleeper", command: ["sleep", "3600"], restartPolicy: "Never"), namespace: ns)
        _ = try await client.create(.pods, pod("exits", command: ["sh", "-c", "sleep 1; exit 3"], restartPolicy: "Never"), namespace: ns)
        _ = try await client.create(.pods, pod("yes", command: ["true"], restartPolicy: "Never"), namespace: ns)
        _ = try await client.create(.pods, pod("no", command: ["false"], restartPolicy: "Never"), namespace: ns)
        // A command the simulator does not know, outside a Job, is a long-running server.
        _ = try await client.create(.pods, pod("server", command: ["python", "-u", "server.py"], restartPolicy: "Never"),
                                    namespace: ns)

        _ = try await waitFor("exits fails") { try await phase(client, "exits", ns) == "Failed" ? true : nil }
        let exits = try await client.get(.pods, name: "exits", namespace: ns)
        #expect(exits["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3)
        #expect(exits["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error")
        _ = try await waitFor("true succeeds") { try await phase(client, "yes", ns) == "Succeeded" ? true : nil }
        _ = try await waitFor("false fails") { try await phase(client, "no", ns) == "Failed" ? true : nil }
        let no = try await client.get(.pods, name: "no", namespace: ns)
        #expect(no["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 1)

        // "exits" ran a simulated second and more; the sleeper still runs (its 3600 s are far off).
        #expect(try await phase(client, "sleeper", ns) == "Running")
        // The server outlives the 2 s a Job's unknown command would run: a 3 s sleep started after it ends first.
        _ = try await waitFor("server runs") { try await phase(client, "server", ns) == "Running" ? true : nil }
        _ = try await client.create(.pods, pod("timer", command: ["sh", "-c", "sleep 3"], restartPolicy: "Never"), namespace: ns)
        _ = try await waitFor("timer succeeds") { try await phase(client, "timer", ns) == "Succeeded" ? true : nil }
        #expect(try await phase(client, "server", ns) == "Running")
        let sleeper = try await client.get(.pods, name: "sleeper", namespace: ns)
        #expect(!sleeper["status"]["containerStatuses"][0]["state"]["running"].isNull)
    }

    @Test("a DELETE sets deletionTimestamp and the grace period; the pod shows Terminating, leaves its Endpoints, then goes")
    func gracefulDeletion() async throws {
        let client = try await WorkloadCluster.client()
        let kubectl = try await WorkloadCluster.kubectl()
        let ns = try await WorkloadCluster.namespace("graceful")
        // `sleep` as PID 1 ignores SIGTERM: it runs until the grace period (20 simulated s = 1 s here) ends.
        _ = try await client.create(.pods, pod("slow", command: ["sleep", "3600"], grace: 20, labels: ["app": "slow"]), namespace: ns)
        _ = try await client.create(.services, Manifests.service("slow", namespace: ns, selector: ["app": "slow"], targetPort: 80),
                                    namespace: ns)
        _ = try await waitFor("the pod is Ready behind its Service") {
            let endpoints = try? await client.get(.endpoints, name: "slow", namespace: ns)
            return (endpoints?["subsets"][0]["addresses"].arrayValue ?? []).isEmpty ? nil : true
        }

        let answer = try JSONValue(parsing: try await client.request("DELETE", GroupVersionResource.pods.path(namespace: ns, name: "slow")).body)
        #expect(answer["kind"] == "Pod")
        #expect(answer["metadata"]["deletionGracePeriodSeconds"] == 20)
        let deadline = try #require(answer["metadata"]["deletionTimestamp"].stringValue.flatMap(KubeTimestamp.parse))
        #expect(deadline.timeIntervalSinceNow > 15, "deletionTimestamp is now + the grace period")

        let listed = try await kubectl.run("get", "pod", "slow", "-n", ns, "--no-headers")
        #expect(listed.stdout.contains("Terminating"), "\(listed)")
        _ = try await waitFor("the terminating pod leaves the Endpoints") {
            let endpoints = try await client.get(.endpoints, name: "slow", namespace: ns)
            return (endpoints["subsets"].arrayValue ?? []).isEmpty ? true : nil
        }
        #expect((try? await client.get(.pods, name: "slow", namespace: ns)) != nil, "still there while its container stops")
        _ = try await waitFor("the kubelet deletes it once the grace period is over", timeout: .seconds(20)) {
            (try? await client.get(.pods, name: "slow", namespace: ns)) == nil ? true : nil
        }
    }

    @Test("a shorter grace period replaces a longer one; 0 with --force deletes at once; kubectl delete waits until gone")
    func forceAndShorten() async throws {
        let client = try await WorkloadCluster.client()
        let kubectl = try await WorkloadCluster.kubectl()
        let ns = try await WorkloadCluster.namespace("force")
        for name in ["a", "b"] {
            _ = try await client.create(.pods, pod(name, command: ["sleep", "infinity"], grace: 600), namespace: ns)
        }
        _ = try await client.create(.pods, pod("server", annotations: ["sim.opsagent.dev/shutdown-seconds": "2"]), namespace: ns)
        for name in ["a", "b", "server"] {
            _ = try await waitFor("\(name) runs") { try await phase(client, name, ns) == "Running" ? true : nil }
        }
        _ = try await client.delete(.pods, name: "a", namespace: ns)
        let shortened = try await client.delete(.pods, name: "a", namespace: ns, options: DeleteOptions(gracePeriodSeconds: 30))
        guard case .pending(let object) = shortened else {
            Issue.record("expected the pod back, got \(shortened)")
            return
        }
        #expect(object["metadata"]["deletionGracePeriodSeconds"] == 30)

        let forced = try await kubectl.run("delete", "pod", "b", "-n", ns, "--grace-period=0", "--force")
        #expect(forced.exitCode == 0, "\(forced)")
        #expect((try? await client.get(.pods, name: "b", namespace: ns)) == nil, "gone at once")

        let deleted = try await kubectl.run("delete", "pod", "server", "-n", ns)
        #expect(deleted.stdout.contains("pod \"server\" deleted"), "\(deleted)")
        #expect((try? await client.get(.pods, name: "server", namespace: ns)) == nil, "kubectl returned once it was gone")
    }
}
