import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// The pieces the simulated controllers run on.
@Suite("Workloads: runtime")
struct WorkloadRuntimeTests {
    @Test("the work queue hands a key out once however often it is added, and again when added while processing")
    func workQueueDeduplicates() async throws {
        let queue = SimWorkQueue<String>()
        queue.add("a")
        queue.add("a")
        queue.add("b")
        #expect(await queue.next() == "a")
        queue.add("a")  // while "a" is being processed
        #expect(await queue.next() == "b")
        #expect(queue.depth == 0, "a is not handed out twice at once")
        queue.done("a")
        #expect(await queue.next() == "a")
        queue.done("a")
        queue.done("b")
        queue.shutDown()
        #expect(await queue.next() == nil)
    }

    @Test("delayed adds wait their turn on one timer, earliest first, and an earlier add wins")
    func workQueueDelays() async throws {
        let queue = SimWorkQueue<String>()
        let start = ContinuousClock.now
        queue.add("late", after: .milliseconds(1500))
        queue.add("soon", after: .milliseconds(100))
        queue.add("late", after: .milliseconds(150))  // moves it earlier
        // Due after "late"'s new time and before its old one: if the earlier add were ignored,
        // "marker" would come out first. Order, not wall time, is the proof (a loaded machine
        // can delay every hand-out, never reorder them).
        queue.add("marker", after: .milliseconds(600))
        #expect(await queue.next() == "soon")
        #expect(await queue.next() == "late")
        #expect(ContinuousClock.now - start >= .milliseconds(150), "not handed out before it was due")
        #expect(await queue.next() == "marker")
        queue.shutDown()
    }

    @Test("the pod-template-hash ignores the hash label, changes with the template and with collisions")
    func templateHash() {
        let template: JSONValue = ["metadata": ["labels": ["app": "x"]], "spec": ["containers": [["name": "c", "image": "i:1"]]]]
        let hash = PodTemplateHash.compute(template: template, collisionCount: nil)
        #expect(hash == PodTemplateHash.compute(template: template, collisionCount: nil))
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        var other = template
        other[path: ["spec", "containers"]] = [["name": "c", "image": "i:2"]]
        #expect(PodTemplateHash.compute(template: other, collisionCount: nil) != hash)
        #expect(PodTemplateHash.compute(template: template, collisionCount: 1) != hash)
        var labelled = template
        labelled[path: ["metadata", "labels", "pod-template-hash"]] = .string(hash)
        #expect(PodTemplateHash.withoutHash(labelled) == template)
    }

    @Test("maxSurge and maxUnavailable resolve as kube's deployment controller resolves them")
    func fenceposts() {
        func view(_ replicas: Int, _ surge: JSONValue?, _ unavailable: JSONValue?, recreate: Bool = false) -> DeploymentView {
            var strategy: JSONValue = ["type": recreate ? "Recreate" : "RollingUpdate"]
            if let surge { strategy[path: ["rollingUpdate", "maxSurge"]] = surge }
            if let unavailable { strategy[path: ["rollingUpdate", "maxUnavailable"]] = unavailable }
            return DeploymentView(json: ["spec": ["replicas": .int(Int64(replicas)), "strategy": strategy]])
        }
        #expect(view(10, nil, nil).maxSurge == 3 && view(10, nil, nil).maxUnavailable == 2)  // 25 %: up, down
        #expect(view(1, nil, nil).maxSurge == 1 && view(1, nil, nil).maxUnavailable == 0)
        #expect(view(4, 0, 0).maxUnavailable == 1, "both zero would deadlock: one may be unavailable")
        #expect(view(3, "50%", 5).maxUnavailable == 3, "capped at replicas")
        #expect(view(3, nil, nil, recreate: true).maxSurge == 0)
    }

    @Test("the event recorder folds repeats into one Event with a count")
    func eventAggregation() async throws {
        let sim = try await WorkloadCluster.simulator()
        let client = try await WorkloadCluster.client()
        let ns = try await WorkloadCluster.namespace("events")
        let recorder = SimEventRecorder(client: ClusterClient(registry: sim.registry, fieldManager: "test"), ttl: 600,
                                     logger: .init(label: "test"))
        let task = Task { await recorder.run() }
        defer { recorder.stop(); task.cancel() }
        let object: JSONValue = ["metadata": ["name": "thing", "namespace": .string(ns), "uid": "u-1"]]
        for _ in 0..<3 {
            recorder.record(InvolvedObject(object, kind: "ConfigMap", apiVersion: "v1"), .warning, reason: "Hiccup",
                            message: "it hiccuped", source: EventSource(component: "test"))
        }
        let event = try await waitFor("one event counted three times") { () -> JSONValue? in
            let events = try await client.events(namespace: ns, reason: "Hiccup")
            return events.count == 1 && events[0]["count"].intValue == 3 ? events.first : Optional<JSONValue>.none
        }
        #expect(event["metadata"]["name"].stringValue?.hasPrefix("thing.") == true)
        #expect(event["involvedObject"]["kind"].stringValue == "ConfigMap")
        #expect(event["type"].stringValue == "Warning")
    }
}
