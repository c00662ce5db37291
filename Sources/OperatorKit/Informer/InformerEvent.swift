import KubeClient

/// A change an informer saw, delivered to its handlers after the cache was updated.
public enum InformerEvent: Sendable {
    /// A new object (also sent for every cached object to a handler added late, and for objects
    /// a relist found).
    case added(JSONValue)
    /// A changed object; `old == new` for a periodic resync.
    case updated(old: JSONValue, new: JSONValue)
    /// A deleted object, in its last known state. `finalStateUnknown` is true when the delete
    /// was inferred by a relist after a watch gap (the object may have changed before it went).
    case deleted(JSONValue, finalStateUnknown: Bool)

    /// The object the event is about (the new state for an update).
    public var object: JSONValue {
        switch self {
        case .added(let object), .updated(_, let object), .deleted(let object, _): return object
        }
    }

    /// The key of the object the event is about.
    public var key: ObjectKey? { ObjectKey(of: object) }
}

/// Receives an informer's events. Handlers run on the informer's delivery path, one event at a
/// time and in order: they must return quickly (enqueue a key, never await I/O).
public typealias InformerEventHandler = @Sendable (InformerEvent) -> Void
