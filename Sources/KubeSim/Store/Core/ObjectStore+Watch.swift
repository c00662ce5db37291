import NIOCore

/// Which objects a list or watch is about.
public struct ObjectFilter: Sendable {
    /// Only objects in this namespace (nil: every namespace).
    public var namespace: String?
    /// Label and field selectors, evaluated on the stored form.
    public var predicate: (@Sendable (StoredObject) -> Bool)?
    /// Deliver every deletion, whether or not the deleted object matches (the garbage
    /// collector needs them all, but only the live objects that have owners).
    public var allDeletions = false
    /// Whether the predicate is more than "everything" (lists then omit remainingItemCount).
    public var isSelective: Bool { predicate != nil }

    public init(namespace: String? = nil, predicate: (@Sendable (StoredObject) -> Bool)? = nil,
                allDeletions: Bool = false) {
        self.namespace = namespace
        self.predicate = predicate
        self.allDeletions = allDeletions
    }

    public static let everything = ObjectFilter()

    public func matches(_ object: StoredObject) -> Bool {
        if let namespace, object.key.namespace != namespace { return false }
        return predicate?(object) ?? true
    }
}

/// Where a watch begins.
public enum WatchStart: Sendable, Equatable {
    /// Only changes after the current revision.
    case now
    /// A synthetic ADDED for every current object, then changes (resourceVersion unset or "0").
    case currentState
    /// Changes after this resourceVersion, replayed from the history.
    case after(UInt64)
}

/// A running watch on the store.
public struct StoreWatch: Sendable {
    public let id: UInt64
    public let events: AsyncStream<WatchItem>
    let store: ObjectStore

    /// Queues a bookmark at the current revision behind every event already queued.
    public func sendBookmark() { store.sendBookmark(to: id) }

    /// Ends the watch (its stream finishes after what is queued).
    public func stop() { store.stopWatch(id) }
}

final class Subscription: Sendable {
    let id: UInt64
    let resource: GroupResource?
    let filter: ObjectFilter
    let continuation: AsyncStream<WatchItem>.Continuation
    /// Whether the watcher writes JSON lines (HTTP clients) and so wants the shared encoding.
    let wantsLines: Bool

    init(id: UInt64, resource: GroupResource?, filter: ObjectFilter, continuation: AsyncStream<WatchItem>.Continuation,
         wantsLines: Bool) {
        self.id = id
        self.resource = resource
        self.filter = filter
        self.continuation = continuation
        self.wantsLines = wantsLines
    }
}

extension ObjectStore {
    /// Starts a watch on one resource type (or on all of them when `resource` is nil, for
    /// in-process controllers). Throws 410 Expired when `start` is older than the history
    /// and 504 when it is newer than the store.
    ///
    /// `encodedLines`: attach each event's shared JSON line (for HTTP watchers; in-process
    /// controllers read the objects and skip the encoding).
    ///
    /// `throughWatchCache`: resume only within the resource's watch-cache window (as an HTTP
    /// client of kube-apiserver does); in-process controllers resume from the whole history.
    public func watch(_ resource: GroupResource?, filter: ObjectFilter = .everything, from start: WatchStart,
                      initialEventsEndBookmark: Bool = false, encodedLines: Bool = true,
                      throughWatchCache: Bool = false) throws(APIError) -> StoreWatch {
        try locked { s throws(APIError) -> StoreWatch in
            if s.closed { throw APIError.serviceUnavailable("the API server is shutting down") }
            var initial: [WatchItem] = []
            switch start {
            case .now:
                break
            case .currentState:
                if let resource {
                    s.tables[resource]?.forEachSorted(namespace: filter.namespace, after: nil) { object in
                        if filter.matches(object) { initial.append(.change(.added, object, line: nil)) }
                        return true
                    }
                }
            case .after(let revision):
                if revision > s.revision {
                    throw APIError.tooLargeResourceVersion(requested: revision, current: s.revision)
                }
                if throughWatchCache, let resource {
                    let window = s.windows[resource] ?? WatchWindow(listRevision: s.windowBase, capacity: 1)
                    try window.check(after: revision)
                }
                if !s.history.covers(after: revision) {
                    throw APIError.expired("too old resource version: \(revision) (\(s.history.compactedRevision))")
                }
                for event in s.history.events(after: revision) where resource == nil || event.resource == resource {
                    if let item = Self.view(of: event, through: filter) { initial.append(item) }
                }
            }
            if initialEventsEndBookmark {
                initial.append(.bookmark(resourceVersion: s.revision, initialEventsEnd: true))
            }
            let id = s.nextWatcherID
            s.nextWatcherID += 1
            let (stream, continuation) = AsyncStream<WatchItem>.makeStream(
                bufferingPolicy: .bufferingOldest(initial.count + watcherBacklogLimit))
            for item in initial { continuation.yield(item) }
            let subscription = Subscription(id: id, resource: resource, filter: filter, continuation: continuation,
                                            wantsLines: encodedLines)
            if let resource {
                s.watchers[resource, default: [:]][id] = subscription
            } else {
                s.globalWatchers[id] = subscription
            }
            continuation.onTermination = { [weak self] _ in
                // Runs when the consumer goes away or the stream is finished. Finishing can
                // happen while the lock is held (in `dispatch`), so unregister from a task.
                guard let self else { return }
                Task { self.unregister(id, resource: resource) }
            }
            return StoreWatch(id: id, events: stream, store: self)
        }
    }

    func unregister(_ id: UInt64, resource: GroupResource?) {
        state.withLockedValue { s in
            if let resource {
                s.watchers[resource]?.removeValue(forKey: id)
                if s.watchers[resource]?.isEmpty == true { s.watchers.removeValue(forKey: resource) }
            } else {
                s.globalWatchers.removeValue(forKey: id)
            }
        }
    }

    func stopWatch(_ id: UInt64) {
        let subscription: Subscription? = state.withLockedValue { s in
            if let found = s.globalWatchers.removeValue(forKey: id) { return found }
            for (resource, var group) in s.watchers {
                if let found = group.removeValue(forKey: id) {
                    s.watchers[resource] = group.isEmpty ? nil : group
                    return found
                }
            }
            return nil
        }
        subscription?.continuation.finish()
    }

    func sendBookmark(to id: UInt64) {
        state.withLockedValue { s in
            let subscription = s.globalWatchers[id] ?? s.watchers.values.lazy.compactMap { $0[id] }.first
            _ = subscription?.continuation.yield(.bookmark(resourceVersion: s.revision, initialEventsEnd: false))
        }
    }

    /// Number of running watches (for tests and metrics).
    public var watchCount: Int {
        state.withLockedValue { s in s.watchers.values.reduce(s.globalWatchers.count) { $0 + $1.count } }
    }

    /// Hands one committed event to every interested watcher. Called with the lock held.
    func dispatch(_ s: inout State, _ event: StoreEvent) {
        var shared: ByteBuffer?
        var overflowed: [Subscription] = []
        func deliver(_ subscription: Subscription) {
            guard var item = Self.view(of: event, through: subscription.filter) else { return }
            if subscription.wantsLines, case .change(let type, let object, nil) = item, type == event.type,
               object === event.object {
                // Encoded at most once per event and shared by every watcher that sees it unchanged.
                let line = shared ?? WatchLine.encode(type: event.type, objectBytes: event.object.bytes)
                shared = line
                item = .change(type, object, line: line)
            }
            switch subscription.continuation.yield(item) {
            case .dropped: overflowed.append(subscription)
            case .enqueued, .terminated: break
            @unknown default: break
            }
        }
        if let group = s.watchers[event.resource] {
            for subscription in group.values { deliver(subscription) }
        }
        for subscription in s.globalWatchers.values { deliver(subscription) }
        for subscription in overflowed {
            // Too far behind: close it; the client resumes from the last version it saw.
            if let resource = subscription.resource {
                s.watchers[resource]?.removeValue(forKey: subscription.id)
            } else {
                s.globalWatchers.removeValue(forKey: subscription.id)
            }
            subscription.continuation.finish()
        }
    }

    /// How one event looks through a watcher's filter: unchanged, turned into ADDED or
    /// DELETED when the object starts or stops matching, or invisible.
    static func view(of event: StoreEvent, through filter: ObjectFilter) -> WatchItem? {
        let matchesNow = filter.matches(event.object)
        switch event.type {
        case .added:
            return matchesNow ? .change(.added, event.object, line: nil) : nil
        case .deleted:
            if filter.allDeletions { return .change(.deleted, event.object, line: nil) }
            // A deletion is judged on the last state the watcher could have seen.
            let matchedBefore = event.previous.map(filter.matches) ?? matchesNow
            return matchedBefore ? .change(.deleted, event.object, line: nil) : nil
        case .modified:
            let matchedBefore = event.previous.map(filter.matches) ?? false
            switch (matchedBefore, matchesNow) {
            case (true, true): return .change(.modified, event.object, line: nil)
            case (false, true): return .change(.added, event.object, line: nil)
            case (true, false):
                // The previous content, stamped with this event's resourceVersion, as the watch cache sends it.
                guard let previous = event.previous else { return nil }
                let restamped = previous.restamped(event.resourceVersion)
                return .change(.deleted, restamped, line: nil)
            case (false, false): return nil
            }
        case .bookmark, .error:
            return nil
        }
    }
}
