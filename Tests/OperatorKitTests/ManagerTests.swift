import KubeClient
import Metrics
import Prometheus
import Testing

@testable import OperatorKit

@Suite("Manager and controllers")
struct ManagerTests {
    let widgets = Fixtures.widgets.resource
    let configMaps = Fixtures.configMaps.resource

    struct Running {
        let manager: Manager
        let tally: ReconcileTally
        let task: Task<Void, any Error>
        let registry: PrometheusCollectorRegistry
    }

    func start(
        _ cluster: InMemoryCluster, configuration: ManagerConfiguration = ManagerConfiguration(), gateNames: Set<String> = [],
        tally: ReconcileTally = ReconcileTally()
    ) throws -> (Running, Gate) {
        let registry = PrometheusCollectorRegistry()
        let manager = Manager(api: cluster, configuration: configuration, metricsFactory: OperatorMetrics.factory(registry: registry))
        let gate = Gate(holding: gateNames, tally: tally)
        try manager.addController(
            named: "widgets", for: Fixtures.widgets, owns: [Fixtures.configMaps],
            reconciler: WidgetReconciler(manager: manager, tally: tally, gate: gate))
        let task = Task { try await manager.run() }
        return (Running(manager: manager, tally: tally, task: task, registry: registry), gate)
    }

    @Test("a widget gets its owned ConfigMap and a Ready status; resyncs of unchanged objects write nothing")
    func reconcilesAndResyncsWithoutWrites() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("w", size: 3), namespace: nil)
        let (running, _) = try start(cluster, configuration: ManagerConfiguration(resyncPeriod: .milliseconds(20)))
        defer { running.manager.stop() }
        try await eventually { running.manager.isReady }
        try await eventually {
            cluster.object(widgets, ObjectKey(namespace: "default", name: "w"))?["status"].condition("Ready")?.status == .true
        }
        let widget = try #require(cluster.object(widgets, ObjectKey(namespace: "default", name: "w")))
        #expect(widget["status"]["observedGeneration"] == 1)
        #expect(widget["status"]["replicas"] == 3)
        let child = try #require(cluster.object(configMaps, ObjectKey(namespace: "default", name: "w-config")))
        #expect(OwnerReferences.isControlled(child, by: widget))

        // Let resyncs reconcile the same state again and again.
        let before = running.tally.count("w")
        try await eventually("five resync reconciles") { running.tally.count("w") >= before + 5 }
        #expect(cluster.writes(verb: "update", resource: widgets, subresource: "status").count == 1)
        #expect(cluster.writes(verb: "create", resource: configMaps).count == 1)

        // A spec change is reconciled and written once.
        try cluster.mutate(widgets, ObjectKey(namespace: "default", name: "w")) {
            $0["spec"]["size"] = 4
            $0["metadata"]["generation"] = 2
        }
        try await eventually { cluster.object(widgets, ObjectKey(namespace: "default", name: "w"))?["status"]["observedGeneration"] == 2 }
        #expect(cluster.writes(verb: "update", resource: widgets, subresource: "status").count == 2)
    }

    @Test("a change to an owned ConfigMap reconciles its owner")
    func ownedObjectsWakeTheirOwner() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("w"), namespace: nil)
        _ = try await cluster.create(widgets, Fixtures.widget("v"), namespace: nil)
        let (running, _) = try start(cluster)
        defer { running.manager.stop() }
        try await eventually { cluster.object(configMaps, ObjectKey(namespace: "default", name: "w-config")) != nil }
        try await eventually { running.tally.count("v") >= 1 }
        try await eventually { running.tally.count("w") >= 1 && running.tally.running == 0 }
        let before = running.tally.count("w")
        try cluster.mutate(configMaps, ObjectKey(namespace: "default", name: "w-config")) { $0["data"]["key"] = "changed" }
        try await eventually { running.tally.count("w") > before }
        // A ConfigMap nobody owns wakes nothing. Proven by order, not by a quiet window: the
        // stray is created, then the owned ConfigMap changes again. One informer delivers both
        // in that order, so once the owner has been woken by the second, the stray's event has
        // been handled. Had it woken anything, it would be "stray" (mapped by name) or the
        // other widget "v" (mapped to every owner), whose counts are taken before.
        let queue = try #require(running.manager.controllers.first?.queue)
        let caughtUp = { (resource: ResourceDescriptor, name: String) -> Bool in
            let key = ObjectKey(namespace: "default", name: name)
            return running.manager.cache.get(resource, key)?["metadata"]["resourceVersion"]
                == cluster.object(resource.resource, key)?["metadata"]["resourceVersion"]
        }
        // The work so far done: the cache holds every last write (the reconciles' own status
        // writes included) and nothing is queued, delayed or running.
        try await eventually("the work so far settles", timeout: .seconds(30)) {
            caughtUp(Fixtures.widgets, "w") && caughtUp(Fixtures.widgets, "v") && caughtUp(Fixtures.configMaps, "w-config")
                && queue.depth == 0 && queue.delayedCount == 0 && running.tally.running == 0
        }
        let others = { () -> [String: Int] in ["v": running.tally.count("v"), "stray": running.tally.count("stray")] }
        let settled = others()
        let marker = running.tally.count("w")
        _ = try await cluster.create(configMaps, Fixtures.configMap("stray"), namespace: nil)
        try cluster.mutate(configMaps, ObjectKey(namespace: "default", name: "w-config")) { $0["data"]["key"] = "marker" }
        try await eventually("the owner is woken by the later change") { running.tally.count("w") > marker }
        #expect(others() == settled, "the unowned ConfigMap woke something: \(others()) (before: \(settled))")
    }

    @Test("a failing reconcile becomes a Warning Event and Ready=False, retried with backoff; terminal ones are not retried")
    func failuresAreReported() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("unlucky", size: 13), namespace: nil)
        _ = try await cluster.create(widgets, Fixtures.widget("invalid", size: -1), namespace: nil)
        let (running, _) = try start(cluster)
        defer { running.manager.stop() }

        try await eventually("retries with backoff", timeout: .seconds(60)) { running.tally.count("unlucky") >= 4 }
        try await eventually {
            cluster.object(widgets, ObjectKey(namespace: "default", name: "unlucky"))?["status"].condition("Ready")?.reason == "UnluckySize"
        }
        let condition = try #require(cluster.object(widgets, ObjectKey(namespace: "default", name: "unlucky"))?["status"].condition("Ready"))
        #expect(condition.status == .false)
        #expect(condition.message == "spec.size 13 is not supported yet; try again")
        try await eventually {
            let events = try await cluster.list(.events, namespace: "default", options: ListOptions()).items
            return events.contains { $0["reason"] == "UnluckySize" && ($0["count"].intValue ?? 0) >= 2 }
        }
        let events = try await cluster.list(.events, namespace: "default", options: ListOptions()).items
        #expect(events.filter { $0["reason"] == "UnluckySize" }.count == 1, "repeats aggregate into one Event")
        #expect(events.first { $0["reason"] == "UnluckySize" }?["type"] == "Warning")

        try await eventually {
            cluster.object(widgets, ObjectKey(namespace: "default", name: "invalid"))?["status"].condition("Ready")?.reason == "InvalidSize"
        }
        #expect(running.tally.count("invalid") == 1, "terminal errors are not retried")
        #expect(cluster.writes(verb: "update", resource: widgets, subresource: "status").filter { $0.name == "unlucky" }.count == 1,
                "the same failure again writes no status")
        let queue = try #require(running.manager.controllers.first?.queue)
        #expect(queue.retries(ObjectKey(namespace: "default", name: "unlucky")) >= 3)
        #expect(queue.retries(ObjectKey(namespace: "default", name: "invalid")) == 0)
    }

    @Test("metrics carry controller-runtime's names")
    func metrics() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("w"), namespace: nil)
        _ = try await cluster.create(widgets, Fixtures.widget("bad", size: 13), namespace: nil)
        let (running, _) = try start(cluster)
        defer { running.manager.stop() }
        try await eventually { running.tally.count("w") >= 1 && running.tally.count("bad") >= 2 }
        try await eventually { running.registry.emitToString().contains("controller_runtime_reconcile_errors_total{controller=\"widgets\"}") }
        let text = running.registry.emitToString()
        for name in [
            "controller_runtime_reconcile_total{controller=\"widgets\",result=\"success\"}",
            "controller_runtime_reconcile_total{controller=\"widgets\",result=\"error\"}",
            "controller_runtime_reconcile_time_seconds_bucket{controller=\"widgets\",le=\"0.005\"}",
            "workqueue_adds_total{controller=\"widgets\",name=\"widgets\"}",
            "workqueue_depth{controller=\"widgets\",name=\"widgets\"}",
            "workqueue_retries_total{controller=\"widgets\",name=\"widgets\"}",
            "workqueue_queue_duration_seconds_bucket",
            "workqueue_work_duration_seconds_bucket",
            "informer_watch_restarts_total{resource=\"widgets.example.dev\"}",
            "informer_relists_total{resource=\"widgets.example.dev\"}",
        ] {
            #expect(text.contains(name), "missing \(name)")
        }
    }

    @Test("stop: no new reconciles, the one in flight finishes, then run returns")
    func gracefulShutdown() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("slow"), namespace: nil)
        let (running, gate) = try start(cluster, gateNames: ["slow"])
        try await eventually { running.tally.running == 1 }

        running.manager.stop()
        _ = try await cluster.create(widgets, Fixtures.widget("after-stop"), namespace: nil)
        // The informers run until the reconcile in flight is done: wait until the new widget has
        // reached the cache, so its event was handed to the (closed) queue before the check below.
        try await eventually("the informer delivers the widget created after stop") {
            running.manager.cache.get(Fixtures.widgets, ObjectKey(namespace: "default", name: "after-stop")) != nil
        }
        #expect(!running.manager.isRunning, "/healthz reports stopping at once")
        #expect(running.tally.running == 1, "the reconcile in flight is still running")
        gate.open()
        try await running.task.value
        #expect(running.tally.cancelled == 0, "the reconcile in flight finished instead of being cancelled")
        #expect(running.tally.count("after-stop") == 0, "no reconcile starts after stop")
        #expect(cluster.object(widgets, ObjectKey(namespace: "default", name: "slow"))?["status"].condition("Ready")?.status == .true)
    }

    @Test("stop is bounded: reconciles still running after the timeout are cancelled")
    func boundedShutdown() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("stuck"), namespace: nil)
        let (running, _) = try start(
            cluster, configuration: ManagerConfiguration(gracefulShutdownTimeout: .milliseconds(100)), gateNames: ["stuck"])
        try await eventually { running.tally.running == 1 }
        let stopped = ContinuousClock.now
        running.manager.stop()
        try await running.task.value
        #expect(running.tally.cancelled == 1)
        // The stuck reconcile never finishes by itself, so returning at all shows the bound;
        // the limit only guards against a hang (generous, as the suite runs in parallel).
        #expect(ContinuousClock.now - stopped < .seconds(30))
    }

    @Test("with leader election only the leader reconciles; the other keeps its cache warm and takes over on release")
    func leaderElection() async throws {
        let cluster = InMemoryCluster()
        for i in 0..<3 { _ = try await cluster.create(widgets, Fixtures.widget("w\(i)"), namespace: nil) }
        func configuration(_ identity: String) -> ManagerConfiguration {
            var election = LeaderElectionConfiguration(leaseName: "widgets", leaseNamespace: "default", identity: identity)
            // A lease long enough that a loaded machine never lets it lapse while its holder
            // runs: the takeover below must come from the release on stop, not from expiry.
            election.leaseDuration = .seconds(30)
            election.renewDeadline = .seconds(20)
            election.retryPeriod = .milliseconds(100)
            return ManagerConfiguration(leaderElection: election)
        }
        let (first, _) = try start(cluster, configuration: configuration("first"))
        try await eventually { first.manager.isLeader }
        let (second, _) = try start(cluster, configuration: configuration("second"))
        defer { second.manager.stop() }
        try await eventually { second.manager.isReady }
        #expect(second.manager.cache.informer(for: Fixtures.widgets).cache.count == 3, "the follower's cache is warm")
        try await eventually { first.tally.count("w0") >= 1 && first.tally.count("w2") >= 1 }
        _ = try await cluster.create(widgets, Fixtures.widget("new"), namespace: nil)
        try await eventually { first.tally.count("new") >= 1 }
        #expect(second.tally.total == 0, "a follower never reconciles")
        #expect(!second.manager.isLeader)

        let released = ContinuousClock.now
        first.manager.stop()
        try await first.task.value
        // Released on shutdown, not left to expire: the holder is cleared (or already the successor).
        let afterStop = try #require(cluster.object(.leases, ObjectKey(namespace: "default", name: "widgets")))
        #expect(["", "second"].contains(afterStop["spec"]["holderIdentity"].stringValue ?? ""),
                "the stopped leader released its lease: \(afterStop["spec"])")
        try await eventually(timeout: .seconds(25)) { second.manager.isLeader }
        let takeover = ContinuousClock.now - released
        print("measured: manager takeover after the leader stopped took \(takeover)")
        #expect(takeover < .seconds(25), "taken over well before the 30 s lease could expire (\(takeover))")
        try await eventually { second.tally.count("new") >= 1 }
        let lease = try #require(cluster.object(.leases, ObjectKey(namespace: "default", name: "widgets")))
        #expect(lease["spec"]["holderIdentity"].stringValue == "second")
    }

    @Test("a leader with no controllers holds the lease until stopped, then releases it; a candidate just stops")
    func leaseWithoutControllers() async throws {
        let cluster = InMemoryCluster()
        func manager(_ identity: String) -> Manager {
            Manager(api: cluster, configuration: ManagerConfiguration(
                leaderElection: LeaderElectionConfiguration(leaseName: "idle", leaseNamespace: "default", identity: identity)))
        }
        let leader = manager("leader")
        let leaderRun = Task { try await leader.run() }
        try await eventually { leader.isLeader }
        let candidate = manager("candidate")
        let candidateRun = Task { try await candidate.run() }
        try await eventually { candidate.isReady }
        candidate.stop()
        try await candidateRun.value
        #expect(leader.isLeader, "still leading: nothing stopped it")
        leader.stop()
        try await leaderRun.value
        #expect(cluster.object(.leases, ObjectKey(namespace: "default", name: "idle"))?["spec"]["holderIdentity"] == "")
    }

    @Test("registering twice or after start is refused with advice")
    func registration() async throws {
        let manager = Manager(api: InMemoryCluster())
        try manager.addController(named: "a", for: Fixtures.widgets, reconciler: ReconcilerFunction { _ in .done })
        #expect(throws: ManagerError.self) {
            try manager.addController(named: "a", for: Fixtures.widgets, reconciler: ReconcilerFunction { _ in .done })
        }
        let run = Task { try await manager.run() }
        try await eventually("the manager runs") { manager.isRunning }
        do {
            try manager.addController(named: "late", for: Fixtures.widgets, reconciler: ReconcilerFunction { _ in .done })
            Issue.record("a controller was added to a running manager")
        } catch let error as ManagerError {
            #expect("\(error)".contains("register controllers before run()"))
        }
        #expect(manager.controllers.map(\.name) == ["a"])
        manager.stop()
        try await run.value
    }
}
