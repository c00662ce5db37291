/// Query parameters of a list or watch (`metav1.ListOptions`).
public struct StoreListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var resourceVersion: String?
    public var resourceVersionMatch: String?
    public var limit: Int?
    public var continueToken: String?
    public var allowWatchBookmarks = false
    public var timeoutSeconds: Int?
    public var sendInitialEvents: Bool?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                resourceVersionMatch: String? = nil, limit: Int? = nil, continueToken: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.limit = limit
        self.continueToken = continueToken
    }
}

/// How strictly unknown or duplicate fields are treated (`fieldValidation`).
public enum FieldValidation: String, Sendable {
    case strict = "Strict"
    case warn = "Warn"
    case ignore = "Ignore"
}

/// Options of create, update and patch.
public struct WriteOptions: Sendable {
    public var dryRun = false
    public var fieldManager: String?
    /// The field manager was named after the client's User-Agent, not given as `fieldManager`
    /// (enough for updates, not for an apply patch).
    public var fieldManagerFromUserAgent = false
    public var fieldValidation: FieldValidation = .warn
    /// Keys the request body repeated within one object, by path (the last value was kept);
    /// reported like unknown fields, as `fieldValidation` asks.
    public var duplicateFields: [String] = []
    /// Server-side apply only: take ownership of conflicting fields.
    public var force = false
    /// Set when the write already updated `metadata.managedFields` (server-side apply).
    var managedFieldsRecorded = false
    /// The API the client wrote through when it is not the stored type's own
    /// (`events.k8s.io/v1` for an Event stored as a core Event); nil: the stored type's.
    public var requestAPIVersion: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: FieldValidation = .warn,
                force: Bool = false) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.force = force
    }
}

/// How dependents are treated when their owner is deleted.
public enum PropagationPolicy: String, Sendable {
    case orphan = "Orphan"
    case background = "Background"
    case foreground = "Foreground"
}

/// `metav1.DeleteOptions`.
public struct StoreDeleteOptions: Sendable {
    public var propagationPolicy: PropagationPolicy?
    public var orphanDependents: Bool?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var gracePeriodSeconds: Int?
    public var dryRun = false

    public init(propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}

/// The result of a write: the object as stored, and warnings for the client.
public struct WriteResult: Sendable {
    public var object: StoredObject
    /// True when the write created the object (PUT or apply of a missing one).
    public var created: Bool
    public var warnings: [String]
}

/// The result of a delete.
public enum DeleteResult: Sendable {
    /// Removed; the value is its last state.
    case deleted(StoredObject)
    /// Still present, waiting for finalizers (deletionTimestamp set).
    case pending(StoredObject)

    public var object: StoredObject {
        switch self { case .deleted(let o), .pending(let o): return o }
    }
}
