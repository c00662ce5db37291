import Foundation
import KubeClient

/// The API semantics on top of the store: what kube-apiserver's generic registry does for
/// every resource (metadata, resourceVersion preconditions, generation, status and scale
/// subresources, finalizers, namespaces), for HTTP handlers and in-process controllers alike.
public final class Registry: Sendable {
    public let store: ObjectStore
    public let catalog: ResourceCatalog
    let admission: [any AdmissionPlugin]
    let hooks: [any CommitHook]
    let selectors: SelectorCompiler
    /// Structural schemas of custom resources (validation, pruning, defaulting, apply semantics).
    public let schemas: CustomResourceSchemas

    /// Admission runs the built-in steps (CRD checks, built-in defaults, custom resource
    /// schemas) and then `admission`.
    public init(store: ObjectStore, catalog: ResourceCatalog, admission: [any AdmissionPlugin] = [],
                hooks: [any CommitHook] = []) {
        self.store = store
        self.catalog = catalog
        let schemas = CustomResourceSchemas(catalog: catalog)
        self.schemas = schemas
        self.admission = [CRDAdmission(), BuiltinFieldValidation(), BuiltinDefaults(), EventValidation(),
                          CustomResourceAdmission(schemas: schemas)] + admission
        self.hooks = [CRDRegistrationHook()] + hooks
        self.selectors = SelectorCompiler()
    }

    static let namespaces = GroupResource(group: "", resource: "namespaces")

    func key(_ type: ResourceType, namespace: String, name: String) -> StoreKey {
        StoreKey(namespace: type.namespaced ? namespace : "", name: name)
    }

    // MARK: Reads

    public func get(_ type: ResourceType, namespace: String, name: String) throws(APIError) -> StoredObject {
        if let storage = storageType(of: type) { return try get(storage, namespace: namespace, name: name) }
        guard let object = store.get(type.groupResource, key(type, namespace: namespace, name: name)) else {
            throw APIError.notFound(type.groupResource, name: name)
        }
        return object
    }

    /// The filter a list or watch applies.
    public func filter(_ type: ResourceType, namespace: String?, options: StoreListOptions) throws(APIError) -> ObjectFilter {
        if let storage = storageType(of: type) {
            return try filter(storage, namespace: namespace, options: storageListOptions(options, type: type))
        }
        let scope = type.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        let predicate = try selectors.predicate(labelSelector: options.labelSelector,
                                                fieldSelector: options.fieldSelector, type: type)
        return ObjectFilter(namespace: scope, predicate: predicate)
    }

    /// Lists with kube-apiserver's resourceVersion semantics: unset or "0" serve the latest
    /// state; "N" serves a state at least as new (exactly N with `resourceVersionMatch=Exact`
    /// or with `limit`); a continue token serves the next page of the state it came from.
    public func list(_ type: ResourceType, namespace: String?, options: StoreListOptions) throws(APIError)
        -> (page: ListPage, continueToken: String?)
    {
        if let storage = storageType(of: type) {
            return try list(storage, namespace: namespace, options: storageListOptions(options, type: type))
        }
        let filter = try filter(type, namespace: namespace, options: options)
        var revision: UInt64?
        var after: StoreKey?
        if let token = options.continueToken, !token.isEmpty {
            if let rv = options.resourceVersion, !rv.isEmpty {
                throw APIError.badRequest("specifying resource version is not allowed when using continue")
            }
            let decoded = try ContinueToken(decoding: token, namespaced: type.namespaced)
            revision = decoded.revision
            after = decoded.after
            if decoded.revision < store.compactedRevision {
                throw APIError.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
        } else {
            revision = try Self.listRevision(options, current: store.revision)
        }
        let page = try store.list(type.groupResource, filter: filter, at: revision, after: after, limit: options.limit)
        let token = page.continueAfter.map { ContinueToken(revision: page.revision, after: $0).encoded() }
        return (page, token)
    }

    /// The revision a list without a continue token reads at (nil: the latest); a GET checks
    /// its resourceVersion by the same rules.
    static func listRevision(_ options: StoreListOptions, current: UInt64) throws(APIError) -> UInt64? {
        let match = options.resourceVersionMatch.flatMap { $0.isEmpty ? nil : $0 }
        guard let text = options.resourceVersion, !text.isEmpty else {
            if match != nil {
                throw APIError.invalid(kind: "StoreListOptions", group: "meta.k8s.io", name: "",
                                       causes: [.init(type: "FieldValueForbidden",
                                                      message: "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
                                                      field: "resourceVersionMatch")])
            }
            return nil
        }
        guard let rv = UInt64(text) else {
            throw APIError.badRequest("invalid resource version: \(text)")
        }
        switch match {
        case nil:
            if rv == 0 { return nil }
            if let limit = options.limit, limit > 0 { return rv }  // legacy: exact with limit
            if rv > current { throw APIError.tooLargeResourceVersion(requested: rv, current: current) }
            return nil
        case "NotOlderThan":
            if rv > current { throw APIError.tooLargeResourceVersion(requested: rv, current: current) }
            return nil
        case "Exact":
            if rv == 0 {
                throw APIError.invalid(kind: "StoreListOptions", group: "meta.k8s.io", name: "",
                                       causes: [.init(type: "FieldValueForbidden",
                                                      message: "Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
                                                      field: "resourceVersionMatch")])
            }
            return rv
        case let other?:
            throw APIError.invalid(kind: "StoreListOptions", group: "meta.k8s.io", name: "",
                                   causes: [.init(type: "FieldValueNotSupported",
                                                  message: "Unsupported value: \"\(other)\": supported values: \"Exact\", \"NotOlderThan\"",
                                                  field: "resourceVersionMatch")])
        }
    }

    /// Starts a watch with kube-apiserver's semantics for resourceVersion and sendInitialEvents.
    public func watch(_ type: ResourceType, namespace: String?, options: StoreListOptions) throws(APIError) -> StoreWatch {
        if let storage = storageType(of: type) {
            return try watch(storage, namespace: namespace, options: storageListOptions(options, type: type))
        }
        let filter = try filter(type, namespace: namespace, options: options)
        let rv = options.resourceVersion.flatMap { $0.isEmpty ? nil : $0 }
        if let sendInitialEvents = options.sendInitialEvents {
            guard options.resourceVersionMatch == "NotOlderThan" else {
                throw APIError.invalid(kind: "StoreListOptions", group: "meta.k8s.io", name: "",
                                       causes: [.init(type: "FieldValueForbidden",
                                                      message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                                                      field: "resourceVersionMatch")])
            }
            if sendInitialEvents {
                if !options.allowWatchBookmarks {
                    throw APIError.invalid(kind: "StoreListOptions", group: "meta.k8s.io", name: "",
                                           causes: [.init(type: "FieldValueForbidden",
                                                          message: "Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true",
                                                          field: "allowWatchBookmarks")])
                }
                if let rv, let n = UInt64(rv), n > store.revision {
                    throw APIError.tooLargeResourceVersion(requested: n, current: store.revision)
                }
                return try store.watch(type.groupResource, filter: filter, from: .currentState,
                                       initialEventsEndBookmark: true)
            }
        } else if let match = options.resourceVersionMatch, !match.isEmpty {
            throw APIError.badRequest("resourceVersionMatch is forbidden for watch")
        }
        let start: WatchStart
        switch rv {
        case nil, "0": start = .currentState
        case let text?:
            guard let n = UInt64(text) else { throw APIError.badRequest("invalid resource version: \(text)") }
            start = .after(n)
        }
        return try store.watch(type.groupResource, filter: filter, from: start, throughWatchCache: true)
    }

    // MARK: Shared write plumbing

    func runAdmission(_ object: inout JSONValue, _ request: AdmissionRequest) throws(APIError) -> [String] {
        var warnings: [String] = []
        for plugin in admission { try plugin.admit(&object, request, warnings: &warnings) }
        return warnings
    }

    func notify(_ outcome: MutationOutcome, type: ResourceType) {
        for hook in hooks { hook.committed(outcome, type: type, registry: self) }
    }

    /// Checks that an object's `apiVersion` and `kind` belong to the endpoint it was sent to.
    func checkTypeMeta(_ object: JSONValue, type: ResourceType, version: String?) throws(APIError) {
        guard case .object = object else {
            throw APIError.badRequest("the body of the request must be a JSON object")
        }
        if let kind = object["kind"].stringValue, !kind.isEmpty, kind != type.kind {
            throw APIError.badRequest("the kind of the object (\(kind)) does not match the resource (\(type.kind))")
        }
        if let apiVersion = object["apiVersion"].stringValue, !apiVersion.isEmpty {
            let (group, objectVersion) = ResourceCatalog.split(apiVersion: apiVersion)
            if group != type.group || !type.versions.contains(objectVersion)
                || (version != nil && objectVersion != version) {
                throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion(version ?? type.storageVersion)))")
            }
        }
    }

    /// Stores an object in the storage version (custom resources served in several
    /// versions without conversion differ only in `apiVersion`).
    func normalizeTypeMeta(_ object: inout JSONValue, type: ResourceType) {
        object["apiVersion"] = .string(type.storageAPIVersion)
        object["kind"] = .string(type.kind)
    }

    /// The object served in `version`: the stored JSON, with `apiVersion` rewritten when the
    /// request used another served version, and schema defaults added that its CRD gained
    /// after the object was written (kube-apiserver defaults on read as well as on write).
    public func served(_ object: StoredObject, type: ResourceType, version: String) -> [UInt8] {
        if type.storedAs != nil { return fromStorage(object.object, type: type, version: version).serializedBytes() }
        let defaulted = defaultedOnRead(object, type: type)
        if version == type.storageVersion, defaulted == nil { return object.bytes }
        var value = defaulted ?? object.object
        value["apiVersion"] = .string(type.apiVersion(version))
        return value.serializedBytes()
    }

    /// Whether the object was written after its CRD last changed (so pruned and defaulted by
    /// the schema it has now); always true for built-in kinds.
    func followsSchema(_ object: StoredObject, type: ResourceType) -> Bool {
        guard type.isCustom,
              let definitionVersion = catalog.definition(type.groupResource)?["metadata"]["resourceVersion"].stringValue
                .flatMap({ UInt64($0) }) else { return true }
        return object.resourceVersion > definitionVersion
    }

    /// The object as a client reads it (defaults of a newer CRD schema applied).
    public func readable(_ object: StoredObject, type: ResourceType) -> JSONValue {
        if type.storedAs != nil { return fromStorage(object.object, type: type, version: type.storageVersion) }
        return defaultedOnRead(object, type: type) ?? object.object
    }

    /// The object with defaults it lacks, or nil when it needs none. Objects written after
    /// their CRD last changed were defaulted on write, so only older ones are parsed.
    private func defaultedOnRead(_ object: StoredObject, type: ResourceType) -> JSONValue? {
        guard !followsSchema(object, type: type), let schema = schemas.schema(for: type) else { return nil }
        let value = object.object
        let defaulted = schema.applyDefaults(value)
        // Not `defaulted == value ? nil : defaulted`: JSONValue is ExpressibleByNilLiteral, so
        // that `nil` is JSONValue.null, and the object was served as `{"apiVersion": …}` only.
        if defaulted == value { return nil }
        return defaulted
    }
}
