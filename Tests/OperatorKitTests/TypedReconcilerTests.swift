import Foundation
import KubeClient
import NIOConcurrencyHelpers
import Testing

@testable import OperatorKit

/// The kit's typed reconciler adapter, through the example Gadget controller.
@Suite("Typed reconcilers (the controller kit)")
struct TypedReconcilerTests {
    let gadgets = GadgetReconciler.gadgets.resource
    let key = ObjectKey(namespace: "default", name: "g")

    func start(_ cluster: InMemoryCluster) throws -> (Manager, Task<Void, any Error>) {
        let manager = Manager(api: cluster, configuration: ManagerConfiguration(backgroundJobs: 2))
        try manager.addController(named: "gadgets", for: GadgetReconciler.gadgets, owns: [GadgetReconciler.configMaps]) {
            GadgetReconciler(kit: $0)
        }
        return (manager, Task { try await manager.run() })
    }

    func gadget(_ cluster: InMemoryCluster) -> JSONValue? { cluster.object(gadgets, key) }

    func events(_ cluster: InMemoryCluster) async throws -> [JSONValue] {
        try await cluster.list(.events, namespace: "default", options: ListOptions()).items
    }

    @Test("a background job's result is written once with kstatus conditions; a Ready object is not written again")
    func reconcilesThroughABackgroundJob() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(gadgets, GadgetReconciler.gadget("g", size: 3), namespace: "default")
        let (manager, run) = try start(cluster)
        defer { manager.stop() }
        try await eventually("the gadget is Ready") { gadget(cluster)?["status"].condition("Ready")?.status == .true }
        let status = try #require(gadget(cluster)?["status"])
        #expect(status["size"] == 3)
        #expect(status["checksum"] == .string(GadgetReconciler.checksum("hello\nhello\nhello")))
        #expect(status["observedGeneration"] == 1)
        #expect(status.condition("Ready")?.observedGeneration == 1)
        // kstatus: Reconciling was True while the job ran, and is gone now.
        #expect(status.condition("Reconciling") == nil)
        #expect(status.condition("Stalled") == nil)
        #expect(cluster.object(.configmaps, ObjectKey(namespace: "default", name: "g-data"))?["data"]["copies"] == "hello\nhello\nhello")
        // The Event of the transition went out after the status write.
        try await eventually("the Resized event") { try await events(cluster).contains { $0["reason"] == "Resized" } }

        let statusWrites = cluster.writes(verb: "update", resource: gadgets, subresource: "status").count
        #expect(statusWrites == 2)  // Computing, then Ready
        manager.controllers.first?.enqueue(key)
        manager.controllers.first?.enqueue(key)
        try await eventually("the queue drains") { manager.controllers.first?.queue?.depth == 0 }
        await manager.controllers.first?.waitForInFlight()
        #expect(cluster.writes(verb: "update", resource: gadgets, subresource: "status").count == statusWrites)
        manager.stop()
        _ = try? await run.value
    }

    @Test("an invalid spec is Stalled with every field path and a Warning event, and nothing is created")
    func invalidSpecIsReportedWithFieldPaths() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(gadgets, GadgetReconciler.gadget("g", size: -2, message: ""), namespace: "default")
        let (manager, run) = try start(cluster)
        defer { manager.stop() }
        try await eventually("InvalidSpec") { gadget(cluster)?["status"].condition("Stalled")?.reason == "InvalidSpec" }
        let status = try #require(gadget(cluster)?["status"])
        let ready = try #require(status.condition("Ready"))
        #expect(ready.status == .false)
        #expect(ready.reason == "InvalidSpec")
        #expect(ready.message?.contains("spec.size: must be 0 or more, not -2") == true)
        #expect(ready.message?.contains("spec.message: must not be empty") == true)
        #expect(cluster.object(.configmaps, ObjectKey(namespace: "default", name: "g-data")) == nil)
        try await eventually("the InvalidSpec event") { try await events(cluster).contains { $0["reason"] == "InvalidSpec" && $0["type"] == "Warning" } }

        // A value of the wrong type names its field too.
        try cluster.mutate(gadgets, key) {
            $0["spec"]["size"] = "three"
            $0["metadata"]["generation"] = 2
        }
        try await eventually("the type error") {
            gadget(cluster)?["status"].condition("Ready")?.message?.hasPrefix("spec.size: expected Int") == true
        }
        #expect(gadget(cluster)?["status"].condition("Stalled")?.observedGeneration == 2)

        // Fixing it clears Stalled.
        try cluster.mutate(gadgets, key) {
            $0["spec"] = ["size": 1]
            $0["metadata"]["generation"] = 3
        }
        try await eventually("Ready after the fix") { gadget(cluster)?["status"].condition("Ready")?.status == .true }
        #expect(gadget(cluster)?["status"].condition("Stalled") == nil)
        manager.stop()
        _ = try? await run.value
    }

    @Test("a deleted object's jobs are forgotten, and shutdown cancels the jobs still running")
    func jobsAreOwnedByTheManager() async throws {
        let jobs = BackgroundJobs(concurrency: 1)
        // Which job takes the one slot first is up to the scheduler: record who started.
        let started = NIOLockedValueBox<[String]>([])
        let finished = NIOLockedValueBox(0)
        for id in ["a", "b", "c"] {
            let first: Int? = jobs.result(of: id, start: {
                started.withLockedValue { $0.append(id) }
                try? await Task.sleep(for: .seconds(30))
                if !Task.isCancelled { finished.withLockedValue { $0 += 1 } }
                return 1
            })
            #expect(first == nil)
        }
        try await eventually("one job runs") { started.withLockedValue { $0.count } == 1 }
        // Only one slot: the others wait.
        #expect(jobs.runningCount == 3)
        jobs.forget(prefix: started.withLockedValue { $0[0] })
        try await eventually("the next job starts when the first is forgotten") { started.withLockedValue { $0.count } == 2 }
        jobs.cancelAll()
        #expect(jobs.runningCount == 0)
        #expect(finished.withLockedValue { $0 } == 0)
        // After shutdown no job starts.
        let late: Int? = jobs.result(of: "d", start: { 1 })
        #expect(late == nil)
        #expect(jobs.isRunning("d") == false)
    }

    @Test("a finished job's result is served until forgotten, and `then` runs once")
    func jobResultsAreKept() async throws {
        let jobs = BackgroundJobs()
        let calls = NIOLockedValueBox(0)
        let woken = NIOLockedValueBox(0)
        let none: String? = jobs.result(of: "x", start: { calls.withLockedValue { $0 += 1 }; return "done" }, then: { woken.withLockedValue { $0 += 1 } })
        #expect(none == nil)
        try await eventually("the job finishes") { jobs.result(of: "x", as: String.self, start: { "again" }) == "done" }
        #expect(calls.withLockedValue { $0 } == 1)
        #expect(woken.withLockedValue { $0 } == 1)
        jobs.forget("x")
        let restarted: String? = jobs.result(of: "x", start: { calls.withLockedValue { $0 += 1 }; return "second" })
        #expect(restarted == nil)
        try await eventually("the job runs again") { calls.withLockedValue { $0 } == 2 }
    }
}

