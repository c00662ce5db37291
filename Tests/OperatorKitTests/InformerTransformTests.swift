import KubeClient
import NIOConcurrencyHelpers
import Testing

@testable import OperatorKit

/// ``ObjectTransform``: what an informer keeps of each object, on list and watch alike.
@Suite("Informer transform")
struct InformerTransformTests {
    let widgets = Fixtures.widgets.resource

    static func bulky(_ name: String, size: Int) -> JSONValue {
        var object = Fixtures.widget(name, size: size)
        object["report"] = ["findings": .array((0..<200).map { .string("finding \($0) of \(name)") }), "run": "r1"]
        return object
    }

    @Test("listed and watched objects are cached as the transform keeps them; handlers see the same")
    func listedAndWatchedObjectsAreTransformed() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Self.bulky("listed", size: 1), namespace: nil)
        let informer = SharedInformer(
            configuration: SharedInformer.Configuration(resource: widgets, transform: .keeping(["report.run", "spec.absent"])),
            api: cluster)
        let seen = NIOLockedValueBox<[JSONValue]>([])
        informer.addHandler { event in
            if case .added(let object) = event { seen.withLockedValue { $0.append(object) } }
            if case .updated(_, let object) = event { seen.withLockedValue { $0.append(object) } }
        }
        let running = Task { await informer.run() }
        defer { running.cancel() }
        await informer.waitUntilSynced()
        _ = try await cluster.create(widgets, Self.bulky("watched", size: 2), namespace: nil)
        try await eventually { informer.cache.count == 2 }

        for name in ["listed", "watched"] {
            let cached = try #require(informer.cache.get(ObjectKey(namespace: "default", name: name)))
            #expect(cached["metadata"]["name"] == .string(name))
            #expect(cached["metadata"]["resourceVersion"].stringValue != nil, "metadata is kept whole")
            #expect(cached["kind"] == "Widget")
            #expect(cached["report"]["run"] == "r1", "the kept path")
            #expect(cached["report"]["findings"].isNull, "the bulk is gone")
            #expect(cached["spec"].isNull, "paths not listed are dropped, absent ones are not invented")
        }
        try await eventually { seen.withLockedValue { $0.count } == 2 }
        #expect(seen.withLockedValue { $0 }.allSatisfy { $0["report"]["findings"].isNull && $0["report"]["run"] == "r1" })
    }

    @Test("a transform is set before the informer exists; setting the same one again is no change")
    func transformsAreSetBeforeTheInformerExists() throws {
        let cache = InformerCache(api: InMemoryCluster())
        let resource = Fixtures.widgets
        try cache.setTransform(.keeping(["status.run"]), for: resource)
        _ = cache.informer(for: resource)
        #expect(cache.informer(for: resource).configuration.transform?.name == "keeping metadata, status.run")
        try cache.setTransform(.keeping(["status.run"]), for: resource)
        #expect(throws: TransformAfterInformerCreated.self) {
            try cache.setTransform(.keeping(["spec"]), for: resource)
        }
    }
}
