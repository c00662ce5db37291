import Metrics

extension WorkQueue {
    /// Everything the queue tracks, mutated only with the lock held. Continuations to resume
    /// are returned as ``Effects`` and resumed after the lock is released.
    struct State {
        var ready = FIFO<Key>()
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var delayed = DelayHeap<Key>()
        var addedAt: [Key: ClockInstant] = [:]
        var startedAt: [Key: ClockInstant] = [:]
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Key?, Never>)] = []
        var idleWaiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var cancelledTickets: Set<UInt64> = []
        var nextTicket: UInt64 = 0
        var isShuttingDown = false
        var timer: Task<Void, Never>?
        var timerDeadline: ClockInstant?
        var timerGeneration: UInt64 = 0

        struct Effects {
            var handOuts: [(CheckedContinuation<Key?, Never>, Key?)] = []
            var idle: [CheckedContinuation<Void, Never>] = []

            mutating func append(_ other: Effects) {
                handOuts += other.handOuts
                idle += other.idle
            }

            func run() {
                for (continuation, key) in handOuts { continuation.resume(returning: key) }
                for continuation in idle { continuation.resume() }
            }
        }

        mutating func makeTicket() -> UInt64 {
            nextTicket += 1
            return nextTicket
        }

        mutating func add(_ key: Key, now: ClockInstant, metrics: WorkQueueMetrics) -> Effects {
            guard !isShuttingDown, !dirty.contains(key) else { return Effects() }
            metrics.adds.increment()
            dirty.insert(key)
            addedAt[key] = now
            if processing.contains(key) { return Effects() }
            ready.push(key)
            metrics.depth.increment()
            return handOutToWaiters(now: now, metrics: metrics)
        }

        /// Hands a ready key to the calling worker, or parks it; `.some(nil)` means "stop".
        mutating func take(
            ticket: UInt64, continuation: CheckedContinuation<Key?, Never>, now: ClockInstant, metrics: WorkQueueMetrics
        ) -> Key?? {
            if cancelledTickets.remove(ticket) != nil || isShuttingDown { return .some(nil) }
            if let key = popReady(now: now, metrics: metrics) { return .some(key) }
            waiters.append((ticket, continuation))
            return nil
        }

        mutating func cancel(ticket: UInt64) -> CheckedContinuation<Key?, Never>? {
            if let index = waiters.firstIndex(where: { $0.ticket == ticket }) {
                return waiters.remove(at: index).continuation
            }
            cancelledTickets.insert(ticket)
            return nil
        }

        mutating func done(_ key: Key, now: ClockInstant, metrics: WorkQueueMetrics) -> Effects {
            guard processing.remove(key) != nil else { return Effects() }
            if let started = startedAt.removeValue(forKey: key) {
                metrics.workDuration.record(duration: started.duration(to: now))
            }
            var effects = Effects()
            if dirty.contains(key), !isShuttingDown {
                ready.push(key)
                metrics.depth.increment()
                effects = handOutToWaiters(now: now, metrics: metrics)
            }
            if processing.isEmpty {
                effects.idle = idleWaiters.map(\.continuation)
                idleWaiters.removeAll()
            }
            return effects
        }

        mutating func shutDown(metrics: WorkQueueMetrics) -> Effects {
            var effects = Effects()
            guard !isShuttingDown else { return effects }
            isShuttingDown = true
            metrics.depth.decrement(by: Double(ready.count))
            ready.removeAll()
            delayed.removeAll()
            dirty = dirty.intersection(processing)
            addedAt.removeAll()
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            effects.handOuts = waiters.map { ($0.continuation, nil) }
            waiters.removeAll()
            return effects
        }

        mutating func waitForIdle(ticket: UInt64, continuation: CheckedContinuation<Void, Never>) -> Bool {
            if cancelledTickets.remove(ticket) != nil || processing.isEmpty { return true }
            idleWaiters.append((ticket, continuation))
            return false
        }

        mutating func cancelIdleWait(ticket: UInt64) -> CheckedContinuation<Void, Never>? {
            if let index = idleWaiters.firstIndex(where: { $0.ticket == ticket }) {
                return idleWaiters.remove(at: index).continuation
            }
            cancelledTickets.insert(ticket)
            return nil
        }

        // MARK: private

        private mutating func popReady(now: ClockInstant, metrics: WorkQueueMetrics) -> Key? {
            guard let key = ready.pop() else { return nil }
            metrics.depth.decrement()
            dirty.remove(key)
            processing.insert(key)
            startedAt[key] = now
            if let added = addedAt.removeValue(forKey: key) {
                metrics.queueDuration.record(duration: added.duration(to: now))
            }
            return key
        }

        private mutating func handOutToWaiters(now: ClockInstant, metrics: WorkQueueMetrics) -> Effects {
            var effects = Effects()
            while !waiters.isEmpty, let key = popReady(now: now, metrics: metrics) {
                effects.handOuts.append((waiters.removeFirst().continuation, key))
            }
            return effects
        }
    }
}
