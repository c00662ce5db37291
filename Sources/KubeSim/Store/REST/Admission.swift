import KubeClient

/// What a write is doing, as admission sees it.
public enum AdmissionOperation: String, Sendable {
    case create = "CREATE"
    case update = "UPDATE"
    case delete = "DELETE"
}

/// One write as admission sees it.
public struct AdmissionRequest: Sendable {
    public var type: ResourceType
    public var operation: AdmissionOperation
    /// `status`, `scale` or nil for the main resource.
    public var subresource: String?
    public var namespace: String
    public var name: String
    public var oldObject: JSONValue?
    public var options: WriteOptions
    /// The old object was written after its CRD last changed, so it is already pruned and
    /// defaulted by today's schema.
    public var oldObjectFollowsSchema = false
}

/// A step every write passes through before it is stored, in order: defaulting,
/// validation, policy. It may change the object, add warnings or reject the write.
///
/// Runs outside the store's lock; it may read the registry but must not write through it.
public protocol AdmissionPlugin: Sendable {
    func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError)
}

/// Reacts to committed writes synchronously, before the request that made them returns
/// (the CRD controller registers new types this way so a CR can follow its CRD at once).
public protocol CommitHook: Sendable {
    func committed(_ outcome: MutationOutcome, type: ResourceType, registry: Registry)
}
