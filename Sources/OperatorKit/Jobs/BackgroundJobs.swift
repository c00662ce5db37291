import Logging
import NIOConcurrencyHelpers

/// Work a controller starts outside a reconcile, so a slow call never holds a worker: an
/// LLM analysis, a notification, a long scan, a workflow step.
///
/// - A job is known by an id (`<uid>/pre/<revision>`, say). Asking for the result of a job
///   that is not known starts it, once; asking again while it runs answers nil; once it has
///   finished, the result is kept until ``forget(_:)`` (bounded: the oldest results go first
///   past `retainedResults`).
/// - At most `concurrency` jobs run at once; the others wait their turn in order.
/// - When a job finishes, its `then` callback runs: a controller passes a trigger that
///   enqueues the object again, so the next reconcile finds the result.
/// - ``cancelAll()`` (the manager calls it on shutdown) cancels every job; a cancelled job's
///   result is not kept.
///
/// The manager owns one, shared by its controllers (``Manager/jobs``).
public final class BackgroundJobs: Sendable {
    private struct State {
        var results: [String: any Sendable] = [:]
        var order: [String] = []
        var running: [String: Task<Void, Never>] = [:]
        var cancelled = false
    }

    private let state = NIOLockedValueBox(State())
    private let slots: AsyncSemaphore
    public let concurrency: Int
    public let retainedResults: Int
    private let logger: Logger

    public init(concurrency: Int = 8, retainedResults: Int = 4096, logger: Logger = Logger(label: "opsagent.jobs")) {
        self.concurrency = max(1, concurrency)
        self.retainedResults = max(1, retainedResults)
        slots = AsyncSemaphore(permits: max(1, concurrency))
        self.logger = logger
    }

    /// The result of job `id`; nil after starting `work` (unless it is running already).
    /// `then` is called when the job finishes (not when it is cancelled).
    public func result<Result: Sendable>(
        of id: String, as type: Result.Type = Result.self,
        start work: @escaping @Sendable () async -> Result, then: @escaping @Sendable () -> Void = {}
    ) -> Result? {
        state.withLockedValue { state -> Result? in
            if let done = state.results[id] { return done as? Result }
            guard state.running[id] == nil, !state.cancelled else { return nil }
            state.running[id] = Task { [self] in
                guard await slots.acquire() else { return }
                defer { slots.release() }
                let result = await work()
                guard !Task.isCancelled else { return }
                finish(id, result)
                then()
            }
            return nil
        }
    }

    /// Whether job `id` is running.
    public func isRunning(_ id: String) -> Bool { state.withLockedValue { $0.running[id] != nil } }

    /// Drops a finished job's result and cancels it if it still runs.
    public func forget(_ id: String) {
        let task = state.withLockedValue { state -> Task<Void, Never>? in
            state.results.removeValue(forKey: id)
            state.order.removeAll { $0 == id }
            return state.running.removeValue(forKey: id)
        }
        task?.cancel()
    }

    /// Forgets every job whose id starts with `prefix` (an object's jobs when it is deleted).
    public func forget(prefix: String) {
        let ids = state.withLockedValue { Set($0.results.keys).union($0.running.keys).filter { $0.hasPrefix(prefix) } }
        for id in ids { forget(id) }
    }

    /// Cancels every job; jobs asked for afterwards do not start.
    public func cancelAll() {
        let tasks = state.withLockedValue { state -> [Task<Void, Never>] in
            state.cancelled = true
            defer { state.running.removeAll() }
            return Array(state.running.values)
        }
        for task in tasks { task.cancel() }
        slots.cancelWaiters()
        if !tasks.isEmpty { logger.info("cancelled background jobs", metadata: ["count": "\(tasks.count)"]) }
    }

    /// Jobs running or waiting for a slot.
    public var runningCount: Int { state.withLockedValue { $0.running.count } }

    private func finish(_ id: String, _ result: any Sendable) {
        state.withLockedValue { state in
            guard state.running.removeValue(forKey: id) != nil else { return }  // forgotten meanwhile
            state.results[id] = result
            state.order.append(id)
            if state.order.count > retainedResults {
                let stale = state.order.removeFirst()
                state.results.removeValue(forKey: stale)
            }
        }
    }
}

/// A counting semaphore for tasks: ``acquire()`` suspends until a permit is free (in FIFO
/// order) and answers false when the waiter was cancelled.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(permits: Int) { state = NIOLockedValueBox(State(permits: permits)) }

    public func acquire() async -> Bool {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let granted = state.withLockedValue { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.permits > 0 {
                        state.permits -= 1
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let granted { continuation.resume(returning: granted) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    public func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
            if state.waiters.isEmpty {
                state.permits += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }

    /// Wakes every waiter with false.
    func cancelWaiters() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Bool, Never>] in
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }
}
