import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Deployments driven by kubectl and KubeClient against the simulated controllers.
@Suite("Workloads: Deployments")
struct WorkloadDeploymentTests {
    @Test("kubectl rollout status succeeds for a healthy Deployment, whose status, ReplicaSet and pods look real")
    func healthyRollout() async throws {
        let ns = try await WorkloadCluster.namespace("healthy")
        let kubectl = try await WorkloadCluster.kubectl()
        var result = try await kubectl.apply(Manifests.deployment("web", namespace: ns, replicas: 3))
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("deployment \"web\" successfully rolled out"), "\(result)")

        let client = try await WorkloadCluster.client()
        let deployment = try await client.get(.deployments, name: "web", namespace: ns)
        let status = deployment["status"]
        #expect(status["replicas"].intValue == 3)
        #expect(status["updatedReplicas"].intValue == 3)
        #expect(status["readyReplicas"].intValue == 3)
        #expect(status["availableReplicas"].intValue == 3)
        #expect(status["observedGeneration"].intValue == deployment["metadata"]["generation"].intValue)
        #expect(deployment.condition("Available")?["reason"].stringValue == "MinimumReplicasAvailable")
        #expect(deployment.condition("Progressing")?["reason"].stringValue == "NewReplicaSetAvailable")
        #expect(deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue == "1")

        let replicaSets = try await client.items(.replicasets, namespace: ns)
        #expect(replicaSets.count == 1)
        let rs = try #require(replicaSets.first)
        let hash = try #require(rs["metadata"]["labels"]["pod-template-hash"].stringValue)
        #expect(rs["metadata"]["name"].stringValue == "web-\(hash)")
        #expect(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue == "1")
        #expect(rs["metadata"]["ownerReferences"][0]["uid"] == deployment["metadata"]["uid"])
        #expect(rs["status"]["availableReplicas"].intValue == 3)

        let pods = try await client.items(.pods, namespace: ns)
        #expect(pods.count == 3)
        let nodes = Set(try await client.items(.nodes, namespace: "").compactMap { $0["metadata"]["name"].stringValue })
        for pod in pods {
            #expect(pod["metadata"]["labels"]["pod-template-hash"].stringValue == hash)
            #expect(pod["metadata"]["name"].stringValue?.hasPrefix("web-\(hash)-") == true)
            #expect(pod["status"]["phase"].stringValue == "Running")
            #expect(pod.condition("Ready")?["status"].stringValue == "True")
            #expect(pod.condition("PodScheduled")?["status"].stringValue == "True")
            #expect(pod["status"]["podIP"].stringValue?.hasPrefix("10.") == true)
            #expect(nodes.contains(pod["spec"]["nodeName"].stringValue ?? ""))
            let container = pod["status"]["containerStatuses"][0]
            #expect(container["ready"].boolValue == true)
            #expect(container["state"]["running"]["startedAt"].stringValue != nil)
            #expect(container["containerID"].stringValue?.hasPrefix("containerd://") == true)
        }
        let expected: Set<String> = ["ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Pulling", "Pulled", "Created", "Started"]
        var reasons: Set<String> = []
        _ = try? await waitFor("the events of a rollout") { () -> Bool? in
            reasons = Set(try await client.events(namespace: ns).compactMap { $0["reason"].stringValue })
            return reasons.isSuperset(of: expected) ? true : nil
        }
        for reason in expected.sorted() {
            #expect(reasons.contains(reason), "missing \(reason) event in \(reasons.sorted())")
        }
    }

    @Test("kubectl rollout status reports ProgressDeadlineExceeded for a Deployment whose pods never become ready")
    func progressDeadline() async throws {
        let ns = try await WorkloadCluster.namespace("deadline")
        let kubectl = try await WorkloadCluster.kubectl()
        let manifest = Manifests.deployment("stuck", namespace: ns, replicas: 2,
                                            annotations: [BehaviourAnnotation.ready: "false"],
                                            spec: ["progressDeadlineSeconds": 20])
        #expect(try await kubectl.apply(manifest).succeeded)
        let result = try await kubectl.run("rollout", "status", "deployment/stuck", "-n", ns, "--timeout=60s")
        #expect(!result.succeeded, "\(result)")
        #expect(result.stderr.contains("exceeded its progress deadline"), "\(result)")

        let client = try await WorkloadCluster.client()
        let deployment = try await client.get(.deployments, name: "stuck", namespace: ns)
        let progressing = try #require(deployment.condition("Progressing"))
        #expect(progressing["status"].stringValue == "False")
        #expect(progressing["reason"].stringValue == "ProgressDeadlineExceeded")
        #expect(progressing["message"].stringValue?.hasSuffix("has timed out progressing.") == true)
        #expect(deployment.condition("Available")?["status"].stringValue == "False")
        #expect(deployment["status"]["unavailableReplicas"].intValue == 2)
    }

    @Test("scaling up and down through the scale subresource changes the pods, with ScalingReplicaSet events")
    func scaling() async throws {
        let ns = try await WorkloadCluster.namespace("scale")
        let kubectl = try await WorkloadCluster.kubectl()
        #expect(try await kubectl.apply(Manifests.deployment("api", namespace: ns, replicas: 1)).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/api", "-n", ns, "--timeout=60s").succeeded)

        var result = try await kubectl.run("scale", "deployment/api", "-n", ns, "--replicas=4")
        #expect(result.succeeded, "\(result)")
        let client = try await WorkloadCluster.client()
        try await waitFor("4 ready pods") {
            let pods = try await client.items(.pods, namespace: ns)
            return pods.count == 4 && pods.allSatisfy { $0.condition("Ready")?["status"].stringValue == "True" } ? true : nil
        }
        _ = try await client.scale(.deployments, name: "api", namespace: ns, replicas: 2)
        try await waitFor("2 pods left") {
            let pods = try await client.items(.pods, namespace: ns)
            let deployment = try await client.get(.deployments, name: "api", namespace: ns)
            return pods.count == 2 && deployment["status"]["availableReplicas"].intValue == 2 ? true : nil
        }
        result = try await kubectl.run("get", "deployment", "api", "-n", ns)
        #expect(result.stdout.contains("2/2"), "\(result)")
        // Events are written shortly after the change they report, as on a real cluster.
        let messages = try await waitFor("both ScalingReplicaSet events") { () -> [String]? in
            let messages = try await client.events(namespace: ns, reason: "ScalingReplicaSet").compactMap { $0["message"].stringValue }
            return messages.contains { $0.hasSuffix("from 4 to 2") } ? messages : nil
        }
        #expect(messages.contains { $0.hasPrefix("Scaled up replica set api-") && $0.hasSuffix("from 1 to 4") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("Scaled down replica set api-") && $0.hasSuffix("from 4 to 2") }, "\(messages)")
        let killing = try await waitFor("Killing events for the removed pods") { () -> [JSONValue]? in
            let events = try await client.events(namespace: ns, reason: "Killing")
            return events.count >= 2 ? events : nil
        }
        #expect(killing.allSatisfy { $0["message"].stringValue == "Stopping container app" })
        #expect(killing.allSatisfy { $0["source"]["component"].stringValue == "kubelet" })
    }

    @Test("a rolling update surges new pods before old ones go, keeping availability within maxSurge and maxUnavailable")
    func rollingUpdateOrder() async throws {
        let ns = try await WorkloadCluster.namespace("rolling")
        let kubectl = try await WorkloadCluster.kubectl()
        let strategy: JSONValue = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 0]]
        let v1 = Manifests.deployment("shop", namespace: ns, replicas: 4, image: "registry.example/shop:1.0",
                                      annotations: [BehaviourAnnotation.startupSeconds: "2"], spec: ["strategy": strategy])
        #expect(try await kubectl.apply(v1).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/shop", "-n", ns, "--timeout=60s").succeeded)

        let client = try await WorkloadCluster.client()
        let start = try await client.list(.replicasets, namespace: ns)
        let oldName = try #require(start.items.first?["metadata"]["name"].stringValue)
        // Follow every ReplicaSet change from here on.
        let watch = try await client.watch(.replicasets, namespace: ns, options: WatchOptions(resourceVersion: start.resourceVersion))
        let recorder = Task { () -> [(name: String, spec: Int, available: Int)] in
            var seen: [(String, Int, Int)] = []
            do {
                for try await event in watch {
                    guard let object = event.object else { continue }
                    let name = object["metadata"]["name"].stringValue ?? ""
                    seen.append((name, object["spec"]["replicas"].intValue ?? 0,
                                 object["status"]["availableReplicas"].intValue ?? 0))
                    // The watch trails the writes: stop at the old ReplicaSet's last one.
                    if name == oldName && object["spec"]["replicas"].intValue == 0
                        && (object["status"]["replicas"].intValue ?? 0) == 0 { break }
                }
            } catch {}
            return seen
        }
        let v2 = Manifests.deployment("shop", namespace: ns, replicas: 4, image: "registry.example/shop:2.0",
                                      annotations: [BehaviourAnnotation.startupSeconds: "2"], spec: ["strategy": strategy])
        #expect(try await kubectl.apply(v2).succeeded)
        let status = try await kubectl.run("rollout", "status", "deployment/shop", "-n", ns, "--timeout=60s")
        #expect(status.succeeded, "\(status)")
        try await waitFor("the old ReplicaSet scaled to zero") {
            let rs = try await client.get(.replicasets, name: oldName, namespace: ns)
            return rs["spec"]["replicas"].intValue == 0 && (rs["status"]["replicas"].intValue ?? 0) == 0 ? true : nil
        }
        // The recorder stops by itself at the old ReplicaSet's last write; the cap only guards
        // against a hang, and a history cut short by it fails the test rather than passing short.
        let cap = Task {
            try await Task.sleep(for: .seconds(120))
            recorder.cancel()
        }
        let history = await recorder.value
        cap.cancel()
        let last = try #require(history.last { $0.name == oldName }, "the watch saw the old ReplicaSet change")
        #expect(last.spec == 0, "the history reaches the old ReplicaSet's scale-down to zero: \(history)")

        // Replay the history: never more than replicas + maxSurge pods asked for, never fewer
        // than replicas - maxUnavailable available once the update began.
        var spec: [String: Int] = [:], available: [String: Int] = [oldName: 4]
        spec[oldName] = 4
        var newName: String?
        for entry in history {
            spec[entry.name] = entry.spec
            available[entry.name] = entry.available
            if entry.name != oldName { newName = entry.name }
            #expect(spec.values.reduce(0, +) <= 5, "more than 5 replicas asked for: \(spec)")
            #expect(available.values.reduce(0, +) >= 4, "fewer than 4 available: \(available)")
        }
        let new = try #require(newName)
        // The new ReplicaSet grew one step at a time and the old one shrank one at a time.
        let newSizes = history.filter { $0.name == new }.map { $0.spec }
        let oldSizes = history.filter { $0.name == oldName }.map { $0.spec }
        #expect(newSizes.first == 1, "\(newSizes)")
        #expect(Array(Set(newSizes)).sorted() == [1, 2, 3, 4], "\(newSizes)")
        #expect(Array(Set(oldSizes)).sorted() == [0, 1, 2, 3], "\(oldSizes)")
        let rs = try await client.get(.replicasets, name: new, namespace: ns)
        #expect(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue == "2")
        let pods = try await client.items(.pods, namespace: ns)
        #expect(pods.count == 4)
        #expect(pods.allSatisfy { $0["spec"]["containers"][0]["image"].stringValue == "registry.example/shop:2.0" })
    }

    @Test("Recreate removes every old pod before creating new ones")
    func recreate() async throws {
        let ns = try await WorkloadCluster.namespace("recreate")
        let kubectl = try await WorkloadCluster.kubectl()
        let v1 = Manifests.deployment("batch", namespace: ns, replicas: 3, spec: ["strategy": ["type": "Recreate"]])
        #expect(try await kubectl.apply(v1).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/batch", "-n", ns, "--timeout=60s").succeeded)
        let client = try await WorkloadCluster.client()
        let start = try await client.list(.pods, namespace: ns)
        let oldHash = try #require(start.items.first?["metadata"]["labels"]["pod-template-hash"].stringValue)
        let watch = try await client.watch(.pods, namespace: ns, options: WatchOptions(resourceVersion: start.resourceVersion))
        let recorder = Task { () -> [(type: String, hash: String)] in
            var seen: [(String, String)] = []
            do {
                for try await event in watch {
                    let type: String
                    switch event {
                    case .added: type = "ADDED"
                    case .deleted: type = "DELETED"
                    default: type = "OTHER"
                    }
                    seen.append((type, event.object?["metadata"]["labels"]["pod-template-hash"].stringValue ?? ""))
                    // Done once the three new pods were seen (the stream may lag behind `rollout status`).
                    if seen.filter({ $0.0 == "ADDED" && $0.1 != oldHash }).count == 3 { break }
                }
            } catch {}
            watch.cancel()
            return seen
        }
        let v2 = Manifests.deployment("batch", namespace: ns, replicas: 3, image: "registry.example/shop:2.0",
                                      spec: ["strategy": ["type": "Recreate"]])
        #expect(try await kubectl.apply(v2).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/batch", "-n", ns, "--timeout=60s").succeeded)
        let deadline = Task { try await Task.sleep(for: .seconds(30)); recorder.cancel() }
        let events = await recorder.value
        deadline.cancel()
        let lastOldDeletion = try #require(events.lastIndex { $0.type == "DELETED" && $0.hash == oldHash })
        let firstNewPod = try #require(events.firstIndex { $0.type == "ADDED" && $0.hash != oldHash })
        #expect(events.filter { $0.type == "DELETED" && $0.hash == oldHash }.count == 3)
        #expect(lastOldDeletion < firstNewPod, "a new pod appeared before the old ones were gone: \(events)")
    }

    @Test("deleting a Deployment garbage-collects its ReplicaSets and pods")
    func garbageCollection() async throws {
        let ns = try await WorkloadCluster.namespace("gc")
        let kubectl = try await WorkloadCluster.kubectl()
        #expect(try await kubectl.apply(Manifests.deployment("temp", namespace: ns, replicas: 2)).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/temp", "-n", ns, "--timeout=60s").succeeded)
        let result = try await kubectl.run("delete", "deployment", "temp", "-n", ns)
        #expect(result.succeeded, "\(result)")
        let client = try await WorkloadCluster.client()
        try await waitFor("ReplicaSets and pods gone") {
            let replicaSets = try await client.items(.replicasets, namespace: ns)
            let pods = try await client.items(.pods, namespace: ns)
            return replicaSets.isEmpty && pods.isEmpty ? true : nil
        }
    }

    @Test("a paused Deployment does not roll out until resumed; old ReplicaSets beyond revisionHistoryLimit are deleted")
    func pauseAndHistory() async throws {
        let ns = try await WorkloadCluster.namespace("pause")
        let kubectl = try await WorkloadCluster.kubectl()
        let client = try await WorkloadCluster.client()
        func manifest(_ version: Int) -> JSONValue {
            Manifests.deployment("app", namespace: ns, replicas: 1, image: "registry.example/app:\(version).0",
                                 spec: ["revisionHistoryLimit": 1])
        }
        #expect(try await kubectl.apply(manifest(1)).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/app", "-n", ns, "--timeout=60s").succeeded)
        #expect(try await kubectl.run("rollout", "pause", "deployment/app", "-n", ns).succeeded)
        try await waitFor("the DeploymentPaused condition") {
            let d = try await client.get(.deployments, name: "app", namespace: ns)
            return d.condition("Progressing")?["reason"].stringValue == "DeploymentPaused" ? true : nil
        }
        #expect(try await kubectl.apply(manifest(2)).succeeded)
        // Paused: the Deployment's generation is observed but no new ReplicaSet appears.
        try await waitFor("the paused change observed") {
            let d = try await client.get(.deployments, name: "app", namespace: ns)
            return d["status"]["observedGeneration"] == d["metadata"]["generation"] ? true : nil
        }
        #expect(try await client.items(.replicasets, namespace: ns).count == 1)
        #expect(try await kubectl.run("rollout", "resume", "deployment/app", "-n", ns).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/app", "-n", ns, "--timeout=60s").succeeded)
        #expect(try await kubectl.apply(manifest(3)).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/app", "-n", ns, "--timeout=60s").succeeded)
        // Revisions 2 and 3 remain (limit 1 old one); revision 1's ReplicaSet was deleted.
        let revisions = try await waitFor("the oldest ReplicaSet cleaned up") { () -> [String]? in
            let names = try await client.items(.replicasets, namespace: ns)
                .compactMap { $0["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue }.sorted()
            return names == ["2", "3"] ? names : nil
        }
        #expect(revisions == ["2", "3"])
    }

    @Test("with minReadySeconds, Ready pods count as available only once they have been Ready that long")
    func minReadySeconds() async throws {
        let ns = try await WorkloadCluster.namespace("minready")
        let client = try await WorkloadCluster.client()
        let start = try await client.list(.replicasets, namespace: ns)
        let replicaSets = try await client.watch(.replicasets, namespace: ns,
                                                 options: WatchOptions(resourceVersion: start.resourceVersion))
        // 60 simulated seconds: 3 wall seconds at the test time scale.
        _ = try await client.create(.deployments, Manifests.deployment("slow", namespace: ns, replicas: 2,
                                                                       spec: ["minReadySeconds": 60]), namespace: ns)
        let allAvailable = Task { () -> Date? in
            do {
                for try await event in replicaSets where event.object?["status"]["availableReplicas"].intValue == 2 {
                    return Date()
                }
            } catch {}
            return nil
        }
        let result = try await WorkloadCluster.kubectl().run("rollout", "status", "deployment/slow", "-n", ns, "--timeout=60s")
        #expect(result.succeeded, "\(result)")
        let available = try #require(await allAvailable.value)
        // When the pods became Ready, exactly, as the kubelet knows it (the API keeps whole seconds).
        let kubelet = try #require(try await WorkloadCluster.simulator().workloads?.kubelet)
        let readyTimes = try await client.items(.pods, namespace: ns).compactMap { pod in
            kubelet.readySince(StoreKey(namespace: ns, name: pod["metadata"]["name"].stringValue ?? ""),
                               uid: pod["metadata"]["uid"].stringValue ?? "")
        }
        try #require(readyTimes.count == 2)
        let gap = available.timeIntervalSince(readyTimes.max()!)
        #expect(gap >= 2.95, "available \(gap) s after the last pod became Ready; minReadySeconds is 3 s here")
        let deployment = try await client.get(.deployments, name: "slow", namespace: ns)
        #expect(deployment["status"]["availableReplicas"].intValue == 2)
    }
}
