import Foundation
import KubeClient
import Testing

@testable import OperatorKit

@Suite("kstatus conditions")
struct ConditionChangesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func object(_ status: JSONValue, generation: Int64 = 3) -> JSONValue {
        ["metadata": ["name": "x", "generation": .int(generation)], "status": status]
    }

    @Test("ready, reconciling and stalled keep the trio coherent and compute the matching kstatus")
    func trioComputesKStatus() {
        var status: JSONValue = ["observedGeneration": 3]
        var changes = ConditionChanges()
        changes.reconciling(reason: "RolloutInProgress", message: "rolling out")
        changes.apply(to: &status, observedGeneration: 3, now: t0)
        #expect(status.condition("Ready")?.status == .false)
        #expect(status.condition("Reconciling")?.status == .true)
        #expect(KStatus.of(object(status)) == .inProgress)

        changes = ConditionChanges()
        changes.stalled(reason: "RolledBack", message: "revision failed")
        changes.apply(to: &status, observedGeneration: 3, now: t0)
        #expect(status.condition("Reconciling") == nil)
        #expect(status.condition("Stalled")?.reason == "RolledBack")
        #expect(KStatus.of(object(status)) == .failed)

        changes = ConditionChanges()
        changes.ready(reason: "Healthy", message: "serving")
        changes.apply(to: &status, observedGeneration: 3, now: t0)
        #expect(status.condition("Stalled") == nil)
        #expect(status.condition("Ready")?.status == .true)
        #expect(KStatus.of(object(status)) == .current)
        // A status that describes an older generation is in progress whatever it says.
        #expect(KStatus.of(object(status, generation: 4)) == .inProgress)
        var deleting = object(status)
        deleting["metadata"]["deletionTimestamp"] = "2027-01-01T00:00:00Z"
        #expect(KStatus.of(deleting) == .terminating)
    }

    @Test("lastTransitionTime moves only when a condition's status changes; the last change for a type wins")
    func transitionTimes() {
        var status: JSONValue = .emptyObject
        var changes = ConditionChanges()
        changes.reconciling(reason: "A", message: "first")
        changes.apply(to: &status, observedGeneration: 1, now: t0)
        let first = status.condition("Ready")?.lastTransitionTime

        changes = ConditionChanges()
        changes.reconciling(reason: "B", message: "same status, new reason")
        changes.apply(to: &status, observedGeneration: 1, now: t0.addingTimeInterval(60))
        #expect(status.condition("Ready")?.lastTransitionTime == first)
        #expect(status.condition("Ready")?.reason == "B")

        changes = ConditionChanges()
        changes.set("Ready", .unknown, reason: "X", message: "")
        changes.ready(reason: "Done", message: "ok")
        changes.apply(to: &status, observedGeneration: 2, now: t0.addingTimeInterval(120))
        #expect(status.condition("Ready")?.status == .true)
        #expect(status.condition("Ready")?.observedGeneration == 2)
        #expect(status.condition("Ready")?.lastTransitionTime != first)
        #expect(changes.changes.map(\.type) == ["Ready", "Reconciling", "Stalled"])
    }
}
