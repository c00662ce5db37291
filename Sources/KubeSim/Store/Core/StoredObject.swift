import KubeClient

/// One stored version of an object: its JSON exactly as served, plus the few fields the
/// store indexes so that selectors, garbage collection and watches never re-parse it.
///
/// Immutable and shared: the same instance sits in the table, in the event history and in
/// every watcher's queue, so an event costs one allocation however many clients watch.
public final class StoredObject: Sendable {
    public let key: ObjectKey
    public let uid: String
    public let resourceVersion: UInt64
    /// Compact JSON as served to clients, `metadata.resourceVersion` included.
    public let bytes: [UInt8]
    public let labels: [String: String]
    /// Values of the selectable fields beyond `metadata.name` and `metadata.namespace`
    /// (such as `spec.nodeName` for pods), keyed by their dotted path.
    public let fields: [String: String]
    /// The `uid`s in `metadata.ownerReferences`, for the garbage collector's index.
    public let ownerUIDs: [String]
    /// Whether `metadata.deletionTimestamp` is set.
    public let isTerminating: Bool

    init(key: ObjectKey, uid: String, resourceVersion: UInt64, bytes: [UInt8], labels: [String: String],
         fields: [String: String], ownerUIDs: [String], isTerminating: Bool) {
        self.key = key
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.bytes = bytes
        self.labels = labels
        self.fields = fields
        self.ownerUIDs = ownerUIDs
        self.isTerminating = isTerminating
    }

    /// Builds the stored form of `object`, stamping `resourceVersion` into its metadata.
    convenience init(object: JSONValue, key: ObjectKey, resourceVersion: UInt64, indexing: ObjectIndexing) {
        var object = object
        object[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let metadata = object["metadata"]
        var labels: [String: String] = [:]
        if case .object(let raw) = metadata["labels"] {
            labels.reserveCapacity(raw.count)
            for (k, v) in raw { if let s = v.stringValue { labels[k] = s } }
        }
        var fields: [String: String] = [:]
        for path in indexing.selectableFields {
            fields[path.joined(separator: ".")] = ObjectIndexing.fieldText(object[path: path])
        }
        let owners = (metadata["ownerReferences"].arrayValue ?? []).compactMap { $0["uid"].stringValue }
        self.init(key: key,
                  uid: metadata["uid"].stringValue ?? "",
                  resourceVersion: resourceVersion,
                  bytes: object.serializedBytes(),
                  labels: labels,
                  fields: fields,
                  ownerUIDs: owners,
                  isTerminating: !metadata["deletionTimestamp"].isNull)
    }

    /// The object as a JSON tree. Parses the stored bytes, which this store wrote itself.
    public var object: JSONValue {
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            // The bytes were produced by JSONValue's own serializer when the object was stored.
            preconditionFailure("stored object \(key) holds unparsable JSON: \(error)")
        }
    }
}

/// What the store extracts from an object of one resource type when storing it.
public struct ObjectIndexing: Sendable {
    /// Dotted paths (split) of the selectable fields besides name and namespace.
    public var selectableFields: [[String]]

    public init(selectableFields: [[String]] = []) {
        self.selectableFields = selectableFields
    }

    public static let plain = ObjectIndexing()

    /// A field's value as a field selector compares it: strings as they are, other scalars
    /// in their JSON spelling, absent values as the empty string.
    static func fieldText(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        default: return value.serialized()
        }
    }
}
