import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Kinds every real API server serves: APIServices (with discovery), ReplicationControllers
/// run like ReplicaSets.
@Suite("Workloads: served kinds")
struct ServedKindsTests {
    static let apiServices = GroupVersionResource(group: "apiregistration.k8s.io", version: "v1", resource: "apiservices")
    static let replicationControllers = GroupVersionResource(group: "", version: "v1", resource: "replicationcontrollers")

    @Test("APIServices are in discovery and list the local group versions as Available")
    func apiServices() async throws {
        let client = try await WorkloadCluster.client()
        let kubectl = try await WorkloadCluster.kubectl()
        let resources = try await kubectl.run("api-resources", "--api-group=apiregistration.k8s.io", "--no-headers")
        #expect(resources.stdout.contains("apiservices"), "\(resources)")
        let apps = try await client.get(Self.apiServices, name: "v1.apps")
        #expect(apps["spec"]["group"] == "apps")
        #expect(apps["status"]["conditions"][0]["type"] == "Available")
        #expect(apps["status"]["conditions"][0]["status"] == "True")
        #expect(apps["status"]["conditions"][0]["reason"] == "Local")
        let core = try await client.get(Self.apiServices, name: "v1.")
        #expect(core["spec"]["version"] == "v1")
        let listed = try await kubectl.run("get", "apiservices", "-o", "name")
        #expect(listed.stdout.contains("apiservice.apiregistration.k8s.io/v1.batch"), "\(listed)")
        let table = try await kubectl.run("get", "apiservice", "v1.apps")
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines.first?.prefix(3) == ["NAME", "SERVICE", "AVAILABLE"], "\(table)")
        #expect(lines.last?.prefix(3) == ["v1.apps", "Local", "True"], "\(table)")
    }

    @Test("a ReplicationController gets its pods and a status, like a ReplicaSet")
    func replicationController() async throws {
        let client = try await WorkloadCluster.client()
        let ns = try await WorkloadCluster.namespace("rc")
        _ = try await client.create(Self.replicationControllers, [
            "apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "legacy"],
            "spec": ["replicas": 2, "template": ["metadata": ["labels": ["app": "legacy"]],
                                                 "spec": ["containers": [["name": "c", "image": "nginx:1.27"]]]]],
        ], namespace: ns)
        let rc = try await client.get(Self.replicationControllers, name: "legacy", namespace: ns)
        #expect(rc["spec"]["selector"] == ["app": "legacy"], "the selector defaults to the template's labels")
        _ = try await waitFor("2 ready replicas") {
            let rc = try await client.get(Self.replicationControllers, name: "legacy", namespace: ns)
            return rc["status"]["readyReplicas"] == 2 && rc["status"]["replicas"] == 2 ? true : nil
        }
        let pods = try await client.list(.pods, namespace: ns)
        #expect(pods.items.count == 2)
        let owner = pods.items.first?["metadata"]["ownerReferences"][0]
        #expect(owner?["kind"] == "ReplicationController")
        #expect(owner?["apiVersion"] == "v1")
        _ = try await client.patch(Self.replicationControllers, name: "legacy", namespace: ns, type: .merge,
                                   body: ["spec": ["replicas": 1]])
        _ = try await waitFor("scaled down to one") {
            let rc = try await client.get(Self.replicationControllers, name: "legacy", namespace: ns)
            return rc["status"]["replicas"] == 1 ? true : nil
        }
    }

    @Test("exec, attach and port-forward are refused with a message naming the limitation")
    func streamingRefused() async throws {
        let client = try await WorkloadCluster.client()
        let kubectl = try await WorkloadCluster.kubectl()
        let ns = try await WorkloadCluster.namespace("exec")
        _ = try await client.create(.pods, ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "shell"],
                                            "spec": ["containers": [["name": "c", "image": "busybox:1.37", "command": ["sleep", "3600"]]]]],
                                    namespace: ns)
        // kubectl checks that the pod runs before it asks the server.
        _ = try await waitFor("the pod runs") {
            try await client.get(.pods, name: "shell", namespace: ns)["status"]["phase"] == "Running" ? true : nil
        }
        let exec = try await kubectl.run("exec", "shell", "-n", ns, "--", "ls")
        #expect(!exec.succeeded)
        #expect(exec.stderr.contains("cannot run commands in containers (kubectl exec)"), "\(exec)")
        let attach = try await kubectl.run("attach", "shell", "-n", ns)
        #expect(attach.stderr.contains("cannot attach to containers"), "\(attach)")
        let forward = try await kubectl.run("port-forward", "pod/shell", "18080:80", "-n", ns)
        #expect(forward.stderr.contains("cannot forward ports"), "\(forward)")
        let missing = try await kubectl.run("exec", "no-such-pod", "-n", ns, "--", "ls")
        #expect(missing.stderr.contains(#"pods "no-such-pod" not found"#), "\(missing)")
    }
}
