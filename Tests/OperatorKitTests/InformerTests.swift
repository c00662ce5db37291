import KubeClient
import Testing

@testable import OperatorKit

@Suite("Informer")
struct InformerTests {
    let widgets = Fixtures.widgets.resource

    func makeInformer(
        _ cluster: InMemoryCluster, clock: any OperatorClock = SystemClock(), scope: NamespaceScope = .all,
        pageSize: Int = 500, resync: Duration? = nil, backoff: Backoff = .watchRestart
    ) -> SharedInformer {
        SharedInformer(
            configuration: SharedInformer.Configuration(
                resource: widgets, scope: scope, resyncPeriod: resync, pageSize: pageSize, backoff: backoff),
            api: cluster, clock: clock)
    }

    @Test("lists in pages, then delivers every change in order; the cache and its indexes follow")
    func listThenWatch() async throws {
        let cluster = InMemoryCluster()
        for i in 0..<7 { _ = try await cluster.create(widgets, Fixtures.widget("w\(i)", namespace: i < 4 ? "a" : "b"), namespace: nil) }
        let informer = makeInformer(cluster, pageSize: 3)
        let log = EventLog()
        informer.addHandler(log.handler())
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()

        #expect(cluster.listRequests.count == 3, "7 objects in pages of 3")
        #expect(informer.cache.count == 7)
        #expect(informer.cache.list(namespace: "a").count == 4)
        #expect(log.all.count == 7)

        _ = try await cluster.create(widgets, Fixtures.widget("late", namespace: "b"), namespace: nil)
        try cluster.mutate(widgets, ObjectKey(namespace: "a", name: "w0")) { $0["spec"]["size"] = 5 }
        _ = try await cluster.delete(widgets, name: "w1", namespace: "a", options: DeleteOptions())
        try await eventually { log.all.count == 10 }
        #expect(Array(log.all.suffix(3)) == [.added("b/late"), .updated("a/w0"), .deleted("a/w1", finalStateUnknown: false)])
        #expect(informer.cache.get(ObjectKey(namespace: "a", name: "w0"))?["spec"]["size"] == 5)
        #expect(informer.cache.get(ObjectKey(namespace: "a", name: "w1")) == nil)
        #expect(informer.cache.keys(index: "namespace", value: "a").count == 3)
        #expect(informer.resourceVersions[""] == String(cluster.currentRevision))
    }

    @Test("a dropped watch resumes from the last resourceVersion: nothing lost, nothing replayed, no relist")
    func resumeAfterDroppedWatch() async throws {
        let cluster = InMemoryCluster()
        for i in 0..<3 { _ = try await cluster.create(widgets, Fixtures.widget("w\(i)"), namespace: nil) }
        let informer = makeInformer(cluster)
        let log = EventLog()
        informer.addHandler(log.handler())
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        try await eventually { cluster.activeWatchCount == 1 }
        _ = try await cluster.create(widgets, Fixtures.widget("before-drop"), namespace: nil)
        try await eventually { log.all.count == 4 }
        let resumePoint = String(cluster.currentRevision)

        cluster.holdWatches()
        cluster.dropWatches()
        try await eventually("the informer asks to watch again") { cluster.heldWatchCount == 1 }
        // Changes while no watch is open.
        _ = try await cluster.create(widgets, Fixtures.widget("during-gap"), namespace: nil)
        try cluster.mutate(widgets, ObjectKey(namespace: "default", name: "w0")) { $0["spec"]["size"] = 9 }
        _ = try await cluster.delete(widgets, name: "w2", namespace: "default", options: DeleteOptions())
        cluster.releaseWatches()

        try await eventually { log.all.count == 7 }
        #expect(Array(log.all.suffix(3)) == [
            .added("default/during-gap"), .updated("default/w0"), .deleted("default/w2", finalStateUnknown: false),
        ])
        #expect(cluster.listRequests.count == 1, "resuming must not relist")
        #expect(cluster.watchRequests.last?.resourceVersion == resumePoint)
        #expect(Set(informer.cache.keys.map(\.name)) == ["w0", "w1", "before-drop", "during-gap"])
    }

    @Test("410 Gone on resume: relist and deliver the deletes the gap hid")
    func relistOnGone() async throws {
        let cluster = InMemoryCluster()
        for name in ["a", "b", "c"] { _ = try await cluster.create(widgets, Fixtures.widget(name), namespace: nil) }
        let informer = makeInformer(cluster)
        let log = EventLog()
        informer.addHandler(log.handler())
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        try await eventually { cluster.activeWatchCount == 1 }

        cluster.holdWatches()
        cluster.dropWatches()
        try await eventually { cluster.heldWatchCount == 1 }
        cluster.forceDelete(widgets, ObjectKey(namespace: "default", name: "b"))
        _ = try await cluster.create(widgets, Fixtures.widget("d"), namespace: nil)
        try cluster.mutate(widgets, ObjectKey(namespace: "default", name: "c")) { $0["spec"]["size"] = 3 }
        cluster.compact()
        cluster.releaseWatches()

        try await eventually { log.all.count == 6 }
        #expect(Set(log.all.suffix(3).map(\.description)) == ["-default/b?", "+default/d", "~default/c"])
        #expect(cluster.listRequests.count == 2, "one relist after 410")
        #expect(Set(informer.cache.keys.map(\.name)) == ["a", "c", "d"])
        // And it keeps watching from the relist.
        _ = try await cluster.create(widgets, Fixtures.widget("e"), namespace: nil)
        try await eventually { log.all.last == .added("default/e") }
    }

    @Test("bookmarks move the resume point without events")
    func bookmarks() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("a"), namespace: nil)
        _ = try await cluster.create(Fixtures.configMaps.resource, Fixtures.configMap("unrelated"), namespace: nil)
        let informer = makeInformer(cluster)
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        try await eventually { cluster.activeWatchCount == 1 }
        // Another resource moved the global revision past this informer's last event.
        _ = try await cluster.create(Fixtures.configMaps.resource, Fixtures.configMap("more"), namespace: nil)
        #expect(informer.resourceVersions[""] != String(cluster.currentRevision))
        cluster.sendBookmarks()
        try await eventually { informer.resourceVersions[""] == String(cluster.currentRevision) }
        #expect(cluster.watchRequests.last?.allowBookmarks == true)
    }

    @Test("failed watches back off 800 ms, 1.6 s, 3.2 s … on the clock, then recover")
    func watchBackoff() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        _ = try await cluster.create(widgets, Fixtures.widget("a"), namespace: nil)
        var backoff = Backoff.watchRestart
        backoff.random = { 0 }
        cluster.failNextWatches(4, with: .status(.internalError("etcd is unavailable"), httpCode: 500))
        let informer = makeInformer(cluster, clock: clock, backoff: backoff)
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()

        var delays: [Duration] = []
        for _ in 0..<4 {
            try await clock.waitForSleepers()
            let start = clock.now
            let deadline = try #require(clock.nextDeadline)
            delays.append(start.duration(to: deadline))
            clock.advance(to: deadline)
        }
        #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400)])
        try await eventually("the fifth watch succeeds") { cluster.activeWatchCount == 1 }
        #expect(cluster.watchRequests.count == 5)
    }

    @Test("resync re-delivers unchanged objects as updates with old == new")
    func resync() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        _ = try await cluster.create(widgets, Fixtures.widget("a"), namespace: nil)
        let informer = makeInformer(cluster, clock: clock, resync: .seconds(30))
        let log = EventLog()
        informer.addHandler(log.handler())
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(30))
        try await eventually { log.all == [.added("default/a"), .updated("default/a")] }
    }

    @Test("namespace scope: one watch per namespace, objects elsewhere never cached")
    func namespaceScope() async throws {
        let cluster = InMemoryCluster()
        for ns in ["a", "b", "c"] { _ = try await cluster.create(widgets, Fixtures.widget("w", namespace: ns), namespace: nil) }
        let informer = makeInformer(cluster, scope: .namespaces(["a", "c"]))
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        #expect(Set(informer.cache.keys.map(\.description)) == ["a/w", "c/w"])
        try await eventually { cluster.activeWatchCount == 2 }
    }

    @Test("a handler added late first receives every cached object")
    func lateHandler() async throws {
        let cluster = InMemoryCluster()
        for name in ["x", "y"] { _ = try await cluster.create(widgets, Fixtures.widget(name), namespace: nil) }
        let informer = makeInformer(cluster)
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        let log = EventLog()
        let registration = informer.addHandler(log.handler())
        #expect(log.all == [.added("default/x"), .added("default/y")])
        registration.cancel()
        _ = try await cluster.create(widgets, Fixtures.widget("z"), namespace: nil)
        try await eventually { informer.cache.count == 3 }
        #expect(log.all.count == 2, "a removed handler gets nothing more")
    }

    @Test("indexes: by owner UID and by a custom function")
    func indexes() async throws {
        let cache = ObjectCache()
        cache.addIndexer(Indexer.label("tier"))
        var owned = Fixtures.configMap("child")
        owned["metadata"]["ownerReferences"] = [["apiVersion": "example.dev/v1", "kind": "Widget", "name": "w", "uid": "u-1", "controller": true]]
        let events = cache.replace(
            with: cache.stage([owned, Fixtures.widget("front", labels: ["tier": "web"]), Fixtures.widget("back", labels: ["tier": "db"])]),
            inNamespace: nil)
        #expect(events.count == 3)
        #expect(cache.list(index: "ownerUID", value: "u-1").count == 1)
        #expect(cache.list(index: "label:tier", value: "web").first?["metadata"]["name"] == "front")
        #expect(cache.list(matching: try LabelSelector(parsing: "tier in (web,db)")).count == 2)
    }
}
