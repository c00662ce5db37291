import NIOConcurrencyHelpers
import NIOCore

/// The simulated controllers' work queue, with client-go's guarantees: a key is queued at
/// most once however often it is added, never handed to two workers at once, and re-queued
/// once when it was added again while being processed. Delayed adds wait on one shared
/// timer, so thousands of pending "look again in N seconds" cost a heap entry each, not a
/// task each.
///
/// It is the simulator's own, not OperatorKit's `WorkQueue`: kube-controller-manager's
/// controllers here run on the simulation's continuous time with no rate limiter, metrics
/// or leader terms, and the embedded API server must not depend on the operator runtime.
final class SimWorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct Delayed: Comparable, Sendable {
        var deadline: ContinuousClock.Instant
        var sequence: UInt64
        var key: Key
        static func < (a: Delayed, b: Delayed) -> Bool {
            a.deadline == b.deadline ? a.sequence < b.sequence : a.deadline < b.deadline
        }
        static func == (a: Delayed, b: Delayed) -> Bool { a.sequence == b.sequence }
    }

    private enum Step { case key(Key), finished, wait(ContinuousClock.Instant?) }

    private struct State: Sendable {
        var ready = CircularBuffer<Key>()
        var dirty = Set<Key>()
        var processing = Set<Key>()
        var delayed = MinHeap<Delayed>()
        /// The earliest pending deadline per key (heap entries with a later one are stale).
        var deadlines: [Key: ContinuousClock.Instant] = [:]
        var sequence: UInt64 = 0
        var waiter: CheckedContinuation<Void, Never>?
        var sleeper: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)?
        var failures: [Key: Int] = [:]
        var shutDown = false
    }

    private let state = NIOLockedValueBox(State())
    private let clock = ContinuousClock()

    init() {}

    /// Queues a key now.
    func add(_ key: Key) {
        let waiter = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            Self.enqueue(&s, key)
            return Self.takeWaiter(&s)
        }
        waiter?.resume()
    }

    /// Queues a key once `delay` has passed (or earlier, if it is added meanwhile).
    func add(_ key: Key, after delay: Duration) {
        if delay <= .zero { return add(key) }
        let deadline = clock.now.advanced(by: delay)
        let waiter = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if s.shutDown { return nil }
            if let existing = s.deadlines[key], existing <= deadline { return nil }
            s.deadlines[key] = deadline
            s.sequence += 1
            s.delayed.insert(Delayed(deadline: deadline, sequence: s.sequence, key: key))
            // Wake the consumer so it re-arms its timer for the earlier deadline.
            return Self.takeWaiter(&s)
        }
        waiter?.resume()
    }

    /// Waits for the next key; nil once the queue is shut down.
    func next() async -> Key? {
        while true {
            let now = clock.now
            let step = state.withLockedValue { s -> Step in
                if s.shutDown { return .finished }
                Self.promoteDue(&s, now: now)
                if let key = s.ready.popFirst() {
                    s.dirty.remove(key)
                    s.processing.insert(key)
                    return .key(key)
                }
                return .wait(s.delayed.min?.deadline)
            }
            switch step {
            case .key(let key): return key
            case .finished: return nil
            case .wait(let deadline): await waitForWork(until: deadline)
            }
        }
    }

    /// Marks a key processed; it is queued again if it was added meanwhile.
    func done(_ key: Key) {
        let waiter = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            s.processing.remove(key)
            if s.dirty.contains(key) {
                s.ready.append(key)
                return Self.takeWaiter(&s)
            }
            return nil
        }
        waiter?.resume()
    }

    /// Counts a failure of `key` and returns the back-off before its next attempt
    /// (5 ms doubling, capped at `cap`).
    func failed(_ key: Key, cap: Duration = .seconds(30)) -> Duration {
        let attempts = state.withLockedValue { s -> Int in
            let n = (s.failures[key] ?? 0) + 1
            s.failures[key] = n
            return n
        }
        let backoff = Duration.milliseconds(5) * Int(1 << min(attempts - 1, 20))
        return min(backoff, cap)
    }

    /// Forgets the failures of `key` after it succeeded.
    func forget(_ key: Key) {
        state.withLockedValue { s in _ = s.failures.removeValue(forKey: key) }
    }

    /// Ends `next()` for the consumer; later adds are ignored.
    func shutDown() {
        let (waiter, sleeper) = state.withLockedValue { s -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            s.shutDown = true
            let sleeper = s.sleeper?.task
            s.sleeper = nil
            return (Self.takeWaiter(&s), sleeper)
        }
        sleeper?.cancel()
        waiter?.resume()
    }

    /// Number of keys waiting to be processed now (not counting delayed ones).
    var depth: Int { state.withLockedValue { $0.ready.count } }

    // MARK: Internals (called with the lock held unless noted)

    private static func enqueue(_ s: inout State, _ key: Key) {
        if s.shutDown || s.dirty.contains(key) { return }
        s.dirty.insert(key)
        if !s.processing.contains(key) { s.ready.append(key) }
    }

    private static func takeWaiter(_ s: inout State) -> CheckedContinuation<Void, Never>? {
        defer { s.waiter = nil }
        return s.waiter
    }

    private static func promoteDue(_ s: inout State, now: ContinuousClock.Instant) {
        while let top = s.delayed.min, top.deadline <= now {
            s.delayed.popMin()
            guard s.deadlines[top.key] == top.deadline else { continue }  // superseded by an earlier deadline
            s.deadlines.removeValue(forKey: top.key)
            enqueue(&s, top.key)
        }
    }

    /// Suspends until something is added or `deadline` passes. Not called with the lock held.
    private func waitForWork(until deadline: ContinuousClock.Instant?) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLockedValue { s -> Bool in
                if s.shutDown || !s.ready.isEmpty { return true }
                if let deadline, deadline <= clock.now { return true }
                s.waiter = continuation
                if let deadline, s.sleeper.map({ $0.deadline > deadline }) ?? true {
                    // Arm one timer for the earliest deadline, replacing a later one.
                    s.sleeper?.task.cancel()
                    let task = Task { [weak self] in
                        do {
                            try await Task.sleep(until: deadline, clock: .continuous)
                        } catch {
                            return  // replaced by an earlier timer, or shut down
                        }
                        self?.timerFired(deadline)
                    }
                    s.sleeper = (deadline, task)
                }
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func timerFired(_ deadline: ContinuousClock.Instant) {
        let waiter = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if s.sleeper?.deadline == deadline { s.sleeper = nil }
            return Self.takeWaiter(&s)
        }
        waiter?.resume()
    }
}
