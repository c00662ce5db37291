import KubeClient

/// Server-side apply and field ownership (`metadata.managedFields`), following
/// sigs.k8s.io/structured-merge-diff as kube-apiserver uses it.
///
/// - ``apply(config:to:manager:force:now:schema:subresource:ignoring:)`` answers
///   `PATCH` with `application/apply-patch+yaml`.
/// - ``recordUpdate(old:new:manager:now:schema:subresource:ignoring:)`` records the
///   ownership of every other write (create, update, merge/JSON/strategic patch).
public enum ServerSideApply {
    /// Paths never recorded in managed fields (structured-merge-diff's strip set).
    static let strippedPaths = FieldSet([
        FieldPath(fields: "apiVersion"), FieldPath(fields: "kind"), FieldPath(fields: "metadata"),
        FieldPath(fields: "metadata", "name"), FieldPath(fields: "metadata", "namespace"),
        FieldPath(fields: "metadata", "creationTimestamp"), FieldPath(fields: "metadata", "selfLink"),
        FieldPath(fields: "metadata", "uid"), FieldPath(fields: "metadata", "clusterName"),
        FieldPath(fields: "metadata", "generation"), FieldPath(fields: "metadata", "managedFields"),
        FieldPath(fields: "metadata", "resourceVersion"),
    ])

    /// The manager kube-apiserver credits with the fields of an object that existed before
    /// anyone tracked ownership.
    public static let beforeFirstApplyManager = "before-first-apply"

    /// Paths the main endpoint of a kind with a status subresource ignores.
    public static let statusPaths = [FieldPath(fields: "status")]
    /// Paths the `/status` subresource ignores.
    public static let nonStatusPaths = [FieldPath(fields: "spec"), FieldPath(fields: "metadata")]

    /// Applies `config` on behalf of `manager`.
    ///
    /// - Parameters:
    ///   - config: the applied configuration (the request body parsed from YAML or JSON).
    ///   - live: the stored object, or nil when the apply creates it.
    ///   - force: take ownership of conflicting fields instead of failing (`?force=true`).
    ///   - now: the RFC 3339 time to stamp on the manager's entry.
    ///   - schema: list semantics of the kind (``StrategicSchema/builtin(apiVersion:kind:)``,
    ///     or one derived from a CRD schema).
    ///   - subresource: `"status"` when applying to `/status`.
    ///   - ignoring: paths this endpoint resets (``statusPaths`` on the main endpoint of a kind
    ///     with a status subresource); they are neither owned nor conflicting.
    /// - Returns: the new object with `metadata.managedFields` updated.
    public static func apply(config: JSONValue, to live: JSONValue?, manager: String, force: Bool, now: String,
                             schema: StrategicSchema, subresource: String? = nil,
                             ignoring: [FieldPath] = []) throws(ApplyError) -> JSONValue {
        guard case .object = config else {
            throw .invalid("the applied configuration must be an object, got \(config.jsonTypeName)")
        }
        guard let apiVersion = config["apiVersion"].stringValue, !apiVersion.isEmpty else {
            throw .invalid("apiVersion must be set in the applied configuration")
        }
        guard config["kind"].stringValue?.isEmpty == false else {
            throw .invalid("kind must be set in the applied configuration")
        }
        if !config[path: ["metadata", "managedFields"]].isNull {
            throw .invalid("metadata.managedFields must be nil")
        }
        if let live, let liveVersion = live["apiVersion"].stringValue, liveVersion != apiVersion {
            throw .invalid("Incorrect version specified in apply patch. Specified patch version: \(apiVersion), expected: \(liveVersion)")
        }
        let node = schema.root
        let ignored = FieldSet(ignoring)
        let liveObject = live ?? .object([:])
        var managers = ManagedFieldsTable(object: live) ?? ManagedFieldsTable()

        if managers.isEmpty, live != nil {
            // Ownership of an object nobody tracked goes to "before-first-apply".
            let everything = filtered(FieldWalk.compare(nil, content(liveObject), node: node).added, ignored)
            if !everything.isEmpty {
                let entry = ManagedFieldsEntry(manager: beforeFirstApplyManager, operation: .update,
                                               apiVersion: apiVersion, time: nil, fields: everything)
                managers.entries[entry.identity] = entry
            }
        }

        let applied: FieldSet
        do {
            applied = filtered(try FieldWalk.fieldSet(of: config, node: node, strict: true), ignored)
        } catch {
            throw .invalid(describe(error))
        }
        let applierIdentity = ManagedFieldsEntry.Identity(manager: manager, operation: .apply, apiVersion: "", subresource: subresource ?? "")
        let previous = managers.entries[applierIdentity]
        var applier = ManagedFieldsEntry(manager: manager, operation: .apply, apiVersion: apiVersion,
                                         time: previous?.time, subresource: subresource, fields: applied)
        managers.entries[applierIdentity] = applier

        var merged = FieldMerge.merge(content(liveObject), configWithoutIgnored(config, ignoring), node: node) ?? .object([:])
        if let lastSet = previous?.fields, !lastSet.isEmpty {
            var owned = FieldSet()
            for entry in managers.entries.values { owned = owned.union(entry.fields) }
            let stale = lastSet.withAncestors.subtracting(owned.withAncestors)
            merged = FieldMerge.removing(stale, from: merged, node: node)
        }

        let comparison = FieldWalk.compare(content(liveObject), merged, node: node)
        let changed = filtered(comparison.modified.union(comparison.added), ignored)
        let removed = filtered(comparison.removed, ignored)
        var conflicts: [ApplyConflict] = []
        for (identity, entry) in managers.entries where identity != applierIdentity {
            let overlap = entry.fields.intersection(changed)
            if overlap.isEmpty { continue }
            if force {
                managers.entries[identity]!.fields = entry.fields.subtracting(overlap)
            } else {
                conflicts += overlap.paths.map { ApplyConflict(manager: entry.displayName, field: $0) }
            }
        }
        if !conflicts.isEmpty {
            throw .conflicts(conflicts.sorted { ($0.manager, $0.field) < ($1.manager, $1.field) })
        }
        for identity in managers.entries.keys where identity != applierIdentity {
            managers.entries[identity]!.fields = managers.entries[identity]!.fields.subtracting(removed)
        }

        let objectChanged = !content(liveObject).semanticallyEquals(content(merged)) || live == nil
        if objectChanged || applier.time == nil {
            applier.time = now
            managers.entries[applierIdentity] = applier
        }
        managers.dropEmpty()
        return managers.written(into: merged)
    }

    /// Records the ownership of a write that is not an apply (create, update, patch).
    ///
    /// The manager takes the fields the write changed; other managers lose them, and lose
    /// the fields the write removed. An object that exists but whose ownership was never
    /// tracked stays untracked, as in kube-apiserver.
    ///
    /// - Parameters:
    ///   - old: the stored object before the write; nil for a create.
    ///   - new: the object about to be stored.
    ///   - manager: the `fieldManager` query parameter, or the client's user agent name.
    /// - Returns: `new` with `metadata.managedFields` updated.
    public static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, now: String,
                                    schema: StrategicSchema, subresource: String? = nil,
                                    ignoring: [FieldPath] = []) -> JSONValue {
        recordUpdate(old: old, new: new, manager: manager, now: now, schema: schema, subresource: subresource,
                     ignoring: ignoring, shortcut: true)
    }

    /// `shortcut: false` always takes the full computation (tests hold the shortcut to it).
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, now: String,
                             schema: StrategicSchema, subresource: String?, ignoring: [FieldPath],
                             shortcut: Bool) -> JSONValue {
        let node = schema.root
        let ignored = FieldSet(ignoring)
        let oldFields = old?[path: ["metadata", "managedFields"]] ?? .null
        let newFields = new[path: ["metadata", "managedFields"]]
        // A client that sends managedFields different from the stored ones replaces them.
        let clientReplaces = !newFields.isNull && newFields != oldFields
        let source: JSONValue? = clientReplaces ? new : old
        let apiVersion = new["apiVersion"].stringValue ?? old?["apiVersion"].stringValue ?? ""
        let comparison = FieldWalk.compare(old.map(content), content(new), node: node)
        let changed = filtered(comparison.modified.union(comparison.added), ignored)
        let removed = filtered(comparison.removed, ignored)
        // Most updates touch few fields: then only the entries owning them are rewritten.
        if shortcut, old != nil, !clientReplaces,
           let kept = ManagedFieldsTable.updatedOwnership(
               stored: oldFields,
               writer: ManagedFieldsEntry(manager: manager, operation: .update, apiVersion: apiVersion,
                                          subresource: subresource, fields: FieldSet()),
               changed: changed, removed: removed, now: now) {
            return ManagedFieldsTable.object(new, managedFields: kept.isNull ? nil : kept)
        }
        var managers = ManagedFieldsTable(object: source) ?? ManagedFieldsTable()
        if managers.isEmpty, let old, !old[path: ["metadata", "uid"]].isNull, !clientReplaces {
            return ManagedFieldsTable().written(into: new)
        }

        for identity in managers.entries.keys {
            managers.entries[identity]!.fields = managers.entries[identity]!.fields.subtracting(changed).subtracting(removed)
        }
        if !changed.isEmpty {
            let identity = ManagedFieldsEntry.Identity(manager: manager, operation: .update, apiVersion: apiVersion, subresource: subresource ?? "")
            var entry = managers.entries[identity]
                ?? ManagedFieldsEntry(manager: manager, operation: .update, apiVersion: apiVersion, subresource: subresource, fields: FieldSet())
            entry.fields = entry.fields.union(changed)
            entry.time = now
            managers.entries[identity] = entry
        }
        managers.dropEmpty()
        return managers.written(into: new)
    }

    /// The parts of an object ownership is computed on (managed fields themselves excluded).
    static func content(_ object: JSONValue) -> JSONValue {
        guard case .object(var members) = object, case .object(var metadata) = members["metadata"] ?? .null else { return object }
        metadata.removeValue(forKey: "managedFields")
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    static func filtered(_ set: FieldSet, _ ignored: FieldSet) -> FieldSet {
        var result = set.subtracting(strippedPaths)
        for path in ignored.paths { result = result.removingSubtree(path) }
        return result
    }

    static func configWithoutIgnored(_ config: JSONValue, _ ignoring: [FieldPath]) -> JSONValue {
        var result = config
        for path in ignoring {
            let names = path.elements.compactMap { element -> String? in
                if case .field(let name) = element { return name } else { return nil }
            }
            guard names.count == path.elements.count, let last = names.last else { continue }
            var parent = result[path: Array(names.dropLast())]
            guard parent.isObject else { continue }
            parent.removeValue(forKey: last)
            if names.count == 1 { result = parent } else { result[path: Array(names.dropLast())] = parent }
        }
        return result
    }

    static func describe(_ failure: FieldWalk.FieldSetFailure) -> String {
        switch failure {
        case .unidentifiable(let path, let reason):
            return "the applied configuration cannot be merged at \(path): \(reason)"
        case .duplicate(let path):
            return "the applied configuration lists \(path) more than once"
        }
    }
}

extension FieldSet {
    /// This set without `path` and everything below it.
    func removingSubtree(_ path: FieldPath) -> FieldSet {
        removingSubtree(path.elements[...])
    }

    func removingSubtree(_ elements: ArraySlice<PathElement>) -> FieldSet {
        guard let first = elements.first else { return FieldSet() }
        var result = self
        if elements.count == 1 {
            result.members.remove(first)
            result.children.removeValue(forKey: first)
        } else if let child = children[first] {
            let rest = child.removingSubtree(elements.dropFirst())
            result.children[first] = rest.isEmpty ? nil : rest
        }
        return result
    }
}
