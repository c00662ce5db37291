/// The most recent committed events, oldest first, in a fixed-size ring.
///
/// Watches resume from it; when a requested resourceVersion is older than everything it
/// still holds, the watch gets `410 Expired`, as after an etcd compaction.
struct EventHistory {
    private var ring: [StoreEvent?]
    private var start = 0
    private(set) var count = 0
    /// The newest resourceVersion no longer covered: a watch from a version below it
    /// would miss events.
    private(set) var compactedRevision: UInt64

    init(capacity: Int, compactedRevision: UInt64) {
        ring = Array(repeating: nil, count: max(capacity, 1))
        self.compactedRevision = compactedRevision
    }

    var capacity: Int { ring.count }

    mutating func append(_ event: StoreEvent) {
        if count == ring.count {
            if let evicted = ring[start] { compactedRevision = evicted.resourceVersion }
            ring[start] = event
            start = (start + 1) % ring.count
        } else {
            ring[(start + count) % ring.count] = event
            count += 1
        }
    }

    /// Forgets everything up to and including `revision`, like `etcdctl compact`.
    mutating func compact(through revision: UInt64) {
        while count > 0, let first = ring[start], first.resourceVersion <= revision {
            ring[start] = nil
            start = (start + 1) % ring.count
            count -= 1
        }
        compactedRevision = max(compactedRevision, revision)
    }

    /// Whether every event after `revision` is still held.
    func covers(after revision: UInt64) -> Bool { revision >= compactedRevision }

    /// Events with a resourceVersion greater than `revision`, oldest first.
    func events(after revision: UInt64) -> ArraySlice<StoreEvent> {
        // Binary search over the ring for the first event newer than `revision`.
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].resourceVersion <= revision { low = mid + 1 } else { high = mid }
        }
        var out: [StoreEvent] = []
        out.reserveCapacity(count - low)
        for i in low..<count { out.append(self[i]) }
        return out[...]
    }

    private subscript(i: Int) -> StoreEvent { ring[(start + i) % ring.count]! }
}
