import NIOConcurrencyHelpers

/// uid → key of the objects of one kind a controller owns, so a dependent's change (which
/// names its owner by uid) finds the owner to look at without a scan.
final class OwnerIndex: Sendable {
    private let keys = NIOLockedValueBox<[String: StoreKey]>([:])

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

    func key(of uid: String) -> StoreKey? { keys.withLockedValue { $0[uid] } }

    /// The owners among `uids` that this index knows.
    func owners(_ uids: [String]) -> [StoreKey] {
        keys.withLockedValue { k in uids.compactMap { k[$0] } }
    }
}

extension OwnerIndex {
    /// The feed of a controller for the owners this index holds, which also follows the
    /// kind they own: a change to an owner queues it, a change to an owned object queues its
    /// owners (as controller-runtime's `Owns` does).
    func route(_ type: WatchEventType, _ object: StoredObject, isOwner: Bool, into queue: SimWorkQueue<StoreKey>) {
        if isOwner {
            observe(type, object)
            if type != .deleted { queue.add(object.key) }
        } else {
            for owner in owners(object.ownerUIDs) { queue.add(owner) }
        }
    }

    /// A relist of the owners: the index starts over and every owner is queued.
    func relist(_ objects: [StoredObject], into queue: SimWorkQueue<StoreKey>) {
        reset(objects)
        for object in objects { queue.add(object.key) }
    }
}
