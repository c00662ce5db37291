/// Items waiting for a ready time, earliest first (the delaying queue's min-heap).
///
/// An item appears at most once: scheduling it again keeps the earlier of the two times, as
/// client-go's delaying queue does.
struct DelayHeap<Item: Hashable> {
    fileprivate struct Entry {
        let readyAt: ClockInstant
        let sequence: UInt64
        let item: Item

        func isBefore(_ other: Entry) -> Bool {
            readyAt != other.readyAt ? readyAt < other.readyAt : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    /// The live ready time of each waiting item; heap entries that disagree are stale.
    private var readyTimes: [Item: ClockInstant] = [:]
    private var sequence: UInt64 = 0

    var count: Int { readyTimes.count }
    var isEmpty: Bool { readyTimes.isEmpty }

    /// The earliest ready time of any waiting item.
    mutating func earliest() -> ClockInstant? {
        dropStaleTop()
        return heap.first?.readyAt
    }

    /// Schedules `item` for `readyAt`; false when it already waits for an earlier or equal time.
    @discardableResult
    mutating func schedule(_ item: Item, at readyAt: ClockInstant) -> Bool {
        if let existing = readyTimes[item], existing <= readyAt { return false }
        readyTimes[item] = readyAt
        sequence += 1
        heap.append(Entry(readyAt: readyAt, sequence: sequence, item: item))
        siftUp(heap.count - 1)
        return true
    }

    /// Removes and returns every item ready at `now`, earliest first.
    mutating func popReady(now: ClockInstant) -> [Item] {
        var ready: [Item] = []
        while true {
            dropStaleTop()
            guard let top = heap.first, top.readyAt <= now else { return ready }
            removeTop()
            readyTimes[top.item] = nil
            ready.append(top.item)
        }
    }

    mutating func removeAll() {
        heap.removeAll()
        readyTimes.removeAll()
    }

    // MARK: heap plumbing

    private mutating func dropStaleTop() {
        while let top = heap.first, readyTimes[top.item] != top.readyAt { removeTop() }
    }

    private mutating func removeTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isBefore(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].isBefore(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].isBefore(heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
extension DelayHeap: Sendable where Item: Sendable {}
extension DelayHeap.Entry: Sendable where Item: Sendable {}
