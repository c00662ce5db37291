import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Testing

@testable import Controllers

/// The rollout's decisions, unit-tested on a manual clock: which state a rollout is in, when
/// its deadline and promotion delay expire, and when a color counts as ready.
@Suite("BlueGreen decisions")
struct BlueGreenDecisionTests {
    func status(active: Color? = nil, revision: String? = nil, aborted: String? = nil) -> BlueGreenStatus {
        var status = BlueGreenStatus()
        status.activeColor = active?.rawValue
        status.activeRevision = revision
        status.abortedRevision = aborted
        return status
    }

    @Test("the state follows from the spec's revision and the recorded status")
    func states() {
        #expect(RolloutState.of(specRevision: "r1", status: status(), paused: false) == .initial(revision: "r1"))
        #expect(RolloutState.of(specRevision: "r1", status: status(active: .blue, revision: "r1"), paused: false)
                == .steady(active: .blue, revision: "r1"))
        #expect(RolloutState.of(specRevision: "r2", status: status(active: .blue, revision: "r1"), paused: false)
                == .rollingOut(revision: "r2", active: .blue))
        // A failed revision stays failed even when paused; pausing holds a new one.
        #expect(RolloutState.of(specRevision: "r2", status: status(active: .green, revision: "r1", aborted: "r2"), paused: true)
                == .failed(revision: "r2", active: .green))
        #expect(RolloutState.of(specRevision: "r3", status: status(active: .green, revision: "r1", aborted: "r2"), paused: true)
                == .paused(revision: "r3", active: .green))
        // Pausing never stops the revision that already serves.
        #expect(RolloutState.of(specRevision: "r1", status: status(active: .blue, revision: "r1"), paused: true)
                == .steady(active: .blue, revision: "r1"))
    }

    @Test("the progress deadline counts from the step's start, the promotion delay from the analysis pass")
    func timers() async throws {
        let clock = ManualClock()
        var status = BlueGreenStatus()
        status.stepStartedAt = KubeTimestamp.format(clock.wallTime)
        let spec = BlueGreenSpec(template: .emptyObject, activeService: ServiceRef(name: "web"),
                                 autoPromotion: AutoPromotion(delaySeconds: 30), progressDeadlineSeconds: 120)
        clock.advance(by: .seconds(100))
        status.analysisPassedAt = KubeTimestamp.format(clock.wallTime)
        var timers = RolloutTimers(status: status, spec: spec)
        #expect(!timers.deadlinePassed(at: clock.wallTime))
        #expect(timers.untilDeadline(at: clock.wallTime) == .seconds(20))
        #expect(timers.untilPromotion(at: clock.wallTime) == .seconds(30))

        clock.advance(by: .seconds(29))
        #expect(timers.untilPromotion(at: clock.wallTime) == .seconds(1))
        clock.advance(by: .seconds(1))
        #expect(timers.untilPromotion(at: clock.wallTime) == nil)
        #expect(timers.deadlinePassed(at: clock.wallTime))
        // A spent deadline still asks to look again, not to spin.
        #expect(timers.untilDeadline(at: clock.wallTime) == .milliseconds(200))

        status.scaleDownAt = KubeTimestamp.format(clock.wallTime.addingTimeInterval(5))
        timers = RolloutTimers(status: status, spec: spec)
        #expect(timers.untilScaleDown(at: clock.wallTime) == .milliseconds(5100))
        clock.advance(by: .seconds(5))
        #expect(timers.untilScaleDown(at: clock.wallTime) == nil)

        // Without a delay promotion is due at once.
        let immediate = RolloutTimers(status: status, spec: BlueGreenSpec(template: .emptyObject, activeService: ServiceRef(name: "web")))
        #expect(immediate.untilPromotion(at: clock.wallTime) == nil)
    }

    func deployment(revision: String, generation: Int, observed: Int, replicas: Int, updated: Int, ready: Int, available: Int) -> JSONValue {
        [
            "metadata": ["generation": .int(Int64(generation)), "annotations": ["opsagent.dev/revision": .string(revision)]],
            "status": ["observedGeneration": .int(Int64(observed)), "replicas": .int(Int64(replicas)),
                       "updatedReplicas": .int(Int64(updated)), "readyReplicas": .int(Int64(ready)),
                       "availableReplicas": .int(Int64(available))],
        ]
    }

    @Test("a color is ready for a revision only when every pod it runs is of that revision and available")
    func readiness() {
        let done = deployment(revision: "r2", generation: 2, observed: 2, replicas: 2, updated: 2, ready: 2, available: 2)
        #expect(Readiness(done, desired: 2, revision: "r2").isReady)
        // Another revision's Deployment.
        #expect(!Readiness(done, desired: 2, revision: "r3").isReady)
        // A superseded pod is still running (and ready) beside the new ones.
        let mixed = deployment(revision: "r2", generation: 2, observed: 2, replicas: 3, updated: 2, ready: 3, available: 3)
        #expect(!Readiness(mixed, desired: 2, revision: "r2").isReady)
        // The Deployment controller has not seen the new template yet.
        let stale = deployment(revision: "r2", generation: 3, observed: 2, replicas: 2, updated: 2, ready: 2, available: 2)
        #expect(!Readiness(stale, desired: 2, revision: "r2").isReady)
        // Ready but not yet available.
        let warming = deployment(revision: "r2", generation: 2, observed: 2, replicas: 2, updated: 2, ready: 2, available: 1)
        #expect(!Readiness(warming, desired: 2, revision: "r2").isReady)
        #expect(!Readiness(nil, desired: 1).isReady)
    }
}
