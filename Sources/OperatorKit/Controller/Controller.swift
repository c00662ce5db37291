import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers

/// Runs a ``Reconciler`` over the keys its watches produce: informer events → work queue →
/// N workers (controller-runtime's `Controller`).
///
/// - A key is never reconciled by two workers at once; a key changed during its reconcile is
///   reconciled again afterwards.
/// - `.done` forgets the key's backoff; `.requeue(after:)` forgets it and looks again later;
///   an error is reported (Warning Event + `Ready=False`) and retried with per-key
///   exponential backoff (5 ms → 1000 s) under an overall 10 qps / burst 100 bucket —
///   terminal errors are reported and not retried.
/// - ``run()`` serves one term (the manager runs it while this replica leads); ``stop()``
///   stops taking keys and lets the reconciles in flight finish; cancelling the task that
///   runs it cancels those too.
public final class Controller: Sendable {
    public struct Options: Sendable {
        /// Concurrent reconciles; nil uses the manager's default.
        public var workers: Int?
        /// Builds the rate limiter of each term's queue; nil uses the controller-runtime
        /// default.
        public var rateLimiter: (@Sendable (any OperatorClock) -> any RateLimiter<ObjectKey>)?
        /// Whether failures are reported on the object (Event + condition).
        public var reportsFailures: Bool
        /// The condition a failure sets to False.
        public var failureConditionType: String

        public init(
            workers: Int? = nil, rateLimiter: (@Sendable (any OperatorClock) -> any RateLimiter<ObjectKey>)? = nil,
            reportsFailures: Bool = true, failureConditionType: String = ConditionType.ready
        ) {
            self.workers = workers
            self.rateLimiter = rateLimiter
            self.reportsFailures = reportsFailures
            self.failureConditionType = failureConditionType
        }
    }

    public let name: String
    public let primary: ResourceDescriptor
    public let watches: [Watch]
    public let options: Options
    let reconciler: any Reconciler
    private let informers: InformerCache
    private let reporter: FailureReporter?
    private let clock: any OperatorClock
    private let metrics: ControllerMetrics
    private let queueMetrics: WorkQueueMetrics
    private let logger: Logger
    private struct Term {
        var queue: WorkQueue<ObjectKey>?
        var stopped = false
    }

    private let term = NIOLockedValueBox(Term())

    init(
        name: String, primary: ResourceDescriptor, watches: [Watch], reconciler: any Reconciler, options: Options,
        informers: InformerCache, reporter: FailureReporter?, clock: any OperatorClock,
        metricsFactory: any MetricsFactory, logger: Logger
    ) {
        self.name = name
        self.primary = primary
        self.watches = watches
        self.reconciler = reconciler
        self.options = options
        self.informers = informers
        self.reporter = reporter
        self.clock = clock
        metrics = ControllerMetrics(controller: name, factory: metricsFactory)
        queueMetrics = WorkQueueMetrics(queueName: name, factory: metricsFactory)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
    }

    /// The queue of the running term, for inspection.
    public var queue: WorkQueue<ObjectKey>? { term.withLockedValue { $0.queue } }

    /// Enqueues `key` from outside the watches (a finished background job, a timer): it is
    /// reconciled like any other key, now or after `delay`. While this replica does not lead
    /// there is no queue and the key is dropped: the next term reconciles every object anyway.
    public func enqueue(_ key: ObjectKey, after delay: Duration? = nil) {
        guard let queue else { return }
        if let delay { queue.add(key, after: delay) } else { queue.add(key) }
    }

    /// Reconciles with `workers` concurrent workers until ``stop()`` (in-flight reconciles
    /// finish) or cancellation (they are cancelled).
    public func run(workers: Int) async {
        let workers = max(1, options.workers ?? workers)
        let limiter = options.rateLimiter?(clock) ?? MaxOfRateLimiter<ObjectKey>.controllerDefault(clock: clock)
        let queue = WorkQueue<ObjectKey>(name: name, rateLimiter: limiter, clock: clock, metrics: queueMetrics)
        let stopped = term.withLockedValue { term -> Bool in
            if !term.stopped { term.queue = queue }
            return term.stopped
        }
        guard !stopped else { return }
        metrics.maxConcurrent.set(workers)

        var registrations: [HandlerRegistration] = []
        for watch in watches {
            let informer = informers.informer(for: watch.resource)
            registrations.append(
                informer.addHandler { event in
                    for key in watch.keys(for: event) { queue.add(key) }
                })
        }
        logger.info("starting workers", metadata: ["workers": .stringConvertible(workers)])
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<workers {
                    group.addTask { await self.work(queue) }
                }
            }
        } onCancel: {
            queue.shutDown()
        }
        for registration in registrations { registration.cancel() }
        queue.shutDown()
        term.withLockedValue { term in if term.queue === queue { term.queue = nil } }
        logger.info("workers stopped")
    }

    /// Stops taking keys for good; reconciles in flight finish and ``run(workers:)``
    /// returns (a later ``run(workers:)`` returns at once).
    public func stop() {
        let queue = term.withLockedValue { term -> WorkQueue<ObjectKey>? in
            term.stopped = true
            return term.queue
        }
        queue?.shutDown()
    }

    /// Waits until no reconcile is in flight.
    public func waitForInFlight() async {
        await queue?.waitForInFlight()
    }

    // MARK: workers

    private func work(_ queue: WorkQueue<ObjectKey>) async {
        while let key = await queue.next() {
            metrics.activeWorkers.increment()
            // Every log line of the reconcile carries the key and a reconcile ID (ReconcileContext).
            await ReconcileContext.$current.withValue(ReconcileContext(controller: name, key: key)) {
                await reconcile(key, queue: queue)
            }
            metrics.activeWorkers.decrement()
            queue.done(key)
        }
    }

    private func reconcile(_ key: ObjectKey, queue: WorkQueue<ObjectKey>) async {
        let started = clock.now
        defer { metrics.reconcileTime.record(duration: clock.elapsed(since: started)) }
        do {
            let result = try await reconciler.reconcile(key)
            switch result {
            case .done:
                queue.forget(key)
                metrics.count(.success)
            case .requeue(let delay):
                queue.forget(key)
                queue.add(key, after: delay)
                metrics.count(.requeueAfter)
            }
        } catch {
            if Task.isCancelled || queue.isShuttingDown, error is CancellationError || (error as? KubeError)?.isCancelled == true {
                logger.debug("reconcile cancelled by shutdown", metadata: ["key": "\(key)"])
                return
            }
            let failure = ReconcileError.describing(error)
            metrics.count(.error)
            metrics.errors.increment()
            if failure.isTerminal {
                metrics.terminalErrors.increment()
                queue.forget(key)
                logger.error(
                    "reconcile failed; not retrying until the object changes",
                    metadata: ["key": "\(key)", "reason": "\(failure.reason)", "error": "\(failure.message)"])
            } else {
                if let delay = failure.retryAfter {
                    queue.add(key, after: delay)
                } else {
                    queue.addRateLimited(key)
                }
                logger.error(
                    "reconcile failed; retrying with backoff",
                    metadata: [
                        "key": "\(key)", "reason": "\(failure.reason)", "error": "\(failure.message)",
                        "retries": .stringConvertible(queue.retries(key)),
                    ])
            }
            if options.reportsFailures, let reporter { await reporter.report(failure, for: key) }
        }
    }
}
