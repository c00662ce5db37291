import Foundation
import KubeClient

extension Registry {
    /// Creates an object (POST), filling in the metadata the server owns.
    public func create(_ type: ResourceType, namespace: String, object input: JSONValue, version: String? = nil,
                       options: WriteOptions = .init()) throws(APIError) -> WriteResult {
        guard !type.isVirtual else { throw APIError.methodNotSupported(type.groupResource, verb: "create") }
        if let storage = storageType(of: type) {
            try checkTypeMeta(input, type: type, version: version)
            return try create(storage, namespace: namespace, object: toStorage(input, type: type),
                              options: storageWriteOptions(options, type: type, version: version))
        }
        try checkTypeMeta(input, type: type, version: version)
        var object = input
        normalizeTypeMeta(&object, type: type)
        var metadata = object["metadata"]
        if case .object = metadata {} else { metadata = .emptyObject }

        // Namespace: the URL decides; a different one in the body is an error.
        let objectNamespace = metadata["namespace"].stringValue ?? ""
        if type.namespaced {
            if !objectNamespace.isEmpty, objectNamespace != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            if namespace.isEmpty { throw APIError.badRequest("the server could not find the requested resource") }
            metadata["namespace"] = .string(namespace)
        } else {
            metadata["namespace"] = .null
        }

        let generateName = metadata["generateName"].stringValue ?? ""
        var name = metadata["name"].stringValue ?? ""
        if name.isEmpty && generateName.isEmpty {
            throw APIError.invalid(kind: type.kind, group: type.group, name: "", causes: [
                .init(type: "FieldValueRequired", message: "Required value: name or generateName is required",
                      field: "metadata.name"),
            ])
        }
        if name.isEmpty { name = ObjectMetadata.generatedName(prefix: generateName) }
        let problems = ObjectMetadata.nameProblems(name, type: type)
        if !problems.isEmpty {
            throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: problems.map {
                .init(type: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \($0)", field: "metadata.name")
            })
        }
        metadata["name"] = .string(name)
        try ObjectMetadata.validateOwnerReferences(metadata, type: type, name: name)
        if metadata["resourceVersion"].stringValue.map({ !$0.isEmpty }) == true {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        for field in ["uid", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "resourceVersion"] {
            metadata[field] = .null
        }
        metadata["uid"] = .string(ObjectMetadata.newUID())
        metadata["creationTimestamp"] = ObjectMetadata.timestamp()
        metadata["generation"] = type.tracksGeneration || type.isCustom ? .int(1) : .null
        object["metadata"] = metadata
        if type.hasStatus, type.groupResource != GroupResource(group: "", resource: "nodes") {
            // Status is written through the status subresource only (nodes report their own on registration).
            object.removeValue(forKey: "status")
        }

        if type.namespaced { try requireActiveNamespace(namespace, type: type, name: name) }
        if !options.managedFieldsRecorded, let manager = options.fieldManager, !manager.isEmpty {
            object = ServerSideApply.recordUpdate(old: nil, new: object, manager: manager,
                                                  now: KubeTimestamp.format(Date()), schema: strategicSchema(type),
                                                  subresource: nil, ignoring: Self.ignoredPaths(type, subresource: nil))
        }
        let warnings = try runAdmission(&object, AdmissionRequest(type: type, operation: .create, subresource: nil,
                                                                  namespace: namespace, name: name, oldObject: nil,
                                                                  options: options))
        let key = key(type, namespace: namespace, name: name)
        if options.dryRun {
            if store.get(type.groupResource, key) != nil { throw APIError.alreadyExists(type.groupResource, name: name) }
            // Nothing is stored, so kube answers without a resourceVersion (DryRunnableStorage.Create).
            return WriteResult(object: StoredObject(object: object, key: key, resourceVersion: 0, indexing: type.indexing),
                               created: true, warnings: warnings)
        }
        let outcome: MutationOutcome
        do {
            outcome = try store.mutate(type.groupResource, key, indexing: type.indexing) { current in
                if current != nil { throw APIError.alreadyExists(type.groupResource, name: name) }
                return .put(object)
            }
        } catch let error as APIError {
            if error.reason == "AlreadyExists", !generateName.isEmpty, input["metadata"]["name"].stringValue.map(\.isEmpty) ?? true {
                // A generated name collided: try another, as kube-apiserver does.
                return try create(type, namespace: namespace, object: input, version: version, options: options)
            }
            throw error
        } catch {
            throw APIError.internalError("\(error)")
        }
        notify(outcome, type: type)
        return WriteResult(object: outcome.object!, created: true, warnings: warnings)
    }

    /// Refuses writes into a namespace that does not exist (404) or is being deleted (403).
    func requireActiveNamespace(_ namespace: String, type: ResourceType, name: String) throws(APIError) {
        guard let ns = store.get(Self.namespaces, StoreKey(namespace: "", name: namespace)) else {
            throw APIError.notFound(Self.namespaces, name: namespace)
        }
        if ns.isTerminating {
            throw APIError.forbidden(type.groupResource, name: name,
                                     "unable to create new content in namespace \(namespace) because it is being terminated")
        }
    }
}
