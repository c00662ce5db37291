import NIOCore

/// The kind of a change, spelled as watch events spell it.
public enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One committed change, as kept in the event history.
public struct StoreEvent: Sendable {
    public let type: WatchEventType
    public let resource: GroupResource
    /// The object after the change; for a deletion, its last state stamped with the
    /// deletion's resourceVersion.
    public let object: StoredObject
    /// The object before the change (nil for a creation).
    public let previous: StoredObject?

    public var resourceVersion: UInt64 { object.resourceVersion }
}

/// What a watcher receives, in resourceVersion order.
public enum WatchItem: Sendable {
    /// A change. `line` is the event already encoded as one line of a JSON watch stream,
    /// shared by every watcher that sees the same event unchanged (nil when this watcher's
    /// view differs, for example a selector turning a modification into a deletion).
    case change(WatchEventType, StoredObject, line: ByteBuffer?)
    /// A progress notification: every change up to `resourceVersion` has been delivered.
    case bookmark(resourceVersion: UInt64, initialEventsEnd: Bool)
    /// The watch cannot go on (for instance its resourceVersion was compacted); the stream ends after it.
    case failure(APIError)
}

enum WatchLine {
    /// `{"type":"ADDED","object":{…}}\n`, the wire form of one watch event.
    static func encode(type: WatchEventType, objectBytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: objectBytes.count + 32)
        buffer.writeStaticString("{\"type\":\"")
        buffer.writeString(type.rawValue)
        buffer.writeStaticString("\",\"object\":")
        buffer.writeBytes(objectBytes)
        buffer.writeStaticString("}\n")
        return buffer
    }
}
