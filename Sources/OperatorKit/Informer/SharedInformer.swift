import KubeClient
import Logging
import NIOConcurrencyHelpers

/// One resource's cache, kept current by list + watch, shared by every controller that reads
/// or watches that resource (client-go's `SharedIndexInformer`).
///
/// Handlers receive ``InformerEvent``s after the cache was updated, one at a time and in the
/// order the server sent them. A handler added after the informer started first receives
/// `.added` for every cached object. An optional resync re-delivers every cached object as an
/// update with `old == new`; reconcilers stay idempotent, so a resync writes nothing when
/// nothing changed.
public final class SharedInformer: Sendable {
    public struct Configuration: Sendable {
        public var resource: GroupVersionResource
        public var scope: NamespaceScope
        public var labelSelector: String?
        public var fieldSelector: String?
        public var indexers: [Indexer]
        /// Re-deliver every cached object this often; nil (the default) never does.
        public var resyncPeriod: Duration?
        public var pageSize: Int
        public var backoff: Backoff
        /// What the cache keeps of each object (see ``ObjectTransform``); nil keeps it whole.
        public var transform: ObjectTransform?
        /// How the cache keeps objects: parsed, or as compact bytes (see ``CacheStorage``).
        public var storage: CacheStorage

        public init(
            resource: GroupVersionResource, scope: NamespaceScope = .all, labelSelector: String? = nil,
            fieldSelector: String? = nil, indexers: [Indexer] = [.namespace, .ownerUID], resyncPeriod: Duration? = nil,
            pageSize: Int = 500, backoff: Backoff = .watchRestart, transform: ObjectTransform? = nil,
            storage: CacheStorage = .decoded
        ) {
            self.storage = storage
            self.resource = resource
            self.scope = scope
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.indexers = indexers
            self.resyncPeriod = resyncPeriod
            self.pageSize = pageSize
            self.backoff = backoff
            self.transform = transform
        }
    }

    public let configuration: Configuration
    /// The informer's objects; read it freely (reads copy values out under a short lock).
    public let cache: ObjectCache
    private let reflectors: [Reflector]
    private let clock: any OperatorClock
    private let dispatcher: Dispatcher

    public init(
        configuration: Configuration, api: any KubernetesAPI, clock: any OperatorClock = SystemClock(),
        metrics: InformerMetrics = .disabled, logger: Logger = Logger(label: "opsagent.informer")
    ) {
        self.configuration = configuration
        self.clock = clock
        let cache = ObjectCache(indexers: configuration.indexers, storage: configuration.storage)
        self.cache = cache
        let dispatcher = Dispatcher(cache: cache, transform: configuration.transform)
        self.dispatcher = dispatcher
        reflectors = configuration.scope.watchNamespaces.map { namespace in
            Reflector(
                configuration: Reflector.Configuration(
                    resource: configuration.resource, namespace: namespace, labelSelector: configuration.labelSelector,
                    fieldSelector: configuration.fieldSelector, pageSize: configuration.pageSize,
                    backoff: configuration.backoff),
                api: api, sink: dispatcher, clock: clock, metrics: metrics, logger: logger)
        }
    }

    public var resource: GroupVersionResource { configuration.resource }

    /// Whether every watched namespace has been listed once.
    public var hasSynced: Bool { reflectors.allSatisfy(\.hasSynced) }

    /// Returns once the cache holds a full list of every watched namespace (or the task is
    /// cancelled).
    public func waitUntilSynced() async {
        for reflector in reflectors { await reflector.waitUntilSynced() }
    }

    /// The resourceVersion each watch resumes from, by namespace ("" for all namespaces).
    public var resourceVersions: [String: String] {
        var versions: [String: String] = [:]
        for reflector in reflectors {
            versions[reflector.configuration.namespace ?? ""] = reflector.resourceVersion ?? ""
        }
        return versions
    }

    /// Adds a handler; it first receives `.added` for every object already cached. Handlers
    /// must return quickly and must not add or remove handlers themselves.
    @discardableResult
    public func addHandler(_ handler: @escaping InformerEventHandler) -> HandlerRegistration {
        dispatcher.add(handler)
    }

    /// Adds an index and builds it over the cached objects.
    public func addIndexer(_ indexer: Indexer) { cache.addIndexer(indexer) }

    /// Lists, watches (and resyncs) until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for reflector in reflectors {
                group.addTask { await reflector.run() }
            }
            if let period = configuration.resyncPeriod, period > .zero {
                group.addTask { [self] in
                    await waitUntilSynced()
                    while !Task.isCancelled {
                        do { try await clock.sleep(for: period) } catch { return }
                        dispatcher.resync()
                    }
                }
            }
        }
    }
}

/// Removes a handler from its informer.
public struct HandlerRegistration: Sendable {
    let remove: @Sendable () -> Void

    /// Stops delivering events to the handler.
    public func cancel() { remove() }
}

extension SharedInformer {
    /// Applies what the reflectors learn to the cache and tells the handlers, serialized so
    /// every handler sees the events in the cache's order.
    final class Dispatcher: Reflector.Sink {
        private struct Handlers {
            var nextID: UInt64 = 0
            var byID: [UInt64: InformerEventHandler] = [:]
        }

        private let cache: ObjectCache
        private let transform: ObjectTransform?
        /// Held while a change is applied and delivered, so deliveries never interleave.
        private let delivery = NIOLock()
        private let handlers = NIOLockedValueBox(Handlers())

        init(cache: ObjectCache, transform: ObjectTransform?) {
            self.cache = cache
            self.transform = transform
        }

        func add(_ handler: @escaping InformerEventHandler) -> HandlerRegistration {
            let id = delivery.withLock {
                let id = handlers.withLockedValue { handlers in
                    handlers.nextID += 1
                    handlers.byID[handlers.nextID] = handler
                    return handlers.nextID
                }
                for object in cache.snapshot() { handler(.added(object)) }
                return id
            }
            return HandlerRegistration { [weak self] in
                _ = self?.handlers.withLockedValue { $0.byID.removeValue(forKey: id) }
            }
        }

        func stage(_ items: [JSONValue]) -> [StagedObject] {
            cache.stage(transform.map { items.map($0.callAsFunction) } ?? items)
        }

        func replace(with items: [StagedObject], inNamespace namespace: String?) {
            delivery.withLock {
                deliver(cache.replace(with: items, inNamespace: namespace).lazy.map(\.event))
            }
        }

        func apply(_ event: WatchEvent) {
            guard var object = event.object else { return }
            if let transform { object = transform(object) }
            delivery.withLock {
                guard let key = ObjectKey(of: object) else { return }
                switch event {
                case .added, .modified:
                    if let old = cache.upsert(object, key: key) {
                        deliver([.updated(old: old, new: object)])
                    } else {
                        deliver([.added(object)])
                    }
                case .deleted:
                    cache.remove(key)
                    deliver([.deleted(object, finalStateUnknown: false)])
                default:
                    return
                }
            }
        }

        func resync() {
            delivery.withLock {
                deliver(cache.snapshot().map { .updated(old: $0, new: $0) })
            }
        }

        /// Called with `delivery` held.
        private func deliver(_ events: some Collection<InformerEvent>) {
            guard !events.isEmpty else { return }
            let current = handlers.withLockedValue { $0.byID.sorted { $0.key < $1.key }.map(\.value) }
            for event in events {
                for handler in current { handler(event) }
            }
        }
    }
}
