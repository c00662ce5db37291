import KubeClient

/// How an ``ObjectCache`` keeps its objects.
///
/// A parsed `JSONValue` tree costs about five times the object's JSON (a Deployment of
/// 1.5 KB as JSON is 7.2 KB as a tree: a dictionary per object level, an enum per value).
/// The operator caches every Deployment and Service of the cluster, so at 10,000 rollouts
/// the trees were most of its memory.
public enum CacheStorage: String, Sendable, Hashable, CustomStringConvertible {
    /// Parsed trees: reads copy a value out; the most memory.
    case decoded
    /// Compact JSON bytes, parsed again on every read (a few microseconds per KB): about a
    /// third of the memory. Writes serialize the object once.
    case compact

    public var description: String { rawValue }
}

/// One cached object as ``CacheStorage`` keeps it, with what the cache reads of it on every
/// event without parsing: its resourceVersion.
struct StoredObject: Sendable {
    private enum Form: Sendable {
        case tree(JSONValue)
        case bytes([UInt8])
    }

    private let form: Form
    let resourceVersion: String?

    init(_ object: JSONValue, storage: CacheStorage) {
        resourceVersion = ObjectCache.resourceVersion(object)
        switch storage {
        case .decoded: form = .tree(object)
        case .compact:
            // Copied into an array of exactly its size: the serializer's buffer grows by doubling.
            let written = object.serializedBytes()
            form = .bytes([UInt8](unsafeUninitializedCapacity: written.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: written)
            })
        }
    }

    /// The object. Bytes this cache serialized always parse; should they not, the object
    /// reads as null rather than taking the process down.
    var value: JSONValue {
        switch form {
        case .tree(let object): return object
        case .bytes(let bytes): return (try? JSONValue(parsing: bytes)) ?? .null
        }
    }
}

/// A listed object as the cache will store it, with its key: a long list is kept in this
/// form between its pages and the cache's replace, never as a list of parsed trees.
struct StagedObject: Sendable {
    let key: ObjectKey
    let stored: StoredObject
}

/// An informer event whose objects are parsed only when it is delivered, one at a time.
enum PendingEvent: Sendable {
    case added(StoredObject)
    case updated(old: StoredObject, new: StoredObject)
    case deleted(StoredObject, finalStateUnknown: Bool)

    var event: InformerEvent {
        switch self {
        case .added(let object): .added(object.value)
        case .updated(let old, let new): .updated(old: old.value, new: new.value)
        case .deleted(let object, let unknown): .deleted(object.value, finalStateUnknown: unknown)
        }
    }
}

/// Objects of an ``ObjectCache`` as it stored them, each parsed when read (see
/// ``ObjectCache/lazyObjects()``).
public struct CachedObjects: RandomAccessCollection, Sendable {
    let stored: [StoredObject]

    public var startIndex: Int { stored.startIndex }
    public var endIndex: Int { stored.endIndex }
    public subscript(position: Int) -> JSONValue { stored[position].value }
}
