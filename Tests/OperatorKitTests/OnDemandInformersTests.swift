import KubeClient
import Testing

@testable import OperatorKit

/// ``InformerCache/synced(_:timeout:)``: informers a controller opens when its work first
/// needs them, not at registration.
@Suite("On-demand informers")
struct OnDemandInformersTests {
    let widgets = Fixtures.widgets
    let configMaps = Fixtures.configMaps

    @Test("a kind opened on demand while the cache runs is listed before the call returns; nothing else is opened")
    func openedOnDemandIsSyncedOnReturn() async throws {
        let cluster = InMemoryCluster()
        for i in 0..<3 { _ = try await cluster.create(widgets.resource, Fixtures.widget("w\(i)"), namespace: "default") }
        _ = try await cluster.create(configMaps.resource, Fixtures.configMap("unread"), namespace: "default")
        let cache = InformerCache(api: cluster)
        let running = Task { await cache.run() }
        defer { running.cancel() }

        #expect(cache.informers.isEmpty, "nothing is listed before it is needed")
        try await cache.synced([widgets], timeout: .seconds(10))
        #expect(cache.list(widgets).map { $0["metadata"]["name"].stringValue } == ["w0", "w1", "w2"])
        #expect(cache.informers.map(\.resource) == [widgets.resource], "only the kind asked for was opened")
        #expect(cluster.listRequests.count == 1)

        // Open and synced: answered from the cache, with no new list.
        try await cache.synced([widgets], timeout: .milliseconds(1))
        #expect(cluster.listRequests.count == 1)
        _ = try await cluster.create(widgets.resource, Fixtures.widget("w3"), namespace: "default")
        try await eventually { cache.list(widgets).count == 4 }
    }

    @Test("a kind the operator may not list is named after the timeout; the informer retries and a later call succeeds")
    func forbiddenKindIsReportedThenRecovers() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets.resource, Fixtures.widget("w"), namespace: "default")
        _ = try await cluster.create(configMaps.resource, Fixtures.configMap("c"), namespace: "default")
        cluster.forbidLists(of: configMaps.resource)
        let cache = InformerCache(api: cluster)
        let running = Task { await cache.run() }
        defer { running.cancel() }

        let error = await #expect(throws: CacheNotSynced.self) {
            try await cache.synced([widgets, configMaps], timeout: .milliseconds(500))
        }
        #expect(error?.resources == ["configmaps"], "the synced kind is not named")
        #expect(error?.description.contains("may list and watch it") == true, "\(error?.description ?? "")")
        #expect(cache.list(widgets).count == 1, "what did sync is usable")

        cluster.forbidLists(of: configMaps.resource, false)
        try await cache.synced([widgets, configMaps], timeout: .seconds(20))
        #expect(cache.list(configMaps).map { $0["metadata"]["name"].stringValue } == ["c"])
    }
}
