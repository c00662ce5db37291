import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// The store on its own: revisions, history compaction, consistent snapshots, watch views.
@Suite("Object store")
struct ObjectStoreTests {
    let configMaps = GroupResource(group: "", resource: "configmaps")

    func put(_ store: ObjectStore, _ name: String, labels: [String: String] = [:], data: String = "v") throws -> StoredObject {
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": ["name": .string(name), "namespace": "ns", "uid": .string(name),
                                              "labels": .object(labels.mapValues { .string($0) })],
                                 "data": ["k": .string(data)]]
        return try store.mutate(configMaps, StoreKey(namespace: "ns", name: name), indexing: .plain) { _ in .put(object) }.object!
    }

    @Test("every write takes the next global resourceVersion; a kept write takes none")
    func revisions() throws {
        let store = ObjectStore(historyCapacity: 10)
        let a = try put(store, "a")
        let b = try put(store, "b")
        #expect(b.resourceVersion == a.resourceVersion + 1)
        let kept = try store.mutate(configMaps, StoreKey(namespace: "ns", name: "a"), indexing: .plain) { _ in .keep }
        #expect(kept.object?.resourceVersion == a.resourceVersion)
        #expect(store.revision == b.resourceVersion)
        #expect(a.object["metadata"]["resourceVersion"] == .string(String(a.resourceVersion)))
    }

    @Test("a list at a past revision shows that state; past the history it is 410 Expired")
    func snapshots() throws {
        let store = ObjectStore(historyCapacity: 3)
        let first = try put(store, "a", data: "1")
        _ = try put(store, "b")
        _ = try put(store, "a", data: "2")
        let past = try store.list(configMaps, at: first.resourceVersion)
        #expect(past.items.map(\.key.name) == ["a"])
        #expect(past.items.first?.object["data"]["k"] == "1")
        for i in 0..<3 { _ = try put(store, "c", data: "\(i)") }
        #expect(throws: APIError.self) { try store.list(configMaps, at: first.resourceVersion) }
        do {
            _ = try store.list(configMaps, at: first.resourceVersion)
        } catch {
            #expect(error.code == 410)
            #expect(error.reason == "Expired")
        }
    }

    @Test("pages follow key order and count what remains")
    func pages() throws {
        let store = ObjectStore()
        for name in ["d", "a", "c", "b", "e"] { _ = try put(store, name) }
        let first = try store.list(configMaps, limit: 2)
        #expect(first.items.map(\.key.name) == ["a", "b"])
        #expect(first.remainingItemCount == 3)
        let second = try store.list(configMaps, at: first.revision, after: first.continueAfter, limit: 2)
        #expect(second.items.map(\.key.name) == ["c", "d"])
        let last = try store.list(configMaps, at: first.revision, after: second.continueAfter, limit: 2)
        #expect(last.items.map(\.key.name) == ["e"])
        #expect(last.continueAfter == nil)
    }

    @Test("watchers see changes in order, through their selector, sharing one encoded line")
    func watchViews() async throws {
        let store = ObjectStore()
        let selected = ObjectFilter(predicate: { $0.labels["tier"] == "web" })
        let watch = try store.watch(configMaps, filter: selected, from: .now)
        let all = try store.watch(configMaps, from: .now)
        _ = try put(store, "x", labels: ["tier": "web"])
        _ = try put(store, "x", labels: ["tier": "db"])
        _ = try put(store, "x", labels: ["tier": "web"])
        watch.stop()
        all.stop()
        var seen: [String] = []
        var lines: [ByteBuffer?] = []
        for await item in watch.events {
            if case .change(let type, _, let line) = item { seen.append(type.rawValue); lines.append(line) }
        }
        #expect(seen == ["ADDED", "DELETED", "ADDED"])
        var sharedFirst: ByteBuffer?
        for await item in all.events {
            if case .change(.added, _, let line) = item { sharedFirst = line }
        }
        #expect(lines.first! != nil)
        #expect(lines.first! == sharedFirst)
        // A selector transition is a view of its own, not the shared line.
        #expect(lines[1] == nil)
    }

    @Test("a watch from a compacted revision is refused with 410")
    func expiredWatch() throws {
        let store = ObjectStore(historyCapacity: 100)
        let first = try put(store, "a")
        _ = try put(store, "a", data: "2")
        store.compact()
        #expect(throws: APIError.self) { try store.watch(configMaps, from: .after(first.resourceVersion)) }
    }
}

import NIOCore
