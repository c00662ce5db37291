/// Options of a list request.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size; the server returns a `continue` token when more remain.
    public var limit: Int?
    public var continueToken: String?
    /// Unset = most recent; "0" = any cached state; "N" = not older than N.
    public var resourceVersion: String?
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?
    /// Client side only: the items are read without `metadata.managedFields` (see ``JSONParseOptions``).
    public var omitManagedFields: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
                continueToken: String? = nil, resourceVersion: String? = nil,
                resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil, omitManagedFields: Bool = false) {
        self.omitManagedFields = omitManagedFields
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let limit { q.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { q.append(("continue", continueToken)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

/// Options of a watch request.
public struct WatchOptions: Sendable, Hashable {
    public var resourceVersion: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Asks the server to close the stream after this long (client-go uses 5–10 minutes).
    public var timeoutSeconds: Int?
    public var allowBookmarks: Bool
    /// Streams the current state as ADDED events, then a bookmark marking the end of them.
    public var sendInitialEvents: Bool
    /// Client side only: the events' objects are read without `metadata.managedFields` (see ``JSONParseOptions``).
    public var omitManagedFields: Bool

    public init(resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                timeoutSeconds: Int? = nil, allowBookmarks: Bool = true, sendInitialEvents: Bool = false,
                omitManagedFields: Bool = false) {
        self.omitManagedFields = omitManagedFields
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.timeoutSeconds = timeoutSeconds
        self.allowBookmarks = allowBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    var query: [(String, String)] {
        var q: [(String, String)] = [("watch", "true")]
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        if allowBookmarks { q.append(("allowWatchBookmarks", "true")) }
        if sendInitialEvents {
            q.append(("sendInitialEvents", "true"))
            q.append(("resourceVersionMatch", "NotOlderThan"))
        }
        return q
    }
}

/// How a patch body is interpreted.
public enum PatchType: Sendable, Hashable {
    /// RFC 7386: null deletes, lists replaced.
    case merge
    /// RFC 6902 operations.
    case json
    /// Kubernetes strategic merge (built-in kinds only).
    case strategic
    /// Server-side apply: the body is the full intent of `fieldManager`.
    case apply(force: Bool)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategic: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}

/// What happens to dependents when their owner is deleted.
public enum PropagationPolicy: String, Sendable, Hashable {
    case background = "Background"
    case foreground = "Foreground"
    case orphan = "Orphan"
}

/// Options of a delete request.
public struct DeleteOptions: Sendable, Hashable {
    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this uid.
    public var preconditionUID: String?
    /// Delete only if the object is still at this resourceVersion.
    public var preconditionResourceVersion: String?
    public var gracePeriodSeconds: Int?
    public var dryRun: Bool

    public init(propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, gracePeriodSeconds: Int? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun
    }

    var body: JSONValue {
        var b: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { b["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { b["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var p: JSONValue = .emptyObject
            if let preconditionUID { p["uid"] = .string(preconditionUID) }
            if let preconditionResourceVersion { p["resourceVersion"] = .string(preconditionResourceVersion) }
            b["preconditions"] = p
        }
        if dryRun { b["dryRun"] = ["All"] }
        return b
    }
}

/// Options of a write (create, update, patch).
public struct WriteOptions: Sendable, Hashable {
    public var fieldManager: String?
    /// `Strict` rejects unknown fields, `Warn` reports them, `Ignore` drops them.
    public var fieldValidation: String?
    public var dryRun: Bool

    public init(fieldManager: String? = nil, fieldValidation: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.dryRun = dryRun
    }

    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let fieldManager { q.append(("fieldManager", fieldManager)) }
        if let fieldValidation { q.append(("fieldValidation", fieldValidation)) }
        if dryRun { q.append(("dryRun", "All")) }
        return q
    }
}

/// Options of a pod log request.
public struct LogOptions: Sendable, Hashable {
    public var container: String?
    public var tailLines: Int?
    public var sinceSeconds: Int?
    public var previous: Bool
    public var timestamps: Bool
    public var limitBytes: Int?

    public init(container: String? = nil, tailLines: Int? = nil, sinceSeconds: Int? = nil,
                previous: Bool = false, timestamps: Bool = false, limitBytes: Int? = nil) {
        self.container = container
        self.tailLines = tailLines
        self.sinceSeconds = sinceSeconds
        self.previous = previous
        self.timestamps = timestamps
        self.limitBytes = limitBytes
    }

    func query(follow: Bool) -> [(String, String)] {
        var q: [(String, String)] = []
        if let container { q.append(("container", container)) }
        if let tailLines { q.append(("tailLines", String(tailLines))) }
        if let sinceSeconds { q.append(("sinceSeconds", String(sinceSeconds))) }
        if previous { q.append(("previous", "true")) }
        if timestamps { q.append(("timestamps", "true")) }
        if let limitBytes { q.append(("limitBytes", String(limitBytes))) }
        if follow { q.append(("follow", "true")) }
        return q
    }
}

/// A page of a list.
public struct ObjectList: Sendable, Equatable {
    public var items: [JSONValue]
    public var resourceVersion: String
    /// Non-empty when more items remain; pass it back as `ListOptions.continueToken`.
    public var continueToken: String?
    public var remainingItemCount: Int?

    public init(items: [JSONValue], resourceVersion: String, continueToken: String? = nil, remainingItemCount: Int? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// The outcome of a delete.
public enum DeleteResult: Sendable, Equatable {
    /// The object is gone.
    case deleted(Status)
    /// The object still exists, marked for deletion (finalizers or foreground propagation pending).
    case pending(JSONValue)
}

enum URLQuery {
    /// Percent-encodes a query component: everything but unreserved characters.
    static func encode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }

    static func string(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
