import Foundation
import KubeClient

/// The four patch content types.
public enum PatchType: String, Sendable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    public init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        self.init(rawValue: base)
    }
}

extension Registry {
    /// Patches an object (PATCH) on the main resource or its `status` subresource.
    ///
    /// A `metadata.resourceVersion` in the patch is a precondition; without one the patch
    /// is re-applied on conflict, as kube-apiserver does. An apply patch creates a missing object.
    /// A type stored as another is patched in its own form (converted from and back to storage).
    public func patch(_ type: ResourceType, namespace: String, name: String, patchType: PatchType, body: [UInt8],
                      subresource: String? = nil, options: WriteOptions = .init()) throws(APIError) -> WriteResult {
        var options = options
        let patch = try Self.decodePatch(body, type: patchType)
        switch patchType {
        case .strategic where type.isCustom:
            throw APIError.unsupportedMediaType(patchType.rawValue, accepted: [
                PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.apply.rawValue,
            ])
        case .apply:
            guard let manager = options.fieldManager, !manager.isEmpty, !options.fieldManagerFromUserAgent else {
                throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [
                    .init(type: "FieldValueRequired", message: "Required value: is required for apply patch",
                          field: "fieldManager"),
                ])
            }
        default:
            if options.force {
                throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [
                    .init(type: "FieldValueForbidden", message: "Forbidden: may not be specified for non-apply patch",
                          field: "force"),
                ])
            }
        }
        let schema = strategicSchema(type)
        let ignoring = Self.ignoredPaths(type, subresource: subresource)
        let now = KubeTimestamp.format(Date())
        if patchType == .apply { options.managedFieldsRecorded = true }
        let manager = options.fieldManager ?? ""
        let force = options.force
        let storage = storageType(of: type)
        if storage != nil { options = storageWriteOptions(options, type: type, version: nil) }
        return try guaranteedUpdate(storage ?? type, namespace: namespace, name: name, subresource: subresource,
                                    options: options, precondition: nil,
                                    createIfMissing: patchType == .apply && subresource == nil) { stored throws(APIError) in
            let current = storage == nil ? stored : stored.map { fromStorage($0, type: type, version: type.storageVersion) }
            var patched: JSONValue
            do {
                switch patchType {
                case .json: patched = try JSONPatch.apply(patch, to: current ?? .emptyObject)
                case .merge: patched = MergePatch.apply(patch, to: current ?? .emptyObject)
                case .strategic: patched = try StrategicMergePatch.apply(patch, to: current ?? .emptyObject, schema: schema)
                case .apply:
                    var config = patch
                    if current == nil {
                        // Creating: the configuration names the object; the URL decides.
                        config[path: ["metadata", "name"]] = .string(name)
                        if type.namespaced { config[path: ["metadata", "namespace"]] = .string(namespace) }
                    }
                    patched = try ServerSideApply.apply(config: config, to: current, manager: manager, force: force,
                                                        now: now, schema: schema, subresource: subresource,
                                                        ignoring: ignoring)
                }
            } catch let error as PatchError {
                throw error.httpStatus == 400 ? APIError.badRequest(error.message)
                    : APIError(code: 422, reason: "Invalid", message: error.message)
            } catch let error as ApplyError {
                switch error {
                case .conflicts(let conflicts):
                    throw APIError(code: 409, reason: "Conflict", message: error.message, details: .init(causes: conflicts.map {
                        APIError.Cause(type: "FieldManagerConflict", message: "conflict with \($0.manager)",
                                       field: $0.field.description)
                    }))
                case .invalid(let message):
                    throw APIError.badRequest(message)
                }
            } catch {
                throw APIError.internalError("\(error)")
            }
            if let current {
                let expected = current["metadata"]["resourceVersion"]
                let requested = patched["metadata"]["resourceVersion"]
                if requested != expected {
                    if let text = requested.stringValue, !text.isEmpty {
                        throw APIError.staleResourceVersion((storage ?? type).groupResource, name: name)
                    }
                    patched[path: ["metadata", "resourceVersion"]] = expected
                }
            }
            return storage == nil ? patched : toStorage(patched, type: type)
        }
    }

    static func decodePatch(_ body: [UInt8], type: PatchType) throws(APIError) -> JSONValue {
        if let value = try? JSONValue(parsing: body) { return value }
        if type == .apply, let value = try? YAML.decode(String(decoding: body, as: UTF8.self)) { return value }
        throw APIError.badRequest("error decoding patch: the body of the request is not valid \(type == .apply ? "YAML or JSON" : "JSON")")
    }

    /// List-merge semantics for strategic merge and managed fields.
    func strategicSchema(_ type: ResourceType) -> StrategicSchema {
        if type.isCustom { return schemas.schema(for: type).map { StrategicSchema(structural: $0) } ?? .none }
        return StrategicSchema.builtin(group: type.group, kind: type.kind) ?? .none
    }

    /// Paths an endpoint resets, neither owned nor conflicting in managed fields.
    static func ignoredPaths(_ type: ResourceType, subresource: String?) -> [FieldPath] {
        guard type.hasStatus else { return [] }
        return subresource == "status" ? ServerSideApply.nonStatusPaths : ServerSideApply.statusPaths
    }
}
