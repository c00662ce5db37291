import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers

/// Elects one leader among replicas with a Lease, as client-go's `leaderelection` does.
///
/// ``run(whileLeading:)`` campaigns until it holds the lease, then runs `whileLeading` and
/// renews every `retryPeriod`. If renewals keep failing for `renewDeadline` (or another
/// replica took the lease), `whileLeading` is cancelled at once and the campaign starts over.
/// When `whileLeading` returns by itself — the manager is shutting down — the lease is
/// released (holder cleared) so a successor acquires it on its next try, and `run` returns.
///
/// A lease is considered expired `leaseDurationSeconds` after this replica last *observed*
/// it change, on its own monotonic clock, so clock skew between nodes does not matter.
public final class LeaderElector: Sendable {
    private struct Observation {
        var record: LeaseRecord?
        var time: ClockInstant?
        var isLeader = false
    }

    public let configuration: LeaderElectionConfiguration
    private let api: any KubernetesAPI
    private let clock: any OperatorClock
    private let logger: Logger
    private let leaderGauge: Meter
    private let transitions: Counter
    private let random: @Sendable () -> Double
    private let observation = NIOLockedValueBox(Observation())
    private let resigned = Signal()

    static let masterStatusName = "leader_election_master_status"
    static let transitionsName = "leader_election_transitions_total"

    /// Candidates wait `retryPeriod · (1 + retryJitter · r)` between attempts. client-go
    /// jitters by up to 120 %; 20 % keeps a failover with the default timings under 20 s.
    static let retryJitter = 0.2

    public init(
        configuration: LeaderElectionConfiguration, api: any KubernetesAPI, clock: any OperatorClock = SystemClock(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger = Logger(label: "opsagent.leader"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.api = api
        self.clock = clock
        self.random = random
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        leaderGauge = Meter(
            label: Self.masterStatusName, dimensions: [("name", configuration.leaseName)], factory: metricsFactory)
        transitions = Counter(
            label: Self.transitionsName, dimensions: [("name", configuration.leaseName)], factory: metricsFactory)
        leaderGauge.set(0)
    }

    /// Stops campaigning: ``run(whileLeading:)`` returns once the leading work (if any) has
    /// returned, releasing the lease. The manager calls it on shutdown.
    public func resign() { resigned.raise() }

    /// Whether this replica holds the lease right now.
    public var isLeader: Bool { observation.withLockedValue { $0.isLeader } }

    /// The holder last seen on the lease ("" when released).
    public var observedLeader: String? { observation.withLockedValue { $0.record?.holderIdentity } }

    /// Campaigns and leads until `whileLeading` returns by itself (then releases the lease)
    /// or the task is cancelled (then releases it too, when `releaseOnCancel`).
    public func run(whileLeading: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            guard await acquire() else { break }
            setLeader(true)
            logger.info("became leader")
            let outcome = await lead(whileLeading)
            setLeader(false)
            if outcome == .lost, !Task.isCancelled, !resigned.isRaised {
                logger.warning("lost the lease; stopped reconciling and campaigning again")
                continue
            }
            break
        }
        if !Task.isCancelled {
            // The leading work returned by itself: step down.
            await release()
        } else if configuration.releaseOnCancel {
            // This task is cancelled, and so would be the release's requests: release from a
            // fresh task that the cancellation does not reach.
            await Task { await self.release() }.value
        }
    }

    // MARK: phases

    /// Tries every retry period until the lease is ours; false when cancelled first.
    private func acquire() async -> Bool {
        logger.info("campaigning for the lease")
        while !Task.isCancelled, !resigned.isRaised {
            if await tryAcquireOrRenew() {
                guard resigned.isRaised else { return true }
                // Won just as this replica resigned: give the lease back at once.
                await release()
                return false
            }
            let wait = configuration.retryPeriod.seconds(multipliedBy: 1 + Self.retryJitter * random())
            guard await sleepUnlessResigned(wait) else { return false }
        }
        return false
    }

    /// Sleeps for `duration`; false when resigned or cancelled first.
    private func sleepUnlessResigned(_ duration: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { [clock] in (try? await clock.sleep(for: duration)) != nil }
            group.addTask { [resigned] in
                await resigned.wait()
                return false
            }
            let slept = await group.next() ?? false
            group.cancelAll()
            return slept && !resigned.isRaised
        }
    }

    private enum LeadOutcome { case lost, stepDown }

    private func lead(_ whileLeading: @escaping @Sendable () async -> Void) async -> LeadOutcome {
        await withTaskGroup(of: LeadOutcome?.self) { group in
            group.addTask {
                await whileLeading()
                return .stepDown
            }
            group.addTask { await self.renewUntilLost() ? .lost : nil }
            var outcome: LeadOutcome = .stepDown
            if let first = await group.next() {
                outcome = first ?? .stepDown
            }
            group.cancelAll()
            await group.waitForAll()
            return outcome
        }
    }

    /// Renews every retry period; returns true when renewals failed for the renew deadline,
    /// false when cancelled.
    private func renewUntilLost() async -> Bool {
        var lastRenewal = clock.now
        while true {
            do { try await clock.sleep(for: configuration.retryPeriod) } catch { return false }
            let remaining = configuration.renewDeadline - clock.elapsed(since: lastRenewal)
            let renewed = (try? await withTimeout(remaining, on: clock) { await self.tryAcquireOrRenew() }) ?? nil
            if Task.isCancelled { return false }
            if renewed == true {
                lastRenewal = clock.now
            } else if clock.elapsed(since: lastRenewal) >= configuration.renewDeadline {
                return true
            }
        }
    }

    // MARK: the lease

    /// One attempt to take or keep the lease (client-go's `tryAcquireOrRenew`).
    func tryAcquireOrRenew() async -> Bool {
        let now = clock.now
        let wallTime = LeaseRecord.microTime(clock.wallTime)
        let durationSeconds = Int(configuration.leaseDuration.components.seconds)
        let lease: JSONValue
        do {
            lease = try await api.get(.leases, name: configuration.leaseName, namespace: configuration.leaseNamespace)
        } catch let error as KubeError where error.isNotFound {
            let record = LeaseRecord(
                holderIdentity: configuration.identity, leaseDurationSeconds: durationSeconds, acquireTime: wallTime,
                renewTime: wallTime, leaseTransitions: 0)
            let object: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": [
                    "name": .string(configuration.leaseName), "namespace": .string(configuration.leaseNamespace),
                ],
                "spec": record.spec,
            ]
            do {
                _ = try await api.create(.leases, object, namespace: configuration.leaseNamespace)
                observe(record, at: now)
                return true
            } catch {
                logger.debug("could not create the lease", metadata: ["error": "\(error)"])
                return false
            }
        } catch {
            logger.warning("could not read the lease", metadata: ["error": "\(error)"])
            return false
        }

        let old = LeaseRecord(lease: lease)
        let observedAt = observation.withLockedValue { state -> ClockInstant in
            if state.record != old || state.time == nil {
                state.record = old
                state.time = now
            }
            return state.time ?? now
        }
        let heldByOther = !old.holderIdentity.isEmpty && old.holderIdentity != configuration.identity
        if heldByOther, observedAt.advanced(by: .seconds(old.leaseDurationSeconds)) > now {
            return false
        }
        let keeping = old.holderIdentity == configuration.identity
        let record = LeaseRecord(
            holderIdentity: configuration.identity, leaseDurationSeconds: durationSeconds,
            acquireTime: keeping ? (old.acquireTime ?? wallTime) : wallTime, renewTime: wallTime,
            leaseTransitions: keeping ? old.leaseTransitions : old.leaseTransitions + 1)
        var updated = lease
        updated["spec"] = lease["spec"].merging(record.spec)
        do {
            _ = try await api.update(.leases, updated, namespace: configuration.leaseNamespace)
            observe(record, at: now)
            if !keeping { logger.info("acquired the lease", metadata: ["previousHolder": "\(old.holderIdentity)"]) }
            return true
        } catch {
            logger.debug("could not update the lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Clears the holder if this replica holds the lease, so a successor need not wait for
    /// it to expire.
    private func release() async {
        do {
            let lease = try await api.get(
                .leases, name: configuration.leaseName, namespace: configuration.leaseNamespace)
            guard LeaseRecord(lease: lease).holderIdentity == configuration.identity else { return }
            let now = LeaseRecord.microTime(clock.wallTime)
            var released = lease
            released["spec"]["holderIdentity"] = .string("")
            released["spec"]["leaseDurationSeconds"] = 1
            released["spec"]["renewTime"] = .string(now)
            released["spec"]["acquireTime"] = .string(now)
            _ = try await api.update(.leases, released, namespace: configuration.leaseNamespace)
            observe(LeaseRecord(lease: released), at: clock.now)
            logger.info("released the lease")
        } catch {
            logger.warning("could not release the lease; a successor waits for it to expire", metadata: ["error": "\(error)"])
        }
    }

    private func observe(_ record: LeaseRecord, at instant: ClockInstant) {
        observation.withLockedValue { state in
            state.record = record
            state.time = instant
        }
    }

    private func setLeader(_ leader: Bool) {
        let changed = observation.withLockedValue { state -> Bool in
            defer { state.isLeader = leader }
            return state.isLeader != leader
        }
        leaderGauge.set(leader ? 1 : 0)
        if changed && leader { transitions.increment() }
    }
}
