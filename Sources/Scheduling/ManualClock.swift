import Foundation
import NIOConcurrencyHelpers

/// A clock that moves only when told to: the test clock for timing-sensitive behaviour.
///
/// Sleepers suspend until ``advance(by:)`` or ``advance(to:)`` moves time past their deadline.
/// ``waitForSleepers(count:timeout:)`` lets a test wait until the code under test has parked
/// on the clock before it moves time, so a test never races the components it drives.
///
/// With `advancesOnSleep`, a sleep instead moves time on to its deadline at once and is
/// recorded in ``sleeps``: retry backoff, TTLs and budget windows are then tested without
/// waiting and without a driver.
public final class ManualClock: OperatorClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: ClockInstant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = ClockInstant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var cancelledBeforeRegistration: Set<UInt64> = []
        var sleeps: [Duration] = []
    }

    private let state = NIOLockedValueBox(State())
    private let epoch: Date
    /// Whether a sleep moves time on by itself.
    public let advancesOnSleep: Bool

    /// A clock at offset zero whose wall time starts at `epoch`.
    public init(epoch: Date = Date(timeIntervalSince1970: 1_750_000_000), advancesOnSleep: Bool = false) {
        self.epoch = epoch
        self.advancesOnSleep = advancesOnSleep
    }

    /// Every wait asked for, in order (with `advancesOnSleep`).
    public var sleeps: [Duration] { state.withLockedValue { $0.sleeps } }

    public var now: ClockInstant { state.withLockedValue { $0.now } }

    public var wallTime: Date { epoch.addingTimeInterval(now.offset.seconds) }

    /// How many tasks are suspended on this clock.
    public var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    /// The earliest deadline any sleeper waits for.
    public var nextDeadline: ClockInstant? { state.withLockedValue { $0.sleepers.map(\.deadline).min() } }

    public func sleep(until deadline: ClockInstant) async throws {
        if advancesOnSleep {
            try Task.checkCancellation()
            state.withLockedValue { state in
                state.sleeps.append(state.now.duration(to: deadline))
                if deadline > state.now { state.now = deadline }
            }
            await Task.yield()
            return
        }
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLockedValue { state in
                    if state.cancelledBeforeRegistration.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLockedValue { state in
                if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
                    return state.sleepers.remove(at: index)
                }
                state.cancelledBeforeRegistration.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backwards), waking every sleeper whose deadline
    /// has come, earliest first.
    public func advance(to instant: ClockInstant) {
        let due: [Sleeper] = state.withLockedValue { state in
            if instant > state.now { state.now = instant }
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline and wakes it; false when nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        guard let deadline = nextDeadline else { return false }
        advance(to: deadline)
        return true
    }

    /// Waits (in real time, yielding) until at least `count` tasks sleep on this clock.
    /// Throws ``ManualClockTimeout`` when that does not happen within `timeout`.
    public func waitForSleepers(count: Int = 1, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while sleeperCount < count {
            if ContinuousClock.now >= deadline {
                throw ManualClockTimeout(expectedSleepers: count, actualSleepers: sleeperCount, timeout: timeout)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// ``ManualClock/waitForSleepers(count:timeout:)`` gave up.
public struct ManualClockTimeout: Error, CustomStringConvertible {
    public let expectedSleepers: Int
    public let actualSleepers: Int
    public let timeout: Duration

    public var description: String {
        "waited \(timeout) for \(expectedSleepers) task(s) to sleep on the manual clock but only \(actualSleepers) did; "
            + "the code under test is blocked elsewhere or never reached its sleep"
    }
}
