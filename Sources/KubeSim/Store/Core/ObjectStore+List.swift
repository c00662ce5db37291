/// One page of a list, consistent at `revision`.
public struct ListPage: Sendable {
    public var items: [StoredObject]
    /// The resourceVersion the page reflects (the same for every page of one list).
    public var revision: UInt64
    /// Set when more items follow: the key to continue after.
    public var continueAfter: StoreKey?
    /// How many items follow, when the list is not filtered by a selector.
    public var remainingItemCount: Int?
}

extension ObjectStore {
    /// Lists objects in key order as they were at `revision` (nil: now), starting after
    /// `after`, at most `limit` of them.
    ///
    /// A past revision is rebuilt from the event history (each change since then undone),
    /// so every page of a paginated list shows one consistent state; a revision older than
    /// the history throws 410 Expired.
    public func list(_ resource: GroupResource, filter: ObjectFilter = .everything, at revision: UInt64? = nil,
                     after start: StoreKey? = nil, limit: Int? = nil) throws(APIError) -> ListPage {
        try locked { s throws(APIError) -> ListPage in
            let target = revision ?? s.revision
            if target > s.revision {
                throw APIError.tooLargeResourceVersion(requested: target, current: s.revision)
            }
            var overlay: [StoreKey: StoredObject?] = [:]
            if target < s.revision {
                guard s.history.covers(after: target) else {
                    throw APIError.expired("too old resource version: \(target) (\(s.history.compactedRevision + 1))")
                }
                for event in s.history.events(after: target) where event.resource == resource {
                    if let namespace = filter.namespace, event.object.key.namespace != namespace { continue }
                    if overlay[event.object.key] == nil {
                        overlay[event.object.key] = .some(event.previous)
                    }
                }
            }
            let limit = limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
            var page = ListPage(items: [], revision: target)
            var remaining = 0
            var full = false
            let consider: (StoredObject) -> Bool = { object in
                guard filter.matches(object) else { return true }
                if !full {
                    page.items.append(object)
                    if page.items.count == limit { full = true }
                    return true
                }
                // The page is full: note there is more, and count the rest only when
                // the count will be reported (an unfiltered list).
                page.continueAfter = page.items.last?.key
                remaining += 1
                return !filter.isSelective
            }
            if overlay.isEmpty {
                s.tables[resource]?.forEachSorted(namespace: filter.namespace, after: start, consider)
            } else {
                var objects: [StoreKey: StoredObject] = [:]
                for object in s.tables[resource]?.allObjects(namespace: filter.namespace) ?? [] {
                    objects[object.key] = object
                }
                for (key, past) in overlay { objects[key] = past }
                for key in objects.keys.sorted() {
                    if let start, key <= start { continue }
                    if !consider(objects[key]!) { break }
                }
            }
            if page.continueAfter != nil, !filter.isSelective { page.remainingItemCount = remaining }
            return page
        }
    }
}
