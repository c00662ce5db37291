import Foundation

/// How kube-apiserver's watch cache bounds the resourceVersions a watch may resume from
/// (`staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go`).
public struct WatchCacheSettings: Sendable, Equatable {
    /// The ring of one resource starts this large (kube: 100) …
    public var lowerBoundCapacity: Int
    /// … and doubles while its oldest event is still fresh, up to this (kube: 100 × 1024).
    public var upperBoundCapacity: Int
    /// How long an event counts as fresh (kube: the 60 s bookmark interval + 15 s). A full
    /// ring whose oldest event is older than this drops it instead of growing, and halves
    /// once its newest quarter is older than this.
    public var eventFreshDuration: TimeInterval

    public init(lowerBoundCapacity: Int = 100, upperBoundCapacity: Int = 100 * 1024, eventFreshDuration: TimeInterval = 75) {
        self.lowerBoundCapacity = max(1, lowerBoundCapacity)
        self.upperBoundCapacity = max(self.lowerBoundCapacity, upperBoundCapacity)
        self.eventFreshDuration = eventFreshDuration
    }
}

/// One resource's window of the watch cache: the resourceVersions a watch can resume after.
///
/// It begins at the cache's initial list (the revision the server started at) and holds the
/// resource's most recent events in a ring that grows while events are fresh and otherwise
/// drops its oldest. A watch from before the window gets `410 Expired` with kube's text
/// `too old resource version: N (oldest-1)`.
struct WatchWindow {
    /// The resourceVersion of the cache's initial list.
    let listRevision: UInt64
    /// Whether an event has left the ring since that list (then the ring's first event bounds the window).
    private(set) var removedSinceList = false
    private var revisions: [UInt64]
    private var times: [TimeInterval]
    private var start = 0
    private(set) var count = 0

    init(listRevision: UInt64, capacity: Int) {
        self.listRevision = listRevision
        revisions = Array(repeating: 0, count: capacity)
        times = Array(repeating: 0, count: capacity)
    }

    var capacity: Int { revisions.count }

    private func index(_ i: Int) -> Int { (start + i) % revisions.count }

    /// Records one event of the resource at `now` (seconds on a monotonic clock).
    mutating func append(revision: UInt64, at now: TimeInterval, settings: WatchCacheSettings) {
        resize(now: now, settings: settings)
        if count == capacity {
            start = (start + 1) % capacity
            count -= 1
            removedSinceList = true
        }
        revisions[index(count)] = revision
        times[index(count)] = now
        count += 1
    }

    /// kube's `resizeCacheLocked`: double while the oldest event is fresh, halve once the
    /// newest quarter is stale.
    private mutating func resize(now: TimeInterval, settings: WatchCacheSettings) {
        guard count == capacity else { return }
        if now - times[index(0)] < settings.eventFreshDuration {
            let grown = min(capacity * 2, settings.upperBoundCapacity)
            if grown > capacity { reallocate(grown) }
            return
        }
        if now - times[index((count - capacity / 4) % capacity)] > settings.eventFreshDuration {
            let shrunk = max(capacity / 2, settings.lowerBoundCapacity)
            if shrunk < capacity { reallocate(shrunk) }
        }
    }

    /// Keeps the newest events that fit in `newCapacity`.
    private mutating func reallocate(_ newCapacity: Int) {
        let kept = min(count, newCapacity)
        if kept < count { removedSinceList = true }
        var newRevisions = Array(repeating: UInt64(0), count: newCapacity)
        var newTimes = Array(repeating: TimeInterval(0), count: newCapacity)
        for i in 0..<kept {
            newRevisions[i] = revisions[index(count - kept + i)]
            newTimes[i] = times[index(count - kept + i)]
        }
        revisions = newRevisions
        times = newTimes
        start = 0
        count = kept
    }

    /// The first resourceVersion whose event a watch can still be sent.
    var oldestDeliverable: UInt64 {
        if !removedSinceList || count == 0 { return listRevision + 1 }
        return revisions[index(0)]
    }

    /// Throws 410 Expired when a watch after `revision` would miss events that left the window.
    func check(after revision: UInt64) throws(APIError) {
        let oldest = oldestDeliverable
        if revision < oldest - 1 {
            throw APIError.expired("too old resource version: \(revision) (\(oldest - 1))")
        }
    }
}
