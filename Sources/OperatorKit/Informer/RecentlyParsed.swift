import KubeClient
import NIOConcurrencyHelpers

/// The objects a compact ``ObjectCache`` parsed last for ``ObjectCache/get(_:)``, so that
/// reading the same object again at the same resourceVersion does not parse it again.
///
/// A reconcile reads its rollout and children several times (to plan, to compare, to
/// write status); with compact storage each read was a parse. The slots are few and
/// direct-mapped by key, so what they hold stays a few dozen trees whatever the cache's
/// size, and an object that changed (a new resourceVersion) is parsed afresh.
final class RecentlyParsed: Sendable {
    private struct Slot {
        let key: ObjectKey
        let version: String
        let object: JSONValue
    }

    private let slots: NIOLockedValueBox<[Slot?]>
    private let count: Int

    init(slots count: Int = 32) {
        self.count = max(1, count)
        slots = NIOLockedValueBox(Array(repeating: nil, count: self.count))
    }

    /// `stored`'s object, from a slot when it holds that key at that resourceVersion.
    func object(_ stored: StoredObject, at key: ObjectKey) -> JSONValue {
        guard let version = stored.resourceVersion else { return stored.value }
        let index = Int(UInt(bitPattern: key.hashValue) % UInt(count))
        if let hit = slots.withLockedValue({ $0[index] }), hit.key == key, hit.version == version { return hit.object }
        let object = stored.value
        slots.withLockedValue { $0[index] = Slot(key: key, version: version, object: object) }
        return object
    }
}
