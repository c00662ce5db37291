import KubeClient
import NIOConcurrencyHelpers

/// The objects an informer has seen, by key, with secondary indexes
/// (client-go's thread-safe store + indexer).
///
/// Reads take the lock only to copy out values: `JSONValue` is a value type, so callers get
/// their own copy and can never mutate what other readers see. Objects are kept as
/// ``CacheStorage`` says: parsed trees, or compact bytes parsed on each read (outside the lock).
public final class ObjectCache: Sendable {
    private struct State {
        var objects: [ObjectKey: StoredObject] = [:]
        var indexers: [String: Indexer] = [:]
        /// index name → index value → keys
        var indices: [String: [String: Set<ObjectKey>]] = [:]
    }

    private let state: NIOLockedValueBox<State>
    public let storage: CacheStorage
    /// Compact caches only: parsed trees need no second copy.
    private let recent: RecentlyParsed?

    public init(indexers: [Indexer] = [.namespace, .ownerUID], storage: CacheStorage = .decoded) {
        self.storage = storage
        recent = storage == .compact ? RecentlyParsed() : nil
        var initial = State()
        for indexer in indexers {
            initial.indexers[indexer.name] = indexer
            initial.indices[indexer.name] = [:]
        }
        state = NIOLockedValueBox(initial)
    }

    // MARK: reads

    public func get(_ key: ObjectKey) -> JSONValue? {
        guard let stored = state.withLockedValue({ $0.objects[key] }) else { return nil }
        return recent?.object(stored, at: key) ?? stored.value
    }

    /// Objects in `namespace` (all when nil) whose labels match `selector`, sorted by key.
    public func list(namespace: String? = nil, matching selector: LabelSelector = .everything) -> [JSONValue] {
        let objects: [(ObjectKey, StoredObject)] = state.withLockedValue { state in
            if let namespace {
                let keys = state.indices[Indexer.namespace.name]?[namespace]
                    ?? Set(state.objects.keys.filter { $0.namespace == namespace })
                return keys.compactMap { key in state.objects[key].map { (key, $0) } }
            }
            return Array(state.objects)
        }
        return objects.sorted { $0.0 < $1.0 }.map(\.1.value).filter { selector.isEverything || selector.matches(object: $0) }
    }

    /// The objects of `namespace` (every object when nil), in key order, each parsed only
    /// when it is read: a pass over a whole cache (an audit's) then holds one parsed object
    /// at a time, whatever the ``storage``. The objects are those cached at the call.
    public func lazyObjects(namespace: String? = nil) -> CachedObjects {
        CachedObjects(stored: state.withLockedValue { state in
            state.objects.filter { namespace == nil || $0.key.namespace == namespace }.sorted { $0.key < $1.key }.map(\.value)
        })
    }

    /// Objects whose index `indexName` has `value`, sorted by key; empty for an unknown index.
    public func list(index indexName: String, value: String) -> [JSONValue] {
        let objects: [(ObjectKey, StoredObject)] = state.withLockedValue { state in
            (state.indices[indexName]?[value] ?? []).compactMap { key in state.objects[key].map { (key, $0) } }
        }
        return objects.sorted { $0.0 < $1.0 }.map(\.1.value)
    }

    /// The keys whose index `indexName` has `value`.
    public func keys(index indexName: String, value: String) -> Set<ObjectKey> {
        state.withLockedValue { $0.indices[indexName]?[value] ?? [] }
    }

    public var keys: [ObjectKey] { state.withLockedValue { Array($0.objects.keys) }.sorted() }
    public var count: Int { state.withLockedValue { $0.objects.count } }
    public var indexNames: [String] { state.withLockedValue { Array($0.indexers.keys) }.sorted() }
    public func hasIndexer(named name: String) -> Bool { state.withLockedValue { $0.indexers[name] != nil } }

    // MARK: indexes

    /// Adds (or replaces) an index and builds it over the objects already cached.
    public func addIndexer(_ indexer: Indexer) {
        state.withLockedValue { state in
            state.indexers[indexer.name] = indexer
            var index: [String: Set<ObjectKey>] = [:]
            for (key, object) in state.objects {
                for value in indexer.values(object.value) { index[value, default: []].insert(key) }
            }
            state.indices[indexer.name] = index
        }
    }

    // MARK: writes (the informer's)

    /// Stores `object`; returns the object it replaced.
    @discardableResult
    func upsert(_ object: JSONValue, key: ObjectKey) -> JSONValue? {
        let stored = StoredObject(object, storage: storage)
        return state.withLockedValue { state in
            let old = state.objects.updateValue(stored, forKey: key)?.value
            Self.reindex(&state, key: key, old: old, new: object)
            return old
        }
    }

    /// Removes the object at `key`; returns it.
    @discardableResult
    func remove(_ key: ObjectKey) -> JSONValue? {
        state.withLockedValue { state in
            guard let old = state.objects.removeValue(forKey: key)?.value else { return nil }
            Self.reindex(&state, key: key, old: old, new: nil)
            return old
        }
    }

    /// `items` as this cache stores them (objects without a name are left out).
    func stage(_ items: [JSONValue]) -> [StagedObject] {
        items.compactMap { item in ObjectKey(of: item).map { StagedObject(key: $0, stored: StoredObject(item, storage: storage)) } }
    }

    /// Makes the cached objects of `namespace` (every object when nil) equal to `items`, and
    /// returns the differences as events: objects added, changed (another resourceVersion)
    /// and gone — the deletes a watch gap hid. The events' objects are parsed when delivered,
    /// so a relist of thousands never holds them all as trees at once.
    func replace(with items: [StagedObject], inNamespace namespace: String?) -> [PendingEvent] {
        state.withLockedValue { state in
            var events: [PendingEvent] = []
            var seen: Set<ObjectKey> = []
            for item in items {
                let key = item.key
                seen.insert(key)
                if let previous = state.objects.updateValue(item.stored, forKey: key) {
                    // Listed again at the same resourceVersion: the same object, neither parsed nor reindexed.
                    if previous.resourceVersion == item.stored.resourceVersion { continue }
                    Self.reindex(&state, key: key, old: previous.value, new: item.stored.value)
                    events.append(.updated(old: previous, new: item.stored))
                } else {
                    Self.reindex(&state, key: key, old: nil, new: item.stored.value)
                    events.append(.added(item.stored))
                }
            }
            let gone = state.objects.keys.filter { key in
                !seen.contains(key) && (namespace == nil || key.namespace == namespace)
            }
            for key in gone.sorted() {
                guard let old = state.objects.removeValue(forKey: key) else { continue }
                Self.reindex(&state, key: key, old: old.value, new: nil)
                events.append(.deleted(old, finalStateUnknown: true))
            }
            return events
        }
    }

    /// Every cached object in `namespace` (all when nil), for resyncs and late handlers.
    func snapshot(namespace: String? = nil) -> [JSONValue] {
        Array(lazyObjects(namespace: namespace))
    }

    static func resourceVersion(_ object: JSONValue) -> String? {
        object["metadata"]["resourceVersion"].stringValue
    }

    private static func reindex(_ state: inout State, key: ObjectKey, old: JSONValue?, new: JSONValue?) {
        for (name, indexer) in state.indexers {
            let oldValues = old.map(indexer.values) ?? []
            let newValues = new.map(indexer.values) ?? []
            if oldValues == newValues { continue }
            // Edited in place: taking the index out and storing it back copied all of it on
            // every add, so filling a cache cost time in proportion to its size.
            for value in oldValues {
                state.indices[name]?[value]?.remove(key)
                if state.indices[name]?[value]?.isEmpty == true { state.indices[name]?[value] = nil }
            }
            for value in newValues { state.indices[name, default: [:]][value, default: []].insert(key) }
        }
    }
}
