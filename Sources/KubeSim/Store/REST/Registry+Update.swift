import Foundation
import KubeClient

extension Registry {
    /// Replaces an object (PUT), on the main resource or its `status` subresource.
    public func update(_ type: ResourceType, namespace: String, name: String, object input: JSONValue,
                       subresource: String? = nil, version: String? = nil,
                       options: WriteOptions = .init()) throws(APIError) -> WriteResult {
        try checkTypeMeta(input, type: type, version: version)
        if let storage = storageType(of: type) {
            return try update(storage, namespace: namespace, name: name, object: toStorage(input, type: type),
                              subresource: subresource, options: storageWriteOptions(options, type: type, version: version))
        }
        let bodyName = input["metadata"]["name"].stringValue ?? ""
        if bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if type.namespaced, let bodyNamespace = input["metadata"]["namespace"].stringValue, !bodyNamespace.isEmpty,
           bodyNamespace != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let rvText = input["metadata"]["resourceVersion"].stringValue ?? ""
        var precondition: UInt64?
        if rvText.isEmpty {
            if !type.allowsUnconditionalUpdate {
                throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: [
                    .init(type: "FieldValueInvalid", message: "Invalid value: 0x0: must be specified for an update",
                          field: "metadata.resourceVersion"),
                ])
            }
        } else {
            guard let rv = UInt64(rvText) else {
                throw APIError.badRequest("invalid resourceVersion \"\(rvText)\"")
            }
            precondition = rv
        }
        return try guaranteedUpdate(type, namespace: namespace, name: name, subresource: subresource,
                                    options: options, precondition: precondition) { _ throws(APIError) in input }
    }

    /// The read-modify-write loop behind update, patch and scale: reads the current object,
    /// lets `transform` produce the desired one, applies the update strategy and admission,
    /// and stores it if the object did not change meanwhile (retrying when no
    /// resourceVersion precondition was given).
    ///
    /// With `createIfMissing`, `transform` is called with nil for an absent object and the
    /// result is created (server-side apply).
    func guaranteedUpdate(_ type: ResourceType, namespace: String, name: String, subresource: String?,
                          options: WriteOptions, precondition: UInt64?, createIfMissing: Bool = false,
                          transform: (JSONValue?) throws(APIError) -> JSONValue) throws(APIError) -> WriteResult {
        if subresource != nil, subresource != "status", subresource != "scale" {
            throw APIError.methodNotSupported(type.groupResource, verb: "update")
        }
        if subresource == "status", !type.hasStatus {
            throw APIError.pathNotFound()
        }
        let key = key(type, namespace: namespace, name: name)
        for _ in 0..<16 {
            guard let current = store.get(type.groupResource, key) else {
                if createIfMissing {
                    let desired = try transform(nil)
                    return try create(type, namespace: namespace, object: desired, options: options)
                }
                throw APIError.notFound(type.groupResource, name: name)
            }
            if let precondition, precondition != current.resourceVersion {
                throw APIError.staleResourceVersion(type.groupResource, name: name)
            }
            // Decided once: it picks both how the old object is read and whether admission
            // prunes and defaults it again.
            let oldFollowsSchema = followsSchema(current, type: type)
            let old = oldFollowsSchema ? current.object : readable(current, type: type)
            var desired = try transform(old)
            try checkTypeMeta(desired, type: type, version: nil)
            normalizeTypeMeta(&desired, type: type)
            var updated = try prepareUpdate(type, old: old, new: desired, subresource: subresource, name: name)
            if !options.managedFieldsRecorded, let manager = options.fieldManager, !manager.isEmpty {
                updated = ServerSideApply.recordUpdate(old: old, new: updated, manager: manager,
                                                       now: KubeTimestamp.format(Date()), schema: strategicSchema(type),
                                                       subresource: subresource,
                                                       ignoring: Self.ignoredPaths(type, subresource: subresource))
            }
            let warnings = try runAdmission(&updated, AdmissionRequest(type: type, operation: .update,
                                                                       subresource: subresource, namespace: namespace,
                                                                       name: name, oldObject: old, options: options,
                                                                       oldObjectFollowsSchema: oldFollowsSchema))
            if ObjectMetadata.comparable(updated) == ObjectMetadata.comparable(old) {
                return WriteResult(object: current, created: false, warnings: warnings)
            }
            let finishesDeletion = !updated["metadata"]["deletionTimestamp"].isNull
                && ObjectMetadata.finalizers(updated).isEmpty && !Self.hasNamespaceFinalizers(updated, type: type)
            if options.dryRun {
                return WriteResult(object: StoredObject(object: updated, key: key, resourceVersion: current.resourceVersion,
                                                        indexing: type.indexing),
                                   created: false, warnings: warnings)
            }
            do {
                let outcome = try store.mutate(type.groupResource, key, indexing: type.indexing) { latest in
                    guard let latest, latest.resourceVersion == current.resourceVersion else { throw RetryUpdate() }
                    return finishesDeletion ? .delete(updated) : .put(updated)
                }
                notify(outcome, type: type)
                return WriteResult(object: outcome.object!, created: false, warnings: warnings)
            } catch is RetryUpdate {
                if precondition != nil { throw APIError.staleResourceVersion(type.groupResource, name: name) }
                continue
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError.internalError("\(error)")
            }
        }
        throw APIError.conflict(type.groupResource, name: name, "too many concurrent updates, please retry")
    }

    /// What kube-apiserver's update strategy does: keeps server-owned metadata, confines a
    /// status write to `.status` and a main write to everything else, bumps generation on
    /// spec changes and forbids new finalizers during deletion.
    func prepareUpdate(_ type: ResourceType, old: JSONValue, new desired: JSONValue, subresource: String?,
                       name: String) throws(APIError) -> JSONValue {
        var new: JSONValue
        if subresource == "status" {
            new = old
            new["status"] = desired["status"]
            // A status write may not change metadata, but it may carry managedFields.
            return new
        }
        new = desired
        if type.hasStatus { new["status"] = old["status"] }
        let oldMeta = old["metadata"]
        var meta = new["metadata"]
        if case .object = meta {} else { meta = .emptyObject }
        if let uid = meta["uid"].stringValue, !uid.isEmpty, uid != oldMeta["uid"].stringValue {
            throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: [
                .init(type: "FieldValueInvalid", message: "Invalid value: \"\(uid)\": field is immutable",
                      field: "metadata.uid"),
            ])
        }
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace",
                      "name", "generation"] {
            meta[field] = oldMeta[field]
        }
        meta["selfLink"] = .null
        if !oldMeta["deletionTimestamp"].isNull {
            let before = Set(ObjectMetadata.finalizers(old))
            let added = ObjectMetadata.finalizers(["metadata": meta]).filter { !before.contains($0) }
            if !added.isEmpty {
                throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: [
                    .init(type: "FieldValueForbidden",
                          message: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers \(added.map { "\"\($0)\"" })",
                          field: "metadata.finalizers"),
                ])
            }
        }
        try ObjectMetadata.validateOwnerReferences(meta, type: type, name: name)
        new["metadata"] = meta
        if let generation = oldMeta["generation"].intValue,
           ObjectMetadata.specChanged(old: old, new: new, excludingStatus: type.hasStatus) {
            new[path: ["metadata", "generation"]] = .int(Int64(generation + 1))
        }
        return new
    }

    static func hasNamespaceFinalizers(_ object: JSONValue, type: ResourceType) -> Bool {
        type.groupResource == namespaces && !(object["spec"]["finalizers"].arrayValue ?? []).isEmpty
    }
}

/// The object changed between read and write: read again.
struct RetryUpdate: Error {}
