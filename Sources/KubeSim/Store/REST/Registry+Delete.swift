import Foundation
import KubeClient

extension Registry {
    static let foregroundFinalizer = "foregroundDeletion"
    static let orphanFinalizer = "orphan"

    /// Deletes an object. With finalizers (or a Foreground/Orphan policy, which adds one)
    /// the object only gets `deletionTimestamp` and stays until they are removed.
    public func delete(_ type: ResourceType, namespace: String, name: String,
                       options: StoreDeleteOptions = .init()) throws(APIError) -> DeleteResult {
        if let storage = storageType(of: type) { return try delete(storage, namespace: namespace, name: name, options: options) }
        let key = key(type, namespace: namespace, name: name)
        for _ in 0..<16 {
            guard let current = store.get(type.groupResource, key) else {
                throw APIError.notFound(type.groupResource, name: name)
            }
            if let uid = options.preconditionUID, uid != current.uid {
                throw APIError.conflict(type.groupResource, name: name,
                                        "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            if let rv = options.preconditionResourceVersion, rv != String(current.resourceVersion) {
                throw APIError.conflict(type.groupResource, name: name,
                                        "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)")
            }
            var object = current.object
            var finalizers = ObjectMetadata.finalizers(object)
            let policy = options.propagationPolicy
                ?? options.orphanDependents.map { $0 ? PropagationPolicy.orphan : .background }
            switch policy {
            case .foreground?:
                finalizers.removeAll { $0 == Self.orphanFinalizer }
                if !finalizers.contains(Self.foregroundFinalizer) { finalizers.append(Self.foregroundFinalizer) }
            case .orphan?:
                finalizers.removeAll { $0 == Self.foregroundFinalizer }
                if !finalizers.contains(Self.orphanFinalizer) { finalizers.append(Self.orphanFinalizer) }
            case .background?:
                finalizers.removeAll { $0 == Self.orphanFinalizer || $0 == Self.foregroundFinalizer }
            case nil:
                break
            }
            var namespaceFinalizing = false
            if type.groupResource == Self.namespaces {
                namespaceFinalizing = !(object["spec"]["finalizers"].arrayValue ?? []).isEmpty
            }
            let immediate = finalizers.isEmpty && !namespaceFinalizing
            let decision: StoreMutation
            let grace = type.groupResource == Self.pods
                ? Self.podGracePeriod(current, requested: options.gracePeriodSeconds) : .none
            if case .pending = grace { return .pending(current) }
            if case .wait(let period, let deadline) = grace {
                // Graceful deletion: the pod stays, Terminating, until its kubelet has stopped
                // its containers and deletes it with a grace period of 0.
                ObjectMetadata.setFinalizers(finalizers, on: &object)
                object[path: ["metadata", "deletionTimestamp"]] = ObjectMetadata.timestamp(deadline)
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(Int64(period))
                if !current.isTerminating, let generation = object["metadata"]["generation"].intValue {
                    object[path: ["metadata", "generation"]] = .int(Int64(generation + 1))
                }
                decision = .put(object)
            } else if immediate {
                ObjectMetadata.setFinalizers([], on: &object)
                decision = .delete(object)
            } else {
                let alreadyDeleting = current.isTerminating
                ObjectMetadata.setFinalizers(finalizers, on: &object)
                if !alreadyDeleting {
                    object[path: ["metadata", "deletionTimestamp"]] = ObjectMetadata.timestamp()
                    object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
                    if let generation = object["metadata"]["generation"].intValue {
                        object[path: ["metadata", "generation"]] = .int(Int64(generation + 1))
                    }
                    if type.groupResource == Self.namespaces {
                        object[path: ["status", "phase"]] = "Terminating"
                    }
                }
                if alreadyDeleting && ObjectMetadata.finalizers(current.object) == finalizers {
                    return .pending(current)
                }
                decision = .put(object)
            }
            if options.dryRun {
                let preview = StoredObject(object: object, key: key, resourceVersion: current.resourceVersion,
                                           indexing: type.indexing)
                if case .delete = decision { return .deleted(preview) }
                return .pending(preview)
            }
            do {
                let outcome = try store.mutate(type.groupResource, key, indexing: type.indexing) { latest in
                    guard let latest, latest.resourceVersion == current.resourceVersion else { throw RetryUpdate() }
                    return decision
                }
                notify(outcome, type: type)
                switch outcome {
                case .deleted(let final, _): return .deleted(final)
                case .updated(let object, _), .created(let object): return .pending(object)
                case .unchanged(let object): return .pending(object ?? current)
                }
            } catch is RetryUpdate {
                if options.preconditionResourceVersion != nil {
                    throw APIError.staleResourceVersion(type.groupResource, name: name)
                }
                continue
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError.internalError("\(error)")
            }
        }
        throw APIError.conflict(type.groupResource, name: name, "too many concurrent updates, please retry")
    }

    static let pods = GroupResource(group: "", resource: "pods")

    enum GracefulDeletion {
        /// Not graceful, or its grace is over: delete now (or wait for finalizers).
        case none
        /// Set deletionTimestamp to `deadline` and deletionGracePeriodSeconds to `period`.
        case wait(period: Int, deadline: Date)
        /// Already deleting with a grace period no longer than the one asked for: change nothing.
        case pending
    }

    /// kube-apiserver's `rest.BeforeDelete` with the pod strategy's `CheckGracefulDelete`:
    /// the grace period asked for, else the pod's terminationGracePeriodSeconds; 0 for a pod
    /// never scheduled or already finished; a negative one counts as 1. A pod already being
    /// deleted may only have its grace period shortened.
    static func podGracePeriod(_ current: StoredObject, requested: Int?) -> GracefulDeletion {
        let pod = current.object
        let requested = requested.map { $0 < 0 ? 1 : $0 }
        if current.isTerminating {
            guard let existing = pod["metadata"]["deletionGracePeriodSeconds"].intValue, existing > 0 else { return .none }
            guard let requested, requested < existing else { return .pending }
            if requested == 0 { return .none }
            let timestamp = pod["metadata"]["deletionTimestamp"].stringValue.flatMap(KubeTimestamp.parse) ?? Date()
            return .wait(period: requested,
                         deadline: timestamp.addingTimeInterval(TimeInterval(requested - existing)))
        }
        var period = requested ?? pod["spec"]["terminationGracePeriodSeconds"].intValue ?? 0
        if (pod["spec"]["nodeName"].stringValue ?? "").isEmpty { period = 0 }
        if let phase = pod["status"]["phase"].stringValue, phase == "Succeeded" || phase == "Failed" { period = 0 }
        if period < 0 { period = 1 }
        return period > 0 ? .wait(period: period, deadline: Date().addingTimeInterval(TimeInterval(period))) : .none
    }

    /// Deletes every object a list with `listOptions` would return; answers with their last states.
    public func deleteCollection(_ type: ResourceType, namespace: String?, listOptions: StoreListOptions,
                                 options: StoreDeleteOptions = .init()) throws(APIError) -> [StoredObject] {
        var listing = listOptions
        listing.limit = nil
        listing.continueToken = nil
        let (page, _) = try list(type, namespace: namespace, options: listing)
        var deleted: [StoredObject] = []
        for item in page.items {
            do {
                deleted.append(try delete(type, namespace: item.key.namespace, name: item.key.name, options: options).object)
            } catch where error.code == 404 {
                continue  // gone meanwhile
            }
        }
        return deleted
    }
}
