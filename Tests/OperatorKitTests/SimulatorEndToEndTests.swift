import Foundation
import KubeClient
import KubeSim
import Testing

@testable import OperatorKit

/// OperatorKit against the embedded API server over HTTPS, through the real client.
@Suite("End to end on the embedded cluster")
struct SimulatorEndToEndTests {

    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.dev"],
        "spec": [
            "group": "example.dev", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
            "versions": [[
                "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                        "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    ],
                ]],
            ]],
        ],
    ]

    func startCluster() async throws -> (Simulator, KubernetesClient) {
        let sim = try await Simulator.start(.init(port: 0))
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        _ = try await client.create(.customResourceDefinitions, Self.widgetCRD)
        try await eventually("the Widget CRD is served") {
            (try? await client.list(Fixtures.widgets.resource, namespace: "default", options: ListOptions())) != nil
        }
        return (sim, client)
    }

    @Test("two managers over HTTPS: one leads and reconciles, the other takes over when it stops")
    func leaderFailoverBetweenManagers() async throws {
        let (sim, client) = try await startCluster()
        defer { Task { await sim.stop() } }
        _ = try await client.create(Fixtures.widgets.resource, Fixtures.widget("first", size: 2), namespace: "default")

        func manager(_ identity: String, tally: ReconcileTally) throws -> (Manager, Task<Void, any Error>) {
            var election = LeaderElectionConfiguration(leaseName: "e2e", leaseNamespace: "default", identity: identity)
            // Long enough that waiting for expiry could not pass for a takeover after release.
            election.leaseDuration = .seconds(10)
            election.renewDeadline = .seconds(6)
            election.retryPeriod = .milliseconds(250)
            let manager = Manager(api: client, configuration: ManagerConfiguration(leaderElection: election))
            try manager.addController(
                named: "widgets", for: Fixtures.widgets, owns: [Fixtures.configMaps],
                reconciler: WidgetReconciler(manager: manager, tally: tally))
            return (manager, Task { try await manager.run() })
        }
        let tallyA = ReconcileTally()
        let (a, runA) = try manager("a", tally: tallyA)
        try await eventually(timeout: .seconds(20)) { a.isLeader }
        let tallyB = ReconcileTally()
        let (b, runB) = try manager("b", tally: tallyB)
        defer { b.stop() }
        try await eventually(timeout: .seconds(20)) { b.isReady }

        try await eventually(timeout: .seconds(20)) {
            let widget = try await client.get(Fixtures.widgets.resource, name: "first", namespace: "default")
            return widget["status"].condition("Ready")?.status == .true && widget["status"]["replicas"] == 2
        }
        let child = try await client.get(.configmaps, name: "first-config", namespace: "default")
        #expect(child["metadata"]["ownerReferences"][0]["kind"] == "Widget")
        #expect(tallyB.total == 0, "the follower does not reconcile")
        #expect(b.cache.get(Fixtures.widgets, ObjectKey(namespace: "default", name: "first")) != nil, "but its cache is warm")

        let stopped = ContinuousClock.now
        a.stop()
        try await runA.value
        try await eventually(timeout: .seconds(20)) { b.isLeader }
        let takeover = ContinuousClock.now - stopped
        print("measured: takeover over HTTPS after the leader stopped took \(takeover)")
        #expect(takeover < .seconds(10), "a released lease is taken without waiting for it to expire")

        _ = try await client.create(Fixtures.widgets.resource, Fixtures.widget("second", size: 5), namespace: "default")
        try await eventually(timeout: .seconds(20)) {
            let widget = try await client.get(Fixtures.widgets.resource, name: "second", namespace: "default")
            return widget["status"]["replicas"] == 5
        }
        #expect(tallyB.count("second") >= 1)
        b.stop()
        try await runB.value
        let lease = try await client.get(.leases, name: "e2e", namespace: "default")
        #expect(lease["spec"]["holderIdentity"] == "")
    }

    @Test("an informer whose resourceVersion was compacted relists over HTTPS and reports the deletes it missed")
    func relistAfterCompaction() async throws {
        let (sim, client) = try await startCluster()
        defer { Task { await sim.stop() } }
        for name in ["keep", "gone"] {
            _ = try await client.create(.configmaps, Fixtures.configMap(name, namespace: "default"), namespace: "default")
        }
        let informer = SharedInformer(
            configuration: .init(resource: .configmaps, scope: .namespaces(["default"])), api: client)
        let log = EventLog()
        informer.addHandler(log.handler())
        var running = Task { await informer.run() }
        await informer.waitUntilSynced()
        #expect(log.all.contains(.added("default/gone")))

        // The informer is down while objects change and the history is compacted.
        running.cancel()
        await running.value
        _ = try await client.delete(.configmaps, name: "gone", namespace: "default", options: DeleteOptions())
        _ = try await client.create(.configmaps, Fixtures.configMap("new", namespace: "default"), namespace: "default")
        sim.store.compact()

        running = Task { await informer.run() }
        defer { running.cancel() }
        try await eventually(timeout: .seconds(20)) {
            log.all.contains(.deleted("default/gone", finalStateUnknown: true)) && log.all.contains(.added("default/new"))
        }
        #expect(informer.cache.get(ObjectKey(namespace: "default", name: "gone")) == nil)
        #expect(informer.cache.get(ObjectKey(namespace: "default", name: "keep")) != nil)
    }
}
