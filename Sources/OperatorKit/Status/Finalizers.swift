import KubeClient

/// Runs cleanup before an object goes away, with a finalizer (kube-rs's `finalizer` helper):
///
/// 1. an object without the finalizer gets it first — nothing else happens in that pass;
/// 2. an object with it is reconciled normally;
/// 3. once the object is being deleted, `cleanup` runs, and only when it succeeds is the
///    finalizer removed, letting the API server delete the object.
///
/// Finalizer edits are merge patches carrying the resourceVersion read, so a concurrent
/// change makes them fail with 409 instead of dropping another controller's finalizer; they
/// are retried on a fresh read.
public struct Finalizers: Sendable {
    public let api: any KubernetesAPI
    public let resource: GroupVersionResource
    public let finalizer: String

    public init(api: any KubernetesAPI, resource: GroupVersionResource, finalizer: String) {
        self.api = api
        self.resource = resource
        self.finalizer = finalizer
    }

    /// What ``reconcile(_:cleanup:)`` did.
    public enum Step: Sendable {
        /// The finalizer was just added; the object as written. The patch wakes the
        /// controller again, so the reconcile can end here.
        case added(JSONValue)
        /// The object has its finalizer and is not being deleted: reconcile it.
        case proceed(JSONValue)
        /// The object is being deleted and its cleanup is done (the finalizer is gone).
        case finalized
    }

    public func reconcile(_ object: JSONValue, cleanup: @Sendable (JSONValue) async throws -> Void) async throws -> Step {
        var object = object
        for attempt in 1...5 {
            let finalizers = object["metadata"]["finalizers"].arrayValue?.compactMap(\.stringValue) ?? []
            let deleting = !object["metadata"]["deletionTimestamp"].isNull
            do {
                switch (deleting, finalizers.contains(finalizer)) {
                case (false, true):
                    return .proceed(object)
                case (true, false):
                    return .finalized
                case (false, false):
                    return .added(try await write(finalizers + [finalizer], on: object))
                case (true, true):
                    try await cleanup(object)
                    _ = try await write(finalizers.filter { $0 != finalizer }, on: object)
                    return .finalized
                }
            } catch let error as KubeError where error.isConflict && attempt < 5 {
                guard let key = ObjectKey(of: object) else { throw error }
                object = try await api.get(resource, name: key.name, namespace: key.namespace)
            } catch let error as KubeError where error.isNotFound && deleting {
                return .finalized
            }
        }
        preconditionFailure("unreachable: the last attempt returns or throws")
    }

    private func write(_ finalizers: [String], on object: JSONValue) async throws -> JSONValue {
        guard let key = ObjectKey(of: object) else {
            throw KubeError.decoding("the object has no metadata.name, so its finalizers cannot be changed")
        }
        let patch: JSONValue = [
            "metadata": [
                "finalizers": finalizers.isEmpty ? .null : .array(finalizers.map(JSONValue.string)),
                "resourceVersion": object["metadata"]["resourceVersion"],
            ]
        ]
        return try await api.patch(resource, name: key.name, namespace: key.namespace, type: .merge, body: patch)
    }
}
