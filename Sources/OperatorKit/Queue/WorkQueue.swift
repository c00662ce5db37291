import NIOConcurrencyHelpers

/// A rate-limited, delaying work queue with client-go's guarantees:
///
/// - **deduplication** — a key added while it waits is queued once;
/// - **one worker per key** — a key added while it is being processed is handed out again
///   only after ``done(_:)``, never to two workers at once;
/// - **delays** — ``add(_:after:)`` waits on the injected clock, keeping the earliest time
///   when a key is delayed twice;
/// - **rate limiting** — ``addRateLimited(_:)`` asks the ``RateLimiter`` how long to wait,
///   ``forget(_:)`` resets the key's backoff;
/// - **shutdown** — ``shutDown()`` stops handing out work at once, and
///   ``waitForInFlight()`` waits for the keys being processed to be marked done.
///
/// Workers loop over ``next()`` until it returns nil and call ``done(_:)`` after each key.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    public let name: String
    private let rateLimiter: any RateLimiter<Key>
    private let clock: any OperatorClock
    private let metrics: WorkQueueMetrics
    private let state: NIOLockedValueBox<State>

    public init(
        name: String,
        rateLimiter: any RateLimiter<Key>,
        clock: any OperatorClock = SystemClock(),
        metrics: WorkQueueMetrics = .disabled
    ) {
        self.name = name
        self.rateLimiter = rateLimiter
        self.clock = clock
        self.metrics = metrics
        state = NIOLockedValueBox(State())
    }

    deinit {
        state.withLockedValue { $0.timer?.cancel() }
    }

    // MARK: adding

    /// Queues `key` unless it is already queued; a key being processed is queued again after
    /// its ``done(_:)``. Ignored after ``shutDown()``.
    public func add(_ key: Key) {
        let now = clock.now
        let effects = state.withLockedValue { $0.add(key, now: now, metrics: metrics) }
        effects.run()
    }

    /// Queues `key` once `delay` has passed on the clock (at once when `delay` is not positive).
    /// A key already waiting keeps the earlier of its two ready times.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        let readyAt = clock.now.advanced(by: delay)
        state.withLockedValue { state in
            guard !state.isShuttingDown else { return }
            if state.delayed.schedule(key, at: readyAt) { scheduleTimer(&state) }
        }
    }

    /// Queues `key` after the delay the rate limiter gives it, and counts a retry.
    public func addRateLimited(_ key: Key) {
        metrics.retries.increment()
        add(key, after: rateLimiter.when(key))
    }

    /// Resets `key`'s backoff: call it when the key was processed successfully.
    public func forget(_ key: Key) {
        rateLimiter.forget(key)
    }

    /// How many times `key` was retried since it was last forgotten.
    public func retries(_ key: Key) -> Int {
        rateLimiter.retries(key)
    }

    // MARK: processing

    /// The next key to process, waiting until one is ready; nil once the queue is shut down
    /// or the calling task is cancelled. Call ``done(_:)`` when finished with the key.
    public func next() async -> Key? {
        let ticket = state.withLockedValue { $0.makeTicket() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let now = clock.now
                let immediate: Key?? = state.withLockedValue { state in
                    state.take(ticket: ticket, continuation: continuation, now: now, metrics: metrics)
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { $0.cancel(ticket: ticket) }
            waiter?.resume(returning: nil)
        }
    }

    /// Marks `key` processed. If it was added again meanwhile, it is queued now.
    public func done(_ key: Key) {
        let now = clock.now
        let effects = state.withLockedValue { $0.done(key, now: now, metrics: metrics) }
        effects.run()
    }

    // MARK: shutdown

    /// Stops the queue: adds are ignored from now on, waiting and delayed keys are dropped,
    /// and ``next()`` returns nil. Keys being processed finish normally.
    public func shutDown() {
        let effects = state.withLockedValue { $0.shutDown(metrics: metrics) }
        effects.run()
    }

    /// Waits until no key is being processed (returns at once when none is).
    public func waitForInFlight() async {
        let ticket = state.withLockedValue { $0.makeTicket() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let idle = state.withLockedValue { $0.waitForIdle(ticket: ticket, continuation: continuation) }
                if idle { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLockedValue { $0.cancelIdleWait(ticket: ticket) }
            waiter?.resume()
        }
    }

    // MARK: inspection

    /// The seconds of work in progress (summed over the keys being processed) and the
    /// seconds the longest of them has been running, now.
    public func unfinishedWork() -> (total: Duration, longest: Duration) {
        let now = clock.now
        return state.withLockedValue { state in
            var total = Duration.zero
            var longest = Duration.zero
            for started in state.startedAt.values {
                let running = started.duration(to: now)
                total += running
                longest = max(longest, running)
            }
            return (total, longest)
        }
    }

    /// Sets `workqueue_unfinished_work_seconds` and `workqueue_longest_running_processor_seconds`
    /// (client-go updates them every 500 ms; the operator does at each scrape).
    public func publishUnfinishedWork() {
        let (total, longest) = unfinishedWork()
        metrics.unfinishedWork.set(total.seconds)
        metrics.longestRunning.set(longest.seconds)
    }

    /// Keys ready to be handed out.
    public var depth: Int { state.withLockedValue { $0.ready.count } }
    /// Keys waiting for a delay to pass.
    public var delayedCount: Int { state.withLockedValue { $0.delayed.count } }
    /// Keys handed out and not yet done.
    public var inFlightCount: Int { state.withLockedValue { $0.processing.count } }
    public var isShuttingDown: Bool { state.withLockedValue { $0.isShuttingDown } }

    // MARK: the delay timer

    /// (Re)arms the single timer task for the earliest delayed key. Called with the lock held.
    private func scheduleTimer(_ state: inout State) {
        guard let earliest = state.delayed.earliest() else {
            state.timer?.cancel()
            state.timer = nil
            state.timerDeadline = nil
            return
        }
        if let deadline = state.timerDeadline, deadline <= earliest, state.timer != nil { return }
        state.timer?.cancel()
        state.timerGeneration &+= 1
        let generation = state.timerGeneration
        state.timerDeadline = earliest
        let clock = self.clock
        state.timer = Task { [weak self] in
            do { try await clock.sleep(until: earliest) } catch { return }
            self?.timerFired(generation: generation)
        }
    }

    private func timerFired(generation: UInt64) {
        let now = clock.now
        let effects = state.withLockedValue { state -> State.Effects in
            guard !state.isShuttingDown else { return State.Effects() }
            var effects = State.Effects()
            for key in state.delayed.popReady(now: now) {
                effects.append(state.add(key, now: now, metrics: metrics))
            }
            if state.timerGeneration == generation {
                state.timer = nil
                state.timerDeadline = nil
            }
            scheduleTimer(&state)
            return effects
        }
        effects.run()
    }
}
