import Foundation
import KubeClient
import Testing

@testable import OperatorKit

@Suite("Status writer, conditions, finalizers, owner references")
struct StatusHelpersTests {
    let widgets = Fixtures.widgets.resource
    let key = ObjectKey(namespace: "default", name: "w")

    @Test("the status is written only when it changes; lastTransitionTime moves only on a status flip")
    func skipsUnchangedWrites() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("w"), namespace: nil)
        let writer = StatusWriter(api: cluster, resource: widgets)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)

        let first = try await writer.updateStatus(of: key) { status, object in
            status.setCondition("Ready", .true, reason: "Available", message: "ok", observedGeneration: object.generation, now: t0)
            status.setObservedGeneration(object.generation)
        }
        #expect(first.didWrite)
        for minute in 1...5 {
            let again = try await writer.updateStatus(of: key) { status, object in
                status.setCondition(
                    "Ready", .true, reason: "Available", message: "ok", observedGeneration: object.generation,
                    now: t0.addingTimeInterval(Double(minute) * 60))
                status.setObservedGeneration(object.generation)
            }
            #expect(!again.didWrite)
        }
        #expect(cluster.writes(verb: "update", subresource: "status").count == 1, "five unchanged reconciles, no write")

        let flipped = try await writer.updateStatus(of: key) { status, _ in
            status.setCondition("Ready", .false, reason: "Broken", message: "no", now: t0.addingTimeInterval(600))
        }
        let condition = try #require(flipped.object["status"].condition("Ready"))
        #expect(condition.status == .false)
        #expect(condition.lastTransitionTime == KubeTime(t0.addingTimeInterval(600)))
        #expect(flipped.object["status"]["observedGeneration"] == 1)
    }

    @Test("a 409 Conflict is retried on a fresh read, keeping the other writer's change")
    func retriesConflicts() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(widgets, Fixtures.widget("w"), namespace: nil)
        let stale = try await cluster.get(widgets, name: "w", namespace: "default")
        // Someone else writes the status after we read.
        var other = stale
        other["status"] = ["phase": "Scaling"]
        _ = try await cluster.updateStatus(widgets, other, namespace: "default")

        let writer = StatusWriter(api: cluster, resource: widgets)
        let outcome = try await writer.updateStatus(of: key, current: stale) { status, _ in
            status["replicas"] = 3
        }
        #expect(outcome.didWrite)
        #expect(outcome.object["status"]["phase"] == "Scaling")
        #expect(outcome.object["status"]["replicas"] == 3)
        #expect(cluster.writes(verb: "update", subresource: "status").count == 2)
    }

    @Test("typed status updates keep fields the type does not know")
    func typedStatus() async throws {
        struct WidgetStatus: Codable, Sendable {
            var replicas: Int?
        }
        let cluster = InMemoryCluster()
        var widget = try await cluster.create(widgets, Fixtures.widget("w"), namespace: nil)
        widget["status"] = ["replicas": 1, "unknownField": "kept"]
        _ = try await cluster.updateStatus(widgets, widget, namespace: "default")
        let writer = StatusWriter(api: cluster, resource: widgets)
        let outcome = try await writer.updateStatus(of: key, as: WidgetStatus.self) { status, _ in status.replicas = 2 }
        #expect(outcome.object["status"]["replicas"] == 2)
        #expect(outcome.object["status"]["unknownField"] == "kept")
        let unchanged = try await writer.updateStatus(of: key, as: WidgetStatus.self) { status, _ in status.replicas = 2 }
        #expect(!unchanged.didWrite)
    }

    @Test("finalizer: added first, cleanup on delete, then removed so the object goes")
    func finalizerLifecycle() async throws {
        let cluster = InMemoryCluster()
        let created = try await cluster.create(widgets, Fixtures.widget("w"), namespace: nil)
        let finalizers = Finalizers(api: cluster, resource: widgets, finalizer: "opsagent.dev/cleanup")
        let cleanups = Counter()

        guard case .added(let withFinalizer) = try await finalizers.reconcile(created, cleanup: { _ in cleanups.increment() }) else {
            Issue.record("the first pass adds the finalizer")
            return
        }
        #expect(withFinalizer["metadata"]["finalizers"] == ["opsagent.dev/cleanup"])
        guard case .proceed = try await finalizers.reconcile(withFinalizer, cleanup: { _ in cleanups.increment() }) else {
            Issue.record("an object with the finalizer is reconciled normally")
            return
        }
        _ = try await cluster.delete(widgets, name: "w", namespace: "default", options: DeleteOptions())
        let deleting = try await cluster.get(widgets, name: "w", namespace: "default")
        #expect(!deleting["metadata"]["deletionTimestamp"].isNull)

        struct CleanupFailed: Error {}
        await #expect(throws: CleanupFailed.self) {
            _ = try await finalizers.reconcile(deleting, cleanup: { _ in throw CleanupFailed() })
        }
        #expect(cluster.object(widgets, key) != nil, "a failed cleanup keeps the finalizer")

        guard case .finalized = try await finalizers.reconcile(deleting, cleanup: { _ in cleanups.increment() }) else {
            Issue.record("cleanup then removal")
            return
        }
        #expect(cleanups.value == 1)
        #expect(cluster.object(widgets, key) == nil, "the last finalizer removed deletes the object")
    }

    @Test("owner references: one controller, matched by UID, adoption refused")
    func ownerReferences() throws {
        var owner = Fixtures.widget("w")
        owner["metadata"]["uid"] = "uid-1"
        var other = Fixtures.widget("other")
        other["metadata"]["uid"] = "uid-2"
        var child = Fixtures.configMap("c")
        try OwnerReferences.setController(owner, of: &child)
        try OwnerReferences.setController(owner, of: &child)
        #expect(child["metadata"]["ownerReferences"].arrayValue?.count == 1)
        #expect(OwnerReferences.isControlled(child, by: owner))
        #expect(!OwnerReferences.isControlled(child, by: other))
        #expect(throws: OwnerReferenceError.self) { try OwnerReferences.setController(other, of: &child) }
        #expect(throws: OwnerReferenceError.self) { try OwnerReferences.setController(Fixtures.widget("no-uid"), of: &child) }
    }
}

/// A thread-safe counter for tests.
final class Counter: Sendable {
    private let count = NIOLockedValueBox(0)
    var value: Int { count.withLockedValue { $0 } }
    func increment() { count.withLockedValue { $0 += 1 } }
}

import NIOConcurrencyHelpers
