import Foundation
import KubeClient
import NIOConcurrencyHelpers
import NIOCore

/// Receives every committed change, in order, while the store's lock is held (so it must
/// be quick and must not call back into the store). Persistence implements it.
public protocol StoreJournal: Sendable {
    func record(_ event: StoreEvent)
}

/// What a write decides to do with the object it was shown.
public enum StoreMutation {
    /// Store this object (create or replace).
    case put(JSONValue)
    /// Remove the object; the value is its last state, as the DELETED event will carry it.
    case delete(JSONValue)
    /// Change nothing: a no-op write bumps no resourceVersion and emits no event.
    case keep
}

/// What a write did.
public enum MutationOutcome: Sendable {
    case created(StoredObject)
    case updated(StoredObject, previous: StoredObject)
    case deleted(StoredObject, previous: StoredObject)
    case unchanged(StoredObject?)

    /// The object as it stands after the write (the final state for a deletion).
    public var object: StoredObject? {
        switch self {
        case .created(let o), .updated(let o, _), .deleted(let o, _): return o
        case .unchanged(let o): return o
        }
    }
}

/// The storage of the embedded API server: every object of every resource type, one global
/// resourceVersion, a bounded history of changes and the watchers that follow them.
///
/// All state sits behind one lock; a write holds it only to compare, stamp, serialize and
/// fan out (no I/O but an append to the journal), so writes are linearizable and watchers
/// see events in resourceVersion order.
public final class ObjectStore: Sendable {
    struct State {
        var revision: UInt64
        var tables: [GroupResource: ResourceTable] = [:]
        var history: EventHistory
        var watchers: [GroupResource: [UInt64: Subscription]] = [:]
        var globalWatchers: [UInt64: Subscription] = [:]
        var nextWatcherID: UInt64 = 1
        /// owner uid → dependents that name it in ownerReferences.
        var dependents: [String: Set<ObjectRef>] = [:]
        /// Committed changes per resource type and event type, since the store started.
        var writes: [GroupResource: [WatchEventType: Int]] = [:]
        /// The watch cache's window per resource type (created at its first event or watch).
        var windows: [GroupResource: WatchWindow] = [:]
        /// The revision of the watch cache's initial list: where every window begins.
        var windowBase: UInt64
        var closed = false
    }

    let state: NIOLockedValueBox<State>
    let journal: (any StoreJournal)?
    /// How many live events a watcher may fall behind before it is closed (it then resumes
    /// from the last version it saw, as a client of a real API server would).
    public let watcherBacklogLimit: Int
    /// The bounds of the watch cache's window, which HTTP watches resume within.
    public let watchCache: WatchCacheSettings
    /// Monotonic seconds, for the freshness of events in the watch cache's window.
    let uptime: @Sendable () -> TimeInterval

    public init(historyCapacity: Int = 20_000, revision: UInt64 = 1, journal: (any StoreJournal)? = nil,
                watcherBacklogLimit: Int = 20_000, watchCache: WatchCacheSettings = .init(),
                uptime: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.state = NIOLockedValueBox(State(revision: revision,
                                             history: EventHistory(capacity: historyCapacity,
                                                                   compactedRevision: revision),
                                             windowBase: revision))
        self.journal = journal
        self.watcherBacklogLimit = watcherBacklogLimit
        self.watchCache = watchCache
        self.uptime = uptime
    }

    /// Runs `body` under the lock, keeping its typed error.
    func locked<T>(_ body: (inout State) throws(APIError) -> T) throws(APIError) -> T {
        let result: Result<T, APIError> = state.withLockedValue { s in
            do throws(APIError) { return .success(try body(&s)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The current global resourceVersion.
    public var revision: UInt64 { state.withLockedValue { $0.revision } }

    public func get(_ resource: GroupResource, _ key: ObjectKey) -> StoredObject? {
        state.withLockedValue { $0.tables[resource]?.object(at: key) }
    }

    public func count(_ resource: GroupResource) -> Int {
        state.withLockedValue { $0.tables[resource]?.count ?? 0 }
    }

    public func count(_ resource: GroupResource, namespace: String) -> Int {
        state.withLockedValue { $0.tables[resource]?.count(inNamespace: namespace) ?? 0 }
    }

    /// The resource types that currently hold at least one object.
    public var populatedResources: [GroupResource] {
        state.withLockedValue { s in s.tables.filter { $0.value.count > 0 }.map(\.key).sorted() }
    }

    /// Committed changes per resource type and event type (ADDED, MODIFIED, DELETED) since
    /// the store started: what a workload cost the API server in writes.
    public var writeCounts: [GroupResource: [WatchEventType: Int]] { state.withLockedValue { $0.writes } }

    /// Objects whose ownerReferences name `uid`.
    public func dependents(ofOwner uid: String) -> [ObjectRef] {
        state.withLockedValue { Array($0.dependents[uid] ?? []) }.sorted()
    }

    /// Reads, decides and writes one object atomically.
    ///
    /// `decide` runs under the store's lock with the current object (nil when absent) and
    /// must neither block nor touch the store. It throws to reject the write.
    @discardableResult
    public func mutate(_ resource: GroupResource, _ key: ObjectKey, indexing: ObjectIndexing,
                       _ decide: (StoredObject?) throws -> StoreMutation) throws -> MutationOutcome {
        try state.withLockedValue { s in
            if s.closed { throw APIError.serviceUnavailable("the API server is shutting down") }
            let current = s.tables[resource]?.object(at: key)
            switch try decide(current) {
            case .keep:
                return .unchanged(current)
            case .put(let value):
                s.revision += 1
                let stored = StoredObject(object: value, key: key, resourceVersion: s.revision, indexing: indexing)
                s.tables[resource, default: ResourceTable()].put(stored)
                Self.reindexOwners(&s, ref: ObjectRef(resource: resource, key: key), old: current, new: stored)
                let event = StoreEvent(type: current == nil ? .added : .modified, resource: resource,
                                       object: stored, previous: current)
                commit(&s, event)
                if let current { return .updated(stored, previous: current) }
                return .created(stored)
            case .delete(let finalState):
                guard let current else { throw APIError.notFound(resource, name: key.name) }
                s.revision += 1
                let stored = StoredObject(object: finalState, key: key, resourceVersion: s.revision, indexing: indexing)
                s.tables[resource]?.remove(key)
                Self.reindexOwners(&s, ref: ObjectRef(resource: resource, key: key), old: current, new: nil)
                commit(&s, StoreEvent(type: .deleted, resource: resource, object: stored, previous: current))
                return .deleted(stored, previous: current)
            }
        }
    }

    private static func reindexOwners(_ s: inout State, ref: ObjectRef, old: StoredObject?, new: StoredObject?) {
        let before = old?.ownerUIDs ?? []
        let after = new?.ownerUIDs ?? []
        if before == after { return }
        for uid in before where !after.contains(uid) {
            s.dependents[uid]?.remove(ref)
            if s.dependents[uid]?.isEmpty == true { s.dependents.removeValue(forKey: uid) }
        }
        for uid in after where !before.contains(uid) {
            s.dependents[uid, default: []].insert(ref)
        }
    }

    private func commit(_ s: inout State, _ event: StoreEvent) {
        s.writes[event.resource, default: [:]][event.type, default: 0] += 1
        s.history.append(event)
        s.windows[event.resource, default: WatchWindow(listRevision: s.windowBase, capacity: watchCache.lowerBoundCapacity)]
            .append(revision: event.resourceVersion, at: uptime(), settings: watchCache)
        journal?.record(event)
        dispatch(&s, event)
    }

    /// Forgets the event history up to the current revision (or `revision`), so watches
    /// and continue tokens from before it get 410 Expired.
    public func compact(through revision: UInt64? = nil) {
        state.withLockedValue { s in s.history.compact(through: min(revision ?? s.revision, s.revision)) }
    }

    /// Starts the watch window of a resource type served from now on (a CRD just established):
    /// like the watch cache a new type gets, it begins at the current revision.
    public func beginWatchWindow(_ resource: GroupResource) {
        state.withLockedValue { s in
            s.windows[resource] = WatchWindow(listRevision: s.revision, capacity: watchCache.lowerBoundCapacity)
        }
    }

    /// The oldest resourceVersion a watch can still resume from.
    public var compactedRevision: UInt64 { state.withLockedValue { $0.history.compactedRevision } }

    /// Ends every watch and refuses further writes; used when the server stops.
    public func close() {
        let subscriptions: [Subscription] = state.withLockedValue { s in
            s.closed = true
            let all = s.watchers.values.flatMap(\.values) + Array(s.globalWatchers.values)
            s.watchers.removeAll()
            s.globalWatchers.removeAll()
            return all
        }
        for subscription in subscriptions { subscription.continuation.finish() }
    }

    /// Loads objects read back from disk, without events, at the given revision.
    func restore(_ objects: [(GroupResource, StoredObject)], revision: UInt64) {
        state.withLockedValue { s in
            for (resource, object) in objects {
                s.tables[resource, default: ResourceTable()].put(object)
                Self.reindexOwners(&s, ref: ObjectRef(resource: resource, key: object.key), old: nil, new: object)
            }
            s.revision = max(s.revision, revision)
            s.history = EventHistory(capacity: s.history.capacity, compactedRevision: s.revision)
            s.windowBase = s.revision
            s.windows.removeAll()
        }
    }

    /// Every object of every resource, for a persistence snapshot, with the revision it reflects.
    /// `whileHeld` runs under the same lock hold, so no write lands between the snapshot and it.
    func snapshot(whileHeld: () throws -> Void = {}) rethrows -> (revision: UInt64, objects: [(GroupResource, StoredObject)]) {
        try state.withLockedValue { s in
            try whileHeld()
            var out: [(GroupResource, StoredObject)] = []
            for (resource, table) in s.tables {
                for object in table.allObjects(namespace: nil) { out.append((resource, object)) }
            }
            return (s.revision, out)
        }
    }
}

/// Where an object is stored: its resource type and key.
public struct ObjectRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var resource: GroupResource
    public var key: ObjectKey

    public init(resource: GroupResource, key: ObjectKey) {
        self.resource = resource
        self.key = key
    }

    public var description: String { "\(resource) \(key)" }

    public static func < (lhs: ObjectRef, rhs: ObjectRef) -> Bool {
        (lhs.resource, lhs.key) < (rhs.resource, rhs.key)
    }
}
