import KubeClient

/// Writes `.status` through the status subresource, only when it changed, retrying
/// `409 Conflict` by reading the object again and re-applying the change
/// (client-go's `RetryOnConflict` around a status update).
///
/// The change is a function of the current status, so it is re-applied to the fresh object
/// after a conflict instead of overwriting someone else's write.
public struct StatusWriter: Sendable {
    public let api: any KubernetesAPI
    public let resource: GroupVersionResource
    /// How many conflicts in a row are retried before giving up.
    public var maximumAttempts: Int

    public init(api: any KubernetesAPI, resource: GroupVersionResource, maximumAttempts: Int = 5) {
        self.api = api
        self.resource = resource
        self.maximumAttempts = maximumAttempts
    }

    /// Applies `change` to the status of the object at `key` and writes it if it differs.
    ///
    /// - Parameters:
    ///   - current: the object as last read (from a cache, say); read from the server when nil.
    ///   - change: mutates the status (an empty object when there is none yet); it also sees
    ///     the whole object, for `metadata.generation` and the spec.
    /// - Returns: whether a write happened, and the object as the server now has it.
    @discardableResult
    public func updateStatus(
        of key: ObjectKey, current: JSONValue? = nil,
        _ change: @Sendable (_ status: inout JSONValue, _ object: JSONValue) throws -> Void
    ) async throws -> StatusWriteOutcome {
        var object: JSONValue
        if let current {
            object = current
        } else {
            object = try await api.get(resource, name: key.name, namespace: key.namespace)
        }
        var attempt = 1
        while true {
            let before = object["status"].isNull ? JSONValue.emptyObject : object["status"]
            var after = before
            try change(&after, object)
            if after == before { return .unchanged(object) }
            var updated = object
            updated["status"] = after
            do {
                let written = try await api.update(
                    resource, updated, namespace: key.namespace, subresource: "status", options: WriteOptions())
                return .written(written)
            } catch let error as KubeError where error.isConflict && attempt < maximumAttempts {
                attempt += 1
                object = try await api.get(resource, name: key.name, namespace: key.namespace)
            } catch let error as KubeError where error.isConflict {
                throw StatusWriteError.conflictsExhausted(key: key, resource: resource, attempts: attempt, underlying: error)
            }
        }
    }

    /// Decodes the status as `Status`, applies `change`, and writes only the members that
    /// changed (fields this program does not know are kept).
    @discardableResult
    public func updateStatus<Status: Codable & Sendable>(
        of key: ObjectKey, as type: Status.Type, current: JSONValue? = nil,
        _ change: @Sendable @escaping (_ status: inout Status, _ object: JSONValue) throws -> Void
    ) async throws -> StatusWriteOutcome {
        try await updateStatus(of: key, current: current) { status, object in
            var typed = try status.decode(Status.self)
            let old = try JSONValue(encoding: typed)
            try change(&typed, object)
            let new = try JSONValue(encoding: typed)
            status = status.merging(JSONValue.mergePatch(from: old, to: new))
        }
    }
}

/// What ``StatusWriter`` did.
public enum StatusWriteOutcome: Sendable {
    /// The status already was as wanted: nothing was sent.
    case unchanged(JSONValue)
    /// The status was written; the object as the server returned it.
    case written(JSONValue)

    public var object: JSONValue {
        switch self {
        case .unchanged(let object), .written(let object): return object
        }
    }

    public var didWrite: Bool { if case .written = self { return true } else { return false } }
}

/// A status write that could not be completed.
public enum StatusWriteError: Error, CustomStringConvertible {
    case conflictsExhausted(key: ObjectKey, resource: GroupVersionResource, attempts: Int, underlying: KubeError)

    public var description: String {
        switch self {
        case .conflictsExhausted(let key, let resource, let attempts, _):
            return "the status of \(resource.groupResource) \(key) changed under every one of \(attempts) write attempts; "
                + "another writer is updating it continuously — the reconcile will be retried with backoff"
        }
    }
}
