import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers

/// The manager's informers, one per resource, shared by every controller and reader
/// (controller-runtime's `cache.Cache`, client-go's `SharedInformerFactory`).
///
/// Asking for the informer of a resource creates it on first use; once ``run()`` is active,
/// new informers start at once. Namespaced resources are watched in the manager's namespace
/// scope, cluster-scoped ones cluster-wide.
public final class InformerCache: Sendable {
    private struct State {
        var informers: [ResourceDescriptor: SharedInformer] = [:]
        var transforms: [ResourceDescriptor: ObjectTransform] = [:]
        var started = false
    }

    private let api: any KubernetesAPI
    public let scope: NamespaceScope
    private let resyncPeriod: Duration?
    /// How every informer's cache keeps objects.
    public let storage: CacheStorage
    let clock: any OperatorClock
    private let metricsFactory: any MetricsFactory
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let newInformers: AsyncStream<SharedInformer>
    private let newInformersContinuation: AsyncStream<SharedInformer>.Continuation

    public init(
        api: any KubernetesAPI, scope: NamespaceScope = .all, resyncPeriod: Duration? = nil, storage: CacheStorage = .decoded,
        clock: any OperatorClock = SystemClock(), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "opsagent.cache")
    ) {
        self.api = api
        self.scope = scope
        self.resyncPeriod = resyncPeriod
        self.storage = storage
        self.clock = clock
        self.metricsFactory = metricsFactory
        self.logger = logger
        (newInformers, newInformersContinuation) = AsyncStream.makeStream(of: SharedInformer.self)
    }

    /// The shared informer of `resource`, created on first use.
    public func informer(for resource: ResourceDescriptor) -> SharedInformer {
        let (informer, created) = state.withLockedValue { state -> (SharedInformer, Bool) in
            if let existing = state.informers[resource] { return (existing, false) }
            let informer = SharedInformer(
                configuration: SharedInformer.Configuration(
                    resource: resource.resource, scope: resource.namespaced ? scope : .all, resyncPeriod: resyncPeriod,
                    transform: state.transforms[resource], storage: storage),
                api: api, clock: clock,
                metrics: InformerMetrics(resource: resource.resource.groupResource, factory: metricsFactory),
                logger: logger)
            state.informers[resource] = informer
            return (informer, true)
        }
        if created { newInformersContinuation.yield(informer) }
        return informer
    }

    /// Sets what the informer of `resource` keeps of each object (see ``ObjectTransform``).
    ///
    /// - Throws: ``TransformAfterInformerCreated`` when the informer already exists (a
    ///   controller registered earlier watches or read it): its cache may already hold whole
    ///   objects, and other readers may rely on them. Setting the transform it already has
    ///   (same ``ObjectTransform/name``) is allowed.
    public func setTransform(_ transform: ObjectTransform, for resource: ResourceDescriptor) throws {
        try state.withLockedValue { state in
            if state.informers[resource] != nil {
                // Setting the same transform again (a controller registered twice) is no change.
                guard state.transforms[resource]?.name == transform.name else {
                    throw TransformAfterInformerCreated(resource: resource.description)
                }
                return
            }
            state.transforms[resource] = transform
        }
    }

    /// The informers created so far.
    public var informers: [SharedInformer] {
        state.withLockedValue { Array($0.informers.values) }
    }

    /// Whether every informer has listed its resource once.
    public var hasSynced: Bool { informers.allSatisfy(\.hasSynced) }

    /// Returns once every informer created so far has synced (or the task is cancelled).
    public func waitUntilSynced() async {
        for informer in informers { await informer.waitUntilSynced() }
    }

    // MARK: reads

    /// The cached object of `resource` at `key`.
    public func get(_ resource: ResourceDescriptor, _ key: ObjectKey) -> JSONValue? {
        informer(for: resource).cache.get(key)
    }

    /// The cached objects of `resource` in `namespace` (all when nil) matching `selector`.
    public func list(
        _ resource: ResourceDescriptor, namespace: String? = nil, matching selector: LabelSelector = .everything
    ) -> [JSONValue] {
        informer(for: resource).cache.list(namespace: namespace, matching: selector)
    }

    /// The cached objects of `resource` whose controller (or any owner) has `ownerUID`.
    public func list(_ resource: ResourceDescriptor, ownedBy ownerUID: String) -> [JSONValue] {
        informer(for: resource).cache.list(index: Indexer.ownerUID.name, value: ownerUID)
    }

    // MARK: running

    /// Runs every informer, including those created while it runs, until the task is
    /// cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            let existing = state.withLockedValue { state -> [SharedInformer] in
                state.started = true
                return Array(state.informers.values)
            }
            var running = Set(existing.map { ObjectIdentifier($0) })
            for informer in existing {
                group.addTask { await informer.run() }
            }
            for await informer in newInformers {
                guard running.insert(ObjectIdentifier(informer)).inserted else { continue }
                group.addTask { await informer.run() }
            }
        }
    }
}
