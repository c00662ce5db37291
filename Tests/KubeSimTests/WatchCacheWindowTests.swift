import Foundation
import KubeClient
import NIOConcurrencyHelpers
import Testing
@testable import KubeSim

/// The watch cache's window (kube-apiserver's `watch_cache.go`): a watch may resume only after
/// a resourceVersion the window still covers; older ones end with 410 Expired.
@Suite("Watch cache window")
struct WatchCacheWindowTests {
    static let configMaps = GroupResource(group: "", resource: "configmaps")
    static let secrets = GroupResource(group: "", resource: "secrets")
    static let configMapsV1 = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    @discardableResult
    func put(_ store: ObjectStore, _ name: String, resource: GroupResource = configMaps, data: String = "v") throws -> StoredObject {
        let object: JSONValue = ["apiVersion": "v1", "metadata": ["name": .string(name), "namespace": "ns"],
                                 "data": ["k": .string(data)]]
        return try store.mutate(resource, ObjectKey(namespace: "ns", name: name), indexing: .plain) { _ in .put(object) }.object!
    }

    func expectExpired(_ store: ObjectStore, after revision: UInt64, message: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try store.watch(Self.configMaps, from: .after(revision), throughWatchCache: true)
            Issue.record("a watch after \(revision) was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == 410, sourceLocation: sourceLocation)
            #expect(error.reason == "Expired", sourceLocation: sourceLocation)
            #expect(error.message == message, sourceLocation: sourceLocation)
        }
    }

    @Test("the window begins at the revision the store started at and holds each resource's recent events")
    func boundedBySize() throws {
        let store = ObjectStore(revision: 10, watchCache: .init(lowerBoundCapacity: 3, upperBoundCapacity: 3))
        // From before start-up: older than the cache's initial list.
        expectExpired(store, after: 5, message: "too old resource version: 5 (10)")
        let first = try put(store, "a", data: "1")                      // 11
        try put(store, "a", data: "2")                                  // 12
        try put(store, "s", resource: Self.secrets)                               // 13: another resource's window
        try put(store, "a", data: "3")                                  // 14: the ring of configmaps is full
        _ = try store.watch(Self.configMaps, from: .after(10), throughWatchCache: true)
        try put(store, "a", data: "4")                                  // 15 pushes 11 out
        expectExpired(store, after: 10, message: "too old resource version: 10 (11)")
        _ = try store.watch(Self.configMaps, from: .after(first.resourceVersion), throughWatchCache: true)
        // Secrets kept every event since start-up.
        _ = try store.watch(Self.secrets, from: .after(10), throughWatchCache: true)
        // In-process controllers resume from the whole history.
        _ = try store.watch(Self.configMaps, from: .after(10))
    }

    @Test("a full ring grows while its oldest event is fresh and drops events once they are stale")
    func expiresByAge() throws {
        let clock = NIOLockedValueBox<TimeInterval>(0)
        let store = ObjectStore(revision: 1, watchCache: .init(lowerBoundCapacity: 2, upperBoundCapacity: 8, eventFreshDuration: 75),
                                uptime: { clock.withLockedValue { $0 } })
        for i in 0..<6 { try put(store, "a", data: "\(i)") }            // 2…7: grows to 8 while fresh
        _ = try store.watch(Self.configMaps, from: .after(1), throughWatchCache: true)
        clock.withLockedValue { $0 = 100 }
        for i in 0..<2 { try put(store, "a", data: "late\(i)") }        // 8, 9: the ring is full
        _ = try store.watch(Self.configMaps, from: .after(1), throughWatchCache: true)
        try put(store, "a", data: "stale")                              // 10: the stale oldest (2) leaves
        expectExpired(store, after: 1, message: "too old resource version: 1 (2)")
        _ = try store.watch(Self.configMaps, from: .after(2), throughWatchCache: true)
    }

    @Test("over HTTP, a watch from before the window gets one ERROR event with 410 Expired; a relist and a watch from its resourceVersion recover")
    func expiredOverHTTP() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true, watchCache: .init(lowerBoundCapacity: 4, upperBoundCapacity: 4),
                                                  workloads: nil))
        defer { Task { await sim.stop() } }
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        let created = try await client.create(Self.configMapsV1, ["apiVersion": "v1", "kind": "ConfigMap",
                                                                 "metadata": ["name": "bookmark"], "data": ["k": "0"]],
                                              namespace: "default")
        let old = try #require(created["metadata"]["resourceVersion"].stringValue)
        for i in 1...5 {
            var changed = try await client.get(Self.configMapsV1, name: "bookmark", namespace: "default")
            changed["data"] = ["k": .string("\(i)")]
            _ = try await client.update(Self.configMapsV1, changed, namespace: "default")
        }
        // What the operator's Reflector reads: the stream yields `.expired`, then ends.
        var events: [KubeClient.WatchEvent] = []
        for try await event in try await client.watch(Self.configMapsV1, namespace: "default",
                                                      options: WatchOptions(resourceVersion: old, timeoutSeconds: 5)) {
            events.append(event)
        }
        #expect(events.count == 1)
        guard case .expired(let status)? = events.first else {
            Issue.record("expected an expired event, got \(events)")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == "Expired")
        #expect(status.message?.hasPrefix("too old resource version: \(old) (") == true, "\(status.message ?? "")")

        // The Reflector's recovery: list, then watch from the list's resourceVersion.
        let list = try await client.list(Self.configMapsV1, namespace: "default")
        #expect(list.items.contains { $0["data"]["k"] == "5" })
        let resumed = try await client.watch(Self.configMapsV1, namespace: "default",
                                             options: WatchOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 5))
        var changed = try await client.get(Self.configMapsV1, name: "bookmark", namespace: "default")
        changed["data"] = ["k": "after-relist"]
        _ = try await client.update(Self.configMapsV1, changed, namespace: "default")
        var seen: KubeClient.WatchEvent?
        for try await event in resumed {
            seen = event
            break
        }
        guard case .modified(let object)? = seen else {
            Issue.record("expected the change after the relist, got \(String(describing: seen))")
            return
        }
        #expect(object["data"]["k"] == "after-relist")
    }

    @Test("after a restart, a watch from a resourceVersion of the previous run is 410 Expired")
    func restartBeginsANewWindow() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sim-window-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await Simulator.start(.init(port: 0, tls: false, dataDirectory: directory.path, workloads: nil))
        let firstClient = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: first.kubeconfigPath))
        let created = try await firstClient.create(Self.configMapsV1, ["apiVersion": "v1", "kind": "ConfigMap",
                                                                      "metadata": ["name": "before-restart"]],
                                                   namespace: "default")
        let old = try #require(created["metadata"]["resourceVersion"].stringValue)
        _ = try await firstClient.delete(Self.configMapsV1, name: "before-restart", namespace: "default")
        await first.stop()

        let second = try await Simulator.start(.init(port: 0, tls: false, dataDirectory: directory.path, workloads: nil))
        defer { Task { await second.stop() } }
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: second.kubeconfigPath))
        var events: [KubeClient.WatchEvent] = []
        for try await event in try await client.watch(Self.configMapsV1, namespace: "default",
                                                      options: WatchOptions(resourceVersion: old, timeoutSeconds: 5)) {
            events.append(event)
        }
        guard case .expired(let status)? = events.first, events.count == 1 else {
            Issue.record("expected one expired event, got \(events)")
            return
        }
        #expect(status.message?.hasPrefix("too old resource version: \(old) (") == true)
    }

    @Test("a custom resource type's window begins when its CRD is established")
    func customResourceWindow() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true, workloads: nil))
        defer { Task { await sim.stop() } }
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        let before = try await client.list(Self.configMapsV1, namespace: "default").resourceVersion
        _ = try await client.create(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1",
                                                         resource: "customresourcedefinitions"),
                                    CRDValidationTests.crd(schema: ["type": "object", "x-kubernetes-preserve-unknown-fields": true]))
        let things = GroupVersionResource(group: "example.com", version: "v1", resource: "things")
        let listed = try await waitFor("the CRD is served") { try? await client.list(things, namespace: "default") }
        var events: [KubeClient.WatchEvent] = []
        for try await event in try await client.watch(things, namespace: "default",
                                                      options: WatchOptions(resourceVersion: before, timeoutSeconds: 5)) {
            events.append(event)
        }
        guard case .expired? = events.first, events.count == 1 else {
            Issue.record("expected one expired event, got \(events)")
            return
        }
        // From the list the informer then makes, the watch is fine.
        let resumed = try await client.watch(things, namespace: "default",
                                             options: WatchOptions(resourceVersion: listed.resourceVersion, timeoutSeconds: 5))
        _ = try await client.create(things, ["apiVersion": "example.com/v1", "kind": "Thing", "metadata": ["name": "one"]],
                                    namespace: "default")
        var first: KubeClient.WatchEvent?
        for try await event in resumed {
            first = event
            break
        }
        guard case .added? = first else {
            Issue.record("expected ADDED, got \(String(describing: first))")
            return
        }
    }
}
