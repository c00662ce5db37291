import KubeClient
import NIOConcurrencyHelpers
import Synchronization

/// One stored version of an object: its JSON exactly as served, plus the few fields the
/// store indexes so that selectors, garbage collection and watches never re-parse it.
///
/// Immutable and shared: the same instance sits in the table, in the event history and in
/// every watcher's queue, so an event costs one allocation however many clients watch.
public final class StoredObject: Sendable {
    public let key: StoreKey
    public let uid: String
    public let resourceVersion: UInt64
    /// Compact JSON as served to clients, `metadata.resourceVersion` included.
    public let bytes: [UInt8]
    public let labels: [String: String]
    /// Values of the selectable fields beyond `metadata.name` and `metadata.namespace`
    /// (such as `spec.nodeName` for pods), keyed by their dotted path.
    public let fields: [String: String]
    /// `metadata.ownerReferences`, for the garbage collector and its index.
    public let ownerReferences: [StoredOwnerReference]
    /// `metadata.finalizers`.
    public let finalizers: [String]
    /// Whether `metadata.deletionTimestamp` is set.
    public let isTerminating: Bool
    /// The parsed tree while this object is among the most recently written or read ones
    /// (see ``RecentTrees``): controllers read what was just written, and re-parsing it
    /// every time was a large share of the simulator's work.
    private let tree = Mutex<JSONValue?>(nil)

    /// The `uid`s in `metadata.ownerReferences`.
    public var ownerUIDs: [String] { ownerReferences.map(\.uid) }

    init(key: StoreKey, uid: String, resourceVersion: UInt64, bytes: [UInt8], labels: [String: String],
         fields: [String: String], ownerReferences: [StoredOwnerReference], finalizers: [String], isTerminating: Bool) {
        self.key = key
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.bytes = bytes
        self.labels = labels
        self.fields = fields
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.isTerminating = isTerminating
    }

    /// The same object restamped with another resourceVersion (as a watch's synthetic DELETED carries it).
    func restamped(_ resourceVersion: UInt64) -> StoredObject {
        var value = object
        value[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        return StoredObject(key: key, uid: uid, resourceVersion: resourceVersion, bytes: value.serializedBytes(),
                            labels: labels, fields: fields, ownerReferences: ownerReferences, finalizers: finalizers,
                            isTerminating: isTerminating)
    }

    /// Builds the stored form of `object`, stamping `resourceVersion` into its metadata.
    /// A resourceVersion of 0 stamps none (a dry-run create answers without one, as nothing was stored).
    convenience init(object: JSONValue, key: StoreKey, resourceVersion: UInt64, indexing: ObjectIndexing) {
        var object = object
        object[path: ["metadata", "resourceVersion"]] = resourceVersion == 0 ? .null : .string(String(resourceVersion))
        let metadata = object["metadata"]
        var labels: [String: String] = [:]
        if case .object(let raw) = metadata["labels"] {
            labels.reserveCapacity(raw.count)
            for (k, v) in raw { if let s = v.stringValue { labels[k] = s } }
        }
        var fields: [String: String] = [:]
        for field in indexing.fields { fields[field.name] = field.text(in: object) }
        let owners = (metadata["ownerReferences"].arrayValue ?? []).compactMap(StoredOwnerReference.init)
        let finalizers = (metadata["finalizers"].arrayValue ?? []).compactMap(\.stringValue)
        self.init(key: key,
                  uid: metadata["uid"].stringValue ?? "",
                  resourceVersion: resourceVersion,
                  bytes: object.serializedBytes(),
                  labels: labels,
                  fields: fields,
                  ownerReferences: owners,
                  finalizers: finalizers,
                  isTerminating: !metadata["deletionTimestamp"].isNull)
        remember(object)
    }

    /// The object as a JSON tree: the cached tree, or the stored bytes parsed.
    public var object: JSONValue {
        if let cached = tree.withLock({ $0 }) { return cached }
        let parsed: JSONValue
        do {
            parsed = try JSONValue(parsing: bytes)
        } catch {
            // The bytes were produced by JSONValue's own serializer when the object was stored.
            preconditionFailure("stored object \(key) holds unparsable JSON: \(error)")
        }
        remember(parsed)
        return parsed
    }

    /// Keeps `value` (this object's tree) until enough other objects are remembered after it.
    func remember(_ value: JSONValue) {
        tree.withLock { $0 = value }
        RecentTrees.shared.note(self)
    }

    fileprivate func forget() { tree.withLock { $0 = nil } }
}

/// A bounded FIFO of stored objects whose parsed trees are kept: memory for trees stays at
/// about `capacity` objects however many are stored.
final class RecentTrees: Sendable {
    static let shared = RecentTrees(capacity: 1024)

    private struct Ring {
        var slots: [StoredObject?]
        var next = 0
    }
    private let ring: NIOLockedValueBox<Ring>

    init(capacity: Int) {
        ring = NIOLockedValueBox(Ring(slots: Array(repeating: nil, count: max(1, capacity))))
    }

    func note(_ object: StoredObject) {
        let evicted: StoredObject? = ring.withLockedValue { r in
            let old = r.slots[r.next]
            r.slots[r.next] = object
            r.next = (r.next + 1) % r.slots.count
            return old
        }
        if let evicted, evicted !== object { evicted.forget() }
    }
}

/// One entry of `metadata.ownerReferences`, as the garbage collector reads it.
public struct StoredOwnerReference: Sendable, Hashable {
    public let apiVersion: String
    public let kind: String
    public let name: String
    public let uid: String
    public let blockOwnerDeletion: Bool

    init?(_ value: JSONValue) {
        guard let uid = value["uid"].stringValue else { return nil }
        self.uid = uid
        self.apiVersion = value["apiVersion"].stringValue ?? ""
        self.kind = value["kind"].stringValue ?? ""
        self.name = value["name"].stringValue ?? ""
        self.blockOwnerDeletion = value["blockOwnerDeletion"].boolValue == true
    }
}

/// What the store extracts from an object of one resource type when storing it.
public struct ObjectIndexing: Sendable {
    /// One selectable field: its name in field selectors and the paths its value is read
    /// from, the first non-empty one winning (a core Event's `source` is `source.component`,
    /// else `reportingComponent`, as kube-apiserver's `ToSelectableFields` sets it).
    public struct Field: Sendable {
        public var name: String
        public var paths: [[String]]

        public init(name: String, paths: [[String]]) {
            self.name = name
            self.paths = paths
        }

        func text(in object: JSONValue) -> String {
            for path in paths {
                let text = ObjectIndexing.fieldText(object[path: path])
                if !text.isEmpty { return text }
            }
            return ""
        }
    }

    /// The selectable fields besides name and namespace.
    public var fields: [Field]

    /// Fields read at their own dotted paths (split).
    public init(selectableFields: [[String]] = []) {
        self.fields = selectableFields.map { Field(name: $0.joined(separator: "."), paths: [$0]) }
    }

    public init(fields: [Field]) {
        self.fields = fields
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
