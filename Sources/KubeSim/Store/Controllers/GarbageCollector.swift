import KubeClient

/// The garbage collector of kube-controller-manager: deletes dependents whose owners are
/// gone (Background), deletes dependents before their owner and then releases it
/// (Foreground), and strips ownerReferences before releasing an owner (Orphan).
///
/// Follows every change through a store-wide watch, so it reacts within milliseconds.
final class GarbageCollector: Sendable {
    private let registry: Registry

    init(registry: Registry) { self.registry = registry }

    func run() async {
        // Live objects matter only when they have owners or are being deleted; every deletion
        // matters (the object may own others). Filtering here keeps plain writes from waking this task.
        let relevant = ObjectFilter(predicate: { !$0.ownerUIDs.isEmpty || $0.isTerminating }, allDeletions: true)
        guard let watch = try? registry.store.watch(nil, filter: relevant, from: .now, encodedLines: false) else { return }
        for await item in watch.events {
            guard case .change(let type, let object, _) = item else { continue }
            switch type {
            case .deleted:
                for dependent in registry.store.dependents(ofOwner: object.uid) { collect(dependent) }
                // A dependent going away may unblock an owner waiting in foreground deletion.
                for owner in owners(of: object) where owner.finalizers.contains(Registry.foregroundFinalizer) {
                    finishForeground(owner.ref)
                }
            case .added, .modified:
                handleLive(object)
            default:
                continue
            }
        }
    }

    private struct Owner {
        var ref: ObjectRef
        var uid: String
        var type: ResourceType
        var finalizers: [String]
        var terminating: Bool
    }

    private func handleLive(_ object: StoredObject) {
        if object.isTerminating {
            let finalizers = object.finalizers
            if let ref = ref(of: object), finalizers.contains(Registry.foregroundFinalizer) {
                for dependent in registry.store.dependents(ofOwner: object.uid) { deleteDependent(dependent) }
                finishForeground(ref)
            }
            if let ref = ref(of: object), finalizers.contains(Registry.orphanFinalizer) {
                orphanDependents(of: object.uid, owner: ref)
            }
        }
        // Most changes to a dependent leave its owners alive: decided from the stored
        // references alone, without reading the object's JSON.
        guard !object.ownerReferences.isEmpty, !object.isTerminating, needsCollection(object, owners: owners(of: object))
        else { return }
        if let ref = ref(of: object) { collect(ref) }
    }

    /// Where a stored object lives, found from its apiVersion and kind.
    private func ref(of object: StoredObject) -> ObjectRef? {
        let value = object.object
        guard let apiVersion = value["apiVersion"].stringValue, let kind = value["kind"].stringValue,
              let type = registry.catalog.type(apiVersion: apiVersion, kind: kind) else { return nil }
        return ObjectRef(resource: type.groupResource, key: object.key)
    }

    /// The owners of `object` that still exist (matching uid).
    private func owners(of object: StoredObject) -> [Owner] {
        var found: [Owner] = []
        for reference in object.ownerReferences {
            guard let type = registry.catalog.type(apiVersion: reference.apiVersion, kind: reference.kind) else { continue }
            let key = StoreKey(namespace: type.namespaced ? object.key.namespace : "", name: reference.name)
            guard let owner = registry.store.get(type.groupResource, key), owner.uid == reference.uid else { continue }
            found.append(Owner(ref: ObjectRef(resource: type.groupResource, key: key), uid: owner.uid, type: type,
                               finalizers: owner.finalizers, terminating: owner.isTerminating))
        }
        return found
    }

    /// Whether a dependent must be deleted or have references to vanished owners dropped.
    private func needsCollection(_ object: StoredObject, owners live: [Owner]) -> Bool {
        mustDelete(owners: live) || live.count != object.ownerReferences.count
    }

    /// No owner is left, or one is being deleted in the foreground.
    private func mustDelete(owners live: [Owner]) -> Bool {
        live.isEmpty || live.contains(where: { $0.terminating && $0.finalizers.contains(Registry.foregroundFinalizer) })
    }

    /// Decides the fate of one dependent: delete it when no owner is left, or when an owner
    /// is being deleted in the foreground; drop references to owners that are gone.
    private func collect(_ ref: ObjectRef) {
        guard let type = registry.catalog.type(ref.resource),
              let stored = registry.store.get(ref.resource, ref.key), !stored.isTerminating,
              !stored.ownerReferences.isEmpty else { return }
        let live = owners(of: stored)
        guard needsCollection(stored, owners: live) else { return }
        if mustDelete(owners: live) {
            deleteDependent(ref)
            return
        }
        let liveUIDs = Set(live.map(\.uid))
        _ = try? registry.guaranteedUpdate(type, namespace: ref.key.namespace, name: ref.key.name, subresource: nil,
                                           options: WriteOptions(fieldManager: "generic-garbage-collector"),
                                           precondition: nil) { current throws(APIError) in
            var updated = current ?? stored.object
            let remaining = (updated["metadata"]["ownerReferences"].arrayValue ?? [])
                .filter { liveUIDs.contains($0["uid"].stringValue ?? "") }
            updated[path: ["metadata", "ownerReferences"]] = remaining.isEmpty ? .null : .array(remaining)
            return updated
        }
    }

    private func deleteDependent(_ ref: ObjectRef) {
        guard let type = registry.catalog.type(ref.resource),
              let stored = registry.store.get(ref.resource, ref.key), !stored.isTerminating else { return }
        // A dependent that itself blocks its owner is deleted in the foreground too, so
        // the chain unwinds from the leaves.
        let blocking = stored.ownerReferences.contains { $0.blockOwnerDeletion }
        _ = try? registry.delete(type, namespace: ref.key.namespace, name: ref.key.name,
                                 options: StoreDeleteOptions(propagationPolicy: blocking ? .foreground : .background,
                                                        preconditionUID: stored.uid))
    }

    /// Removes the foregroundDeletion finalizer once no dependent blocks the owner.
    private func finishForeground(_ ref: ObjectRef) {
        guard let type = registry.catalog.type(ref.resource),
              let owner = registry.store.get(ref.resource, ref.key), owner.isTerminating else { return }
        let blocking = registry.store.dependents(ofOwner: owner.uid).contains { dependent in
            guard let stored = registry.store.get(dependent.resource, dependent.key) else { return false }
            return stored.ownerReferences.contains { $0.uid == owner.uid && $0.blockOwnerDeletion }
        }
        guard !blocking else { return }
        removeFinalizer(Registry.foregroundFinalizer, from: ref, type: type)
    }

    /// Strips references to the owner from its dependents, then releases the owner.
    private func orphanDependents(of uid: String, owner: ObjectRef) {
        for dependent in registry.store.dependents(ofOwner: uid) {
            guard let type = registry.catalog.type(dependent.resource) else { continue }
            _ = try? registry.guaranteedUpdate(type, namespace: dependent.key.namespace, name: dependent.key.name,
                                               subresource: nil,
                                               options: WriteOptions(fieldManager: "generic-garbage-collector"),
                                               precondition: nil) { current throws(APIError) in
                var updated = current ?? .emptyObject
                let remaining = (updated["metadata"]["ownerReferences"].arrayValue ?? []).filter { $0["uid"].stringValue != uid }
                updated[path: ["metadata", "ownerReferences"]] = remaining.isEmpty ? .null : .array(remaining)
                return updated
            }
        }
        if let type = registry.catalog.type(owner.resource) {
            removeFinalizer(Registry.orphanFinalizer, from: owner, type: type)
        }
    }

    private func removeFinalizer(_ finalizer: String, from ref: ObjectRef, type: ResourceType) {
        _ = try? registry.guaranteedUpdate(type, namespace: ref.key.namespace, name: ref.key.name, subresource: nil,
                                           options: WriteOptions(fieldManager: "generic-garbage-collector"),
                                           precondition: nil) { current throws(APIError) in
            var updated = current ?? .emptyObject
            ObjectMetadata.setFinalizers(ObjectMetadata.finalizers(updated).filter { $0 != finalizer }, on: &updated)
            return updated
        }
    }
}
