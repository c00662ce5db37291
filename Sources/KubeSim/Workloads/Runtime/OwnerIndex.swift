import NIOConcurrencyHelpers

/// uid → key of the objects of one kind a controller owns, so a dependent's change (which
/// names its owner by uid) finds the owner to look at without a scan.
final class OwnerIndex: Sendable {
    private let keys = NIOLockedValueBox<[String: ObjectKey]>([:])

    func observe(_ type: WatchEventType, _ object: StoredObject) {
        keys.withLockedValue { k in
            if type == .deleted { k.removeValue(forKey: object.uid) } else { k[object.uid] = object.key }
        }
    }

    func reset(_ objects: [StoredObject]) {
        keys.withLockedValue { k in
            k.removeAll(keepingCapacity: true)
            for object in objects { k[object.uid] = object.key }
        }
    }

    func key(of uid: String) -> ObjectKey? { keys.withLockedValue { $0[uid] } }

    /// The owners among `uids` that this index knows.
    func owners(_ uids: [String]) -> [ObjectKey] {
        keys.withLockedValue { k in uids.compactMap { k[$0] } }
    }
}
