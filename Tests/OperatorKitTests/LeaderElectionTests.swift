import KubeClient
import NIOConcurrencyHelpers
import Testing

@testable import OperatorKit

@Suite("Leader election")
struct LeaderElectionTests {
    func configuration(_ identity: String, releaseOnCancel: Bool = true) -> LeaderElectionConfiguration {
        var configuration = LeaderElectionConfiguration(
            leaseName: "opsagent-leader", leaseNamespace: "opsagent-system", identity: identity)
        configuration.releaseOnCancel = releaseOnCancel
        return configuration
    }

    /// Runs an elector whose leading work waits until cancelled or `stepDown` is raised.
    final class Candidate: Sendable {
        let elector: LeaderElector
        let stepDown = Signal()
        let leadingStopped = Signal()
        let task: Task<Void, Never>

        init(_ elector: LeaderElector) {
            self.elector = elector
            let stepDown = self.stepDown
            let leadingStopped = self.leadingStopped
            task = Task {
                await elector.run {
                    await stepDown.wait()
                    leadingStopped.raise()
                }
            }
        }
    }

    /// Advances the clock deadline by deadline until `condition` holds; returns the virtual
    /// time it took. Waits for `sleepers` tasks to park before each step.
    func advance(_ clock: ManualClock, sleepers: Int, until condition: () -> Bool, limit: Duration = .seconds(120))
        async throws -> Duration
    {
        let start = clock.now
        while !condition() {
            try #require(clock.elapsed(since: start) < limit, "condition not met within \(limit) of virtual time")
            try await clock.waitForSleepers(count: sleepers)
            if condition() { break }
            clock.advanceToNextDeadline()
            try await Task.sleep(for: .milliseconds(1))
        }
        return clock.elapsed(since: start)
    }

    @Test("a crashed leader is replaced in under 20 s with the default timings (worst-case jitter)")
    func failoverAfterCrash() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let a = Candidate(LeaderElector(
            configuration: configuration("a", releaseOnCancel: false), api: cluster, clock: clock, random: { 0.999 }))
        try await eventually { a.elector.isLeader }
        let b = Candidate(LeaderElector(configuration: configuration("b"), api: cluster, clock: clock, random: { 0.999 }))
        defer { b.task.cancel() }

        // Both run for a while: a renews, b keeps failing to acquire.
        _ = try await advance(clock, sleepers: 2, until: { clock.now.offset >= .seconds(30) })
        #expect(a.elector.isLeader && !b.elector.isLeader)
        #expect(cluster.object(.leases, ObjectKey(namespace: "opsagent-system", name: "opsagent-leader"))?["spec"]["holderIdentity"] == "a")

        a.task.cancel()  // a crash: no release
        await a.task.value
        let failover = try await advance(clock, sleepers: 1, until: { b.elector.isLeader })
        print("measured: failover after a leader crash took \(failover) of virtual time")
        #expect(failover < .seconds(20), "failover took \(failover)")
        #expect(failover > .seconds(10), "b must wait for a's lease to expire (took \(failover))")
        let lease = try #require(cluster.object(.leases, ObjectKey(namespace: "opsagent-system", name: "opsagent-leader")))
        #expect(lease["spec"]["holderIdentity"] == "b")
        #expect(lease["spec"]["leaseTransitions"] == 1)
    }

    @Test("a leader that steps down releases the lease and the next candidate takes it within one retry")
    func failoverOnRelease() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let a = Candidate(LeaderElector(configuration: configuration("a"), api: cluster, clock: clock, random: { 0.999 }))
        try await eventually { a.elector.isLeader }
        let b = Candidate(LeaderElector(configuration: configuration("b"), api: cluster, clock: clock, random: { 0.999 }))
        defer { b.task.cancel() }
        _ = try await advance(clock, sleepers: 2, until: { clock.now.offset >= .seconds(7) })

        a.stepDown.raise()
        await a.task.value
        #expect(!a.elector.isLeader)
        let lease = try #require(cluster.object(.leases, ObjectKey(namespace: "opsagent-system", name: "opsagent-leader")))
        #expect(lease["spec"]["holderIdentity"] == "", "released on step-down")

        let takeover = try await advance(clock, sleepers: 1, until: { b.elector.isLeader })
        print("measured: takeover after a release took \(takeover) of virtual time")
        #expect(takeover <= .milliseconds(2400), "took \(takeover); a released lease is free on the next retry")
    }

    @Test("losing the lease stops the leading work at once and the loser campaigns again")
    func losingTheLease() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let a = Candidate(LeaderElector(configuration: configuration("a"), api: cluster, clock: clock, random: { 0 }))
        defer { a.task.cancel() }
        try await eventually { a.elector.isLeader }

        // Another replica takes the lease over (as after a long pause of this process).
        try cluster.mutate(.leases, ObjectKey(namespace: "opsagent-system", name: "opsagent-leader")) { lease in
            lease["spec"]["holderIdentity"] = "intruder"
            lease["spec"]["renewTime"] = .string(KubeTimestamp.format(clock.wallTime, fractionalDigits: 6))
        }
        let lost = try await advance(clock, sleepers: 1, until: { a.leadingStopped.isRaised })
        #expect(!a.elector.isLeader)
        #expect(lost <= .seconds(12), "renew deadline 10 s plus one retry period; took \(lost)")
        // a keeps campaigning and wins once the intruder's lease expires.
        _ = try await advance(clock, sleepers: 1, until: { a.elector.isLeader })
    }

    @Test("timings are validated like client-go's")
    func validation() throws {
        var bad = configuration("a")
        bad.renewDeadline = .seconds(20)
        #expect(throws: LeaderElectionError.self) { try bad.validate() }
        try configuration("a").validate()
    }
}
