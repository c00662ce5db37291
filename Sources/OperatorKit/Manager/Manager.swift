import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs controllers over shared informer caches, with leader election and graceful shutdown
/// (controller-runtime's `Manager`).
///
/// Register controllers with ``addController(named:for:owns:watches:options:reconciler:)``,
/// then run the manager — directly, or as a `Service` in a swift-service-lifecycle
/// `ServiceGroup`, where SIGTERM triggers ``stop()``:
///
/// 1. informers list and watch every resource the controllers use; the manager is
///    ready once they have synced;
/// 2. with leader election, only the leader's controllers reconcile; other replicas keep
///    their caches warm, and a replica that loses the lease stops reconciling at once;
/// 3. on stop, controllers stop taking keys, reconciles in flight get
///    `gracefulShutdownTimeout` to finish (then they are cancelled), the lease is released,
///    pending Events are written, and ``run()`` returns.
public final class Manager: ServiceLifecycle.Service, Sendable {
    public let api: any KubernetesAPI
    public let configuration: ManagerConfiguration
    /// The shared informers: read objects here rather than from the API server.
    public let cache: InformerCache
    /// Records Events on behalf of every controller.
    public let events: EventRecorder
    /// The elector, when leader election is on.
    public let elector: LeaderElector?
    /// Background work of every controller (LLM calls, notifications, scans), cancelled on
    /// shutdown.
    public let jobs: BackgroundJobs
    let clock: any OperatorClock
    /// Where controllers register their own metrics (the Prometheus registry in `opsagent run`).
    public let metricsFactory: any MetricsFactory
    let logger: Logger

    private struct State {
        var controllers: [Controller] = []
        var running = false
        var ready = false
    }

    private let state = NIOLockedValueBox(State())
    private let stopSignal = Signal()

    public init(
        api: any KubernetesAPI, configuration: ManagerConfiguration = ManagerConfiguration(),
        clock: any OperatorClock = SystemClock(), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "opsagent.manager")
    ) {
        self.api = api
        self.configuration = configuration
        self.clock = clock
        self.metricsFactory = metricsFactory
        self.logger = logger
        cache = InformerCache(
            api: api, scope: configuration.namespaces, resyncPeriod: configuration.resyncPeriod,
            storage: configuration.cacheStorage, clock: clock,
            metricsFactory: metricsFactory, logger: logger)
        events = EventRecorder(
            configuration: EventRecorder.Configuration(component: configuration.component), api: api, clock: clock,
            logger: logger)
        jobs = BackgroundJobs(concurrency: configuration.backgroundJobs, logger: logger)
        elector = configuration.leaderElection.map {
            LeaderElector(configuration: $0, api: api, clock: clock, metricsFactory: metricsFactory, logger: logger)
        }
    }

    // MARK: registration

    /// Registers a controller that reconciles `primary` objects, woken by changes to them, to
    /// the objects they own (`owns`, matched by controller owner reference) and to any
    /// further `watches`.
    @discardableResult
    public func addController(
        named name: String, for primary: ResourceDescriptor, owns owned: [ResourceDescriptor] = [],
        watches: [Watch] = [], options: Controller.Options = Controller.Options(), reconciler: any Reconciler
    ) throws -> Controller {
        try addController(named: name, for: primary, owns: owned, watches: watches, options: options,
                          trigger: ReconcileTrigger(), reconciler: reconciler)
    }

    /// Registers a controller whose reconciler is typed (``ObjectReconciler``): `make` builds
    /// it from the controller's ``ControllerContext``, and the kit's ``TypedReconciler`` runs it.
    @discardableResult
    public func addController<R: ObjectReconciler>(
        named name: String, for primary: ResourceDescriptor, owns owned: [ResourceDescriptor] = [],
        watches: [Watch] = [], options: Controller.Options = Controller.Options(),
        _ make: (ControllerContext) throws -> R
    ) throws -> Controller {
        let context = controllerContext(named: name, for: primary)
        let reconciler = TypedReconciler(try make(context), context: context)
        return try addController(named: name, for: primary, owns: owned, watches: watches, options: options,
                                 trigger: context.trigger, reconciler: reconciler)
    }

    /// The context the kit gives a controller named `name` reconciling `primary`.
    public func controllerContext(named name: String, for primary: ResourceDescriptor) -> ControllerContext {
        var logger = self.logger
        logger[metadataKey: "controller"] = "\(name)"
        return ControllerContext(
            name: name, primary: primary, api: api, cache: cache, events: events, clock: clock,
            writes: WriteExpectations(clock: clock), jobs: jobs, trigger: ReconcileTrigger(), logger: logger)
    }

    private func addController(
        named name: String, for primary: ResourceDescriptor, owns owned: [ResourceDescriptor],
        watches: [Watch], options: Controller.Options, trigger: ReconcileTrigger, reconciler: any Reconciler
    ) throws -> Controller {
        guard !name.isEmpty else { throw ManagerError.invalidController("a controller needs a name (used in metrics and logs)") }
        let allWatches = [Watch.primary(primary)] + owned.map { Watch.owned($0, by: primary) } + watches
        let reporter = FailureReporter(
            cache: cache.informer(for: primary).cache,
            statusWriter: StatusWriter(api: api, resource: primary.resource), recorder: events,
            conditionType: options.failureConditionType, clock: clock, logger: logger)
        let controller = Controller(
            name: name, primary: primary, watches: allWatches, reconciler: reconciler, options: options,
            informers: cache, reporter: reporter, clock: clock, metricsFactory: metricsFactory, logger: logger)
        for watch in allWatches { _ = cache.informer(for: watch.resource) }
        try state.withLockedValue { state in
            guard !state.controllers.contains(where: { $0.name == name }) else {
                throw ManagerError.duplicateController(name)
            }
            guard !state.running else {
                throw ManagerError.invalidController(
                    "controller \(name) was added after the manager started; register controllers before run()")
            }
            state.controllers.append(controller)
        }
        trigger.bind(controller)
        return controller
    }

    /// The registered controllers.
    public var controllers: [Controller] { state.withLockedValue { $0.controllers } }

    /// Updates the series computed when they are scraped: each controller's work in progress
    /// (`workqueue_unfinished_work_seconds`, `workqueue_longest_running_processor_seconds`).
    public func collectMetrics() {
        for controller in controllers { controller.queue?.publishUnfinishedWork() }
    }

    /// A status writer for `resource`.
    public func statusWriter(for resource: ResourceDescriptor) -> StatusWriter {
        StatusWriter(api: api, resource: resource.resource)
    }

    /// The finalizer helper for `resource`.
    public func finalizers(for resource: ResourceDescriptor, finalizer: String) -> Finalizers {
        Finalizers(api: api, resource: resource.resource, finalizer: finalizer)
    }

    // MARK: state

    /// Whether every informer has synced (what `/readyz` reports).
    public var isReady: Bool { state.withLockedValue { $0.ready } }

    /// Whether this replica's controllers may reconcile: it holds the lease, or leader
    /// election is off and the manager runs.
    public var isLeader: Bool {
        if let elector { return elector.isLeader }
        return state.withLockedValue { $0.running } && !stopSignal.isRaised
    }

    /// Whether ``run()`` is active and no stop was requested (what `/healthz` reports).
    public var isRunning: Bool { state.withLockedValue { $0.running } && !stopSignal.isRaised }

    // MARK: running

    /// Begins a graceful shutdown; ``run()`` returns when it is done.
    public func stop() {
        stopSignal.raise()
        // No reconcile may start once stop() has returned: the queues close now, not when
        // the run task next gets to run.
        for controller in controllers { controller.stop() }
    }

    public func run() async throws {
        try state.withLockedValue { state in
            guard !state.running else { throw ManagerError.alreadyRunning }
            state.running = true
        }
        if let election = configuration.leaderElection { try election.validate() }
        defer { state.withLockedValue { $0.running = false; $0.ready = false } }

        await withGracefulShutdownHandler {
            await runUntilStopped()
        } onGracefulShutdown: { [self] in
            stop()
        }
    }

    private func runUntilStopped() async {
        let controllers = self.controllers
        logger.info(
            "starting manager",
            metadata: [
                "controllers": "\(controllers.map(\.name))", "namespaces": "\(configuration.namespaces)",
                "leaderElection": .stringConvertible(configuration.leaderElection != nil),
            ])
        // Events outlive the informers: those recorded during shutdown are still written.
        let eventWriter = Task { await self.events.run() }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { background in
                background.addTask { await self.cache.run() }

                await waitForCacheSync()
                guard !stopSignal.isRaised else {
                    background.cancelAll()
                    return
                }
                let leading = Task { await self.lead(controllers) }
                await withTaskCancellationHandler {
                    await stopSignal.wait()
                } onCancel: {
                    leading.cancel()
                }
                await shutDown(controllers, leading: leading)
                jobs.cancelAll()
                background.cancelAll()
            }
        } onCancel: {
            stopSignal.raise()
            eventWriter.cancel()
        }
        events.finish()
        if !(await waitForTask(eventWriter, timeout: .seconds(5), on: clock)) {
            logger.warning("some Events could not be written before shutdown")
        }
        logger.info("manager stopped")
    }

    private func waitForCacheSync() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.cache.waitUntilSynced() }
            group.addTask { await self.stopSignal.wait() }
            await group.next()
            group.cancelAll()
        }
        if cache.hasSynced {
            state.withLockedValue { $0.ready = true }
            logger.info("caches synced", metadata: ["informers": .stringConvertible(cache.informers.count)])
        }
    }

    /// Runs the controllers — under the lease when leader election is on.
    private func lead(_ controllers: [Controller]) async {
        let runControllers: @Sendable () async -> Void = { [configuration, stopSignal] in
            await withDiscardingTaskGroup { group in
                for controller in controllers {
                    group.addTask { await controller.run(workers: configuration.workersPerController) }
                }
            }
            // Controllers return when stopped or cancelled; hold the lease until then even
            // when there are none.
            await stopSignal.wait()
        }
        if let elector {
            await elector.run(whileLeading: runControllers)
        } else {
            await runControllers()
        }
    }

    private func shutDown(_ controllers: [Controller], leading: Task<Void, Never>) async {
        logger.info("shutting down: no new reconciles; waiting for those in flight",
                    metadata: ["timeout": .stringConvertible(configuration.gracefulShutdownTimeout)])
        for controller in controllers { controller.stop() }
        // A candidate stops campaigning; a leader releases the lease once its reconciles end.
        elector?.resign()
        let finished = await waitForTask(leading, timeout: configuration.gracefulShutdownTimeout, on: clock)
        if !finished {
            logger.warning("reconciles were still running after the shutdown timeout and were cancelled")
        }
    }
}
