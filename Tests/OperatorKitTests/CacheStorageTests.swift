import KubeClient
import Testing

@testable import OperatorKit

/// ``CacheStorage``: a compact cache answers exactly as a decoded one, for every read and
/// every event, and costs less.
@Suite("Cache storage")
struct CacheStorageTests {
    /// An object with the values a round trip through bytes could bend, as a watch delivers
    /// it: parsed from JSON (where a whole number is an integer, as API servers write it).
    static func object(_ name: String, namespace: String = "shop", version: String, owner: String = "uid-1", extra: JSONValue = .null) -> JSONValue {
        let built: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(version),
                         "labels": ["app": "web", "tier": "front"], "ownerReferences": [["uid": .string(owner), "controller": true]]],
            "spec": ["replicas": 3, "ratio": .double(0.25), "whole": .double(2.0), "big": .int(Int64.max), "negative": .int(-7),
                     "text": "quotes \" slash \\ newline \n tab \t unicode é 🚀 \u{1}", "empty": [:], "none": [], "flag": false,
                     "extra": extra],
        ]
        return try! JSONValue(parsing: built.serializedBytes())
    }

    @Test(arguments: [CacheStorage.decoded, .compact])
    func everyReadAndEventIsTheSameWhateverTheStorage(storage: CacheStorage) throws {
        let cache = ObjectCache(storage: storage)
        let reference = ObjectCache(storage: .decoded)
        func both<T: Equatable>(_ read: (ObjectCache) -> T) -> (T, T) { (read(cache), read(reference)) }

        let a = Self.object("a", version: "1"), b = Self.object("b", version: "2", owner: "uid-2"), c = Self.object("c", namespace: "other", version: "3")
        for object in [a, b, c] {
            let key = try #require(ObjectKey(of: object))
            #expect(cache.upsert(object, key: key) == nil)
            reference.upsert(object, key: key)
        }
        let key = try #require(ObjectKey(of: a))
        #expect(cache.get(key) == a, "an object reads back exactly as it was stored")
        let changed = Self.object("a", version: "4", owner: "uid-2", extra: ["added": "x"])
        #expect(cache.upsert(changed, key: key) == a, "the replaced object comes back whole")
        reference.upsert(changed, key: key)

        var pair = both { $0.list(namespace: "shop") }
        #expect(pair.0 == pair.1 && pair.0.count == 2)
        pair = both { $0.list(matching: try! LabelSelector(parsing: "app=web")) }
        #expect(pair.0 == pair.1 && pair.0.count == 3)
        pair = both { $0.list(index: Indexer.ownerUID.name, value: "uid-2") }
        #expect(pair.0 == pair.1 && pair.0.map { $0["metadata"]["name"] } == ["a", "b"], "the index follows the changed owner")
        #expect(cache.list(index: Indexer.ownerUID.name, value: "uid-1").isEmpty == false)
        #expect(cache.snapshot() == reference.snapshot())
        #expect(Array(cache.lazyObjects()) == reference.snapshot(), "a pass over the whole cache, object by object, in key order")

        // A relist: b unchanged (no event), c changed, a gone, d new.
        let c2 = Self.object("c", namespace: "other", version: "5"), d = Self.object("d", version: "6")
        let events = cache.replace(with: cache.stage([b, c2, d]), inNamespace: nil).map(\.event)
        let expected = reference.replace(with: reference.stage([b, c2, d]), inNamespace: nil).map(\.event)
        #expect(events.map(Self.describe) == expected.map(Self.describe))
        #expect(events.map(Self.describe) == ["updated 3→5", "added 6", "deleted 4"])
        #expect(cache.remove(try #require(ObjectKey(of: d))) == d)
        #expect(cache.keys == reference.keys.filter { $0.name != "d" })
    }

    static func describe(_ event: InformerEvent) -> String {
        switch event {
        case .added(let object): "added \(object["metadata"]["resourceVersion"].stringValue ?? "")"
        case .updated(let old, let new):
            "updated \(old["metadata"]["resourceVersion"].stringValue ?? "")→\(new["metadata"]["resourceVersion"].stringValue ?? "")"
        case .deleted(let object, _): "deleted \(object["metadata"]["resourceVersion"].stringValue ?? "")"
        }
    }

    @Test func aManagersCachesAreCompactUnlessConfiguredDecoded() {
        #expect(ManagerConfiguration().cacheStorage == .compact)
        let manager = Manager(api: InMemoryCluster(), configuration: ManagerConfiguration())
        #expect(manager.cache.informer(for: Fixtures.widgets).cache.storage == .compact)
        let decoded = Manager(api: InMemoryCluster(), configuration: ManagerConfiguration(cacheStorage: .decoded))
        #expect(decoded.cache.informer(for: Fixtures.widgets).cache.storage == .decoded)
    }

    @Test("a compact cache's repeated reads of an object are the same; a new version reads as the new one")
    func repeatedReadsFollowTheResourceVersion() throws {
        let cache = ObjectCache(storage: .compact)
        // More objects than the recently parsed slots, so slots are shared and overwritten.
        let objects = (0..<100).map { Self.object("o\($0)", version: "\($0 + 1)") }
        for object in objects { cache.upsert(object, key: try #require(ObjectKey(of: object))) }
        for _ in 0..<3 {
            for object in objects { #expect(cache.get(try #require(ObjectKey(of: object))) == object) }
        }
        let key = try #require(ObjectKey(of: objects[7]))
        _ = cache.get(key)
        let changed = Self.object("o7", version: "500", extra: ["changed": true])
        cache.upsert(changed, key: key)
        #expect(cache.get(key) == changed, "the new resourceVersion is parsed afresh")
        #expect(cache.get(key) == changed)
        cache.remove(key)
        #expect(cache.get(key) == nil, "a removed object is gone, whatever a slot held")
    }
}
