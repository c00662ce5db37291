import KubeClient
import NIOConcurrencyHelpers

/// The typed form of each object's latest version. An object is reconciled again for every
/// change to its children, and decoding the same version each time was the largest share of
/// a controller's CPU. An entry serves the exact resourceVersion it was decoded from; for a
/// later version with the same generation and metadata (only the status changed, as after
/// the controller's own status writes) it serves the object, and only the status is decoded
/// again. Bounded.
final class DecodedObjects<Object: Sendable, Status: ObjectStatus>: Sendable {
    private struct Entry {
        var version: String
        var generation: Int64?
        var metadata: JSONValue
        var object: Object
        var status: Status
    }

    enum Hit {
        case exact(Object, Status)
        /// Same spec and metadata, another status.
        case sameSpec(Object)
    }

    private let entries = NIOLockedValueBox<[ObjectKey: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// The metadata a typed object depends on: all but resourceVersion and managedFields.
    static func metadataIdentity(_ raw: JSONValue) -> JSONValue {
        var metadata = raw["metadata"]
        metadata.removeValue(forKey: "resourceVersion")
        metadata.removeValue(forKey: "managedFields")
        return metadata
    }

    func lookup(_ key: ObjectKey, raw: JSONValue) -> Hit? {
        guard let version = raw["metadata"]["resourceVersion"].stringValue,
              let entry = entries.withLockedValue({ $0[key] }) else { return nil }
        if entry.version == version { return .exact(entry.object, entry.status) }
        guard entry.generation == raw.generation, entry.metadata == Self.metadataIdentity(raw) else { return nil }
        return .sameSpec(entry.object)
    }

    /// Keeps the typed form of `raw` (an object without a resourceVersion is not kept).
    func store(_ key: ObjectKey, raw: JSONValue, object: Object, status: Status) {
        guard let version = raw["metadata"]["resourceVersion"].stringValue else { return }
        let entry = Entry(version: version, generation: raw.generation, metadata: Self.metadataIdentity(raw),
                          object: object, status: status)
        entries.withLockedValue { table in
            if table.count >= capacity, table[key] == nil {
                // Drop a quarter: the hot set is what is changing now.
                for stale in table.keys.prefix(capacity / 4) { table.removeValue(forKey: stale) }
            }
            table[key] = entry
        }
    }

    func forget(_ key: ObjectKey) {
        _ = entries.withLockedValue { $0.removeValue(forKey: key) }
    }
}
