import KubeClient

/// Removing fields a structural schema does not declare (apiextensions' pruning).
enum SchemaPruning {
    typealias Node = StructuralSchema.Node

    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]

    struct State {
        var unknown: [String] = []
    }

    static func prune(_ value: JSONValue, node: Node?, path: String, resourceRoot: Bool, state: inout State) -> JSONValue {
        pruned(value, node: node, path: { path }, resourceRoot: resourceRoot, state: &state) ?? value
    }

    // The walkers below return nil when nothing changes, so an unchanged subtree keeps its
    // storage: later steps (validation ratcheting, field ownership) then compare it to the
    // stored object by identity instead of walking it. Paths are built only when reported.

    static func pruned(_ value: JSONValue, node: Node?, path: () -> String, resourceRoot: Bool, state: inout State) -> JSONValue? {
        if let node, node.preserveUnknownFields { return skipPruned(value, node: node, path: path, resourceRoot: resourceRoot, state: &state) }
        switch value {
        case .object(let members):
            guard let node else {
                for name in members.keys { state.unknown.append(join(path(), name)) }
                return members.isEmpty ? nil : .object([:])
            }
            var out = members
            var changed = false
            let embedded = node.embeddedResource || resourceRoot
            for (name, child) in members {
                switch prunedMember(name, child, node: node, embedded: embedded, path: path, state: &state) {
                case .kept:
                    continue
                case .replaced(let replacement):
                    out[name] = replacement
                case .undeclared:
                    if !metaFields.contains(name) || !path().isEmpty { state.unknown.append(join(path(), name)) }
                    out.removeValue(forKey: name)
                }
                changed = true
            }
            return changed ? .object(out) : nil
        case .array(let items):
            var out = items
            var changed = false
            for (i, item) in items.enumerated() {
                if let replacement = pruned(item, node: node?.items, path: { "\(path())[\(i)]" }, resourceRoot: false, state: &state) {
                    out[i] = replacement
                    changed = true
                }
            }
            return changed ? .array(out) : nil
        default:
            return nil
        }
    }

    enum MemberOutcome {
        case kept
        case replaced(JSONValue)
        /// Neither a property nor covered by additionalProperties.
        case undeclared
    }

    /// One member of an object under `node` (an embedded resource's or the root's `metadata`
    /// is pruned to ObjectMeta; `apiVersion` and `kind` stay).
    static func prunedMember(_ name: String, _ child: JSONValue, node: Node, embedded: Bool, path: () -> String,
                             state: inout State) -> MemberOutcome {
        if embedded && metaFields.contains(name) {
            guard name == "metadata", let replacement = prunedObjectMeta(child, path: { join(path(), name) }, state: &state)
            else { return .kept }
            return .replaced(replacement)
        }
        guard let schema = node.properties[name] ?? node.additionalProperties else { return .undeclared }
        let replacement = pruned(child, node: schema, path: { join(path(), name) }, resourceRoot: false, state: &state)
        return replacement.map(MemberOutcome.replaced) ?? .kept
    }

    static func skipPrune(_ value: JSONValue, node: Node, path: String, resourceRoot: Bool, state: inout State) -> JSONValue {
        skipPruned(value, node: node, path: { path }, resourceRoot: resourceRoot, state: &state) ?? value
    }

    static func skipPruned(_ value: JSONValue, node: Node, path: () -> String, resourceRoot: Bool, state: inout State) -> JSONValue? {
        switch value {
        case .object(var members):
            var changed = false
            let embedded = node.embeddedResource || resourceRoot
            for (name, child) in members {
                // Undeclared members stay: the schema preserves unknown fields here.
                if case .replaced(let replacement) = prunedMember(name, child, node: node, embedded: embedded, path: path, state: &state) {
                    members[name] = replacement
                    changed = true
                }
            }
            return changed ? .object(members) : nil
        case .array(let items):
            guard let itemSchema = node.items else { return nil }
            var out = items
            var changed = false
            for (i, item) in items.enumerated() {
                let replacement = itemSchema.preserveUnknownFields
                    ? skipPruned(item, node: itemSchema, path: { "\(path())[\(i)]" }, resourceRoot: false, state: &state)
                    : pruned(item, node: itemSchema, path: { "\(path())[\(i)]" }, resourceRoot: false, state: &state)
                if let replacement { out[i] = replacement; changed = true }
            }
            return changed ? .array(out) : nil
        default:
            return nil
        }
    }

    /// Unknown ObjectMeta fields are dropped and reported too.
    static func pruneObjectMeta(_ value: JSONValue, path: String, state: inout State) -> JSONValue {
        prunedObjectMeta(value, path: { path }, state: &state) ?? value
    }

    static func prunedObjectMeta(_ value: JSONValue, path: () -> String, state: inout State) -> JSONValue? {
        guard case .object(var members) = value else { return nil }
        var changed = false
        for name in members.keys where !objectMetaFields.contains(name) {
            state.unknown.append(join(path(), name))
            members.removeValue(forKey: name)
            changed = true
        }
        return changed ? .object(members) : nil
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}

/// Defaulting and null removal (apiextensions' structural defaulting).
enum SchemaDefaulting {
    typealias Node = StructuralSchema.Node

    static func isNonNullableNull(_ value: JSONValue?, _ node: Node?) -> Bool {
        guard let value, let node else { return false }
        return value.isNull && !node.nullable
    }

    static func apply(_ value: JSONValue, node: Node?) -> JSONValue {
        applied(value, node: node) ?? value
    }

    /// The defaulted value, nil when no default applies anywhere below (storage kept).
    static func applied(_ value: JSONValue, node: Node?) -> JSONValue? {
        guard let node else { return nil }
        switch value {
        case .object(let original):
            var members = original
            var changed = false
            for (name, property) in node.properties {
                guard let fallback = property.defaultValue else { continue }
                if members[name] == nil || isNonNullableNull(members[name], property) { members[name] = fallback; changed = true }
            }
            for (name, child) in members {
                if let property = node.properties[name] {
                    if let replacement = applied(child, node: property) { members[name] = replacement; changed = true }
                } else if let values = node.additionalProperties {
                    var current = child
                    var replaced = false
                    if isNonNullableNull(current, values), let fallback = values.defaultValue { current = fallback; replaced = true }
                    if let replacement = applied(current, node: values) { current = replacement; replaced = true }
                    if replaced { members[name] = current; changed = true }
                }
            }
            return changed ? .object(members) : nil
        case .array(let original):
            guard let itemSchema = node.items else { return nil }
            var items = original
            var changed = false
            for i in items.indices {
                var item = items[i]
                var replaced = false
                if isNonNullableNull(item, itemSchema), let fallback = itemSchema.defaultValue { item = fallback; replaced = true }
                if let replacement = applied(item, node: itemSchema) { item = replacement; replaced = true }
                if replaced { items[i] = item; changed = true }
            }
            return changed ? .array(items) : nil
        default:
            return nil
        }
    }

    /// Drops `null` where the schema neither allows it nor has a default to put instead.
    static func pruneNulls(_ value: JSONValue, node: Node?) -> JSONValue {
        withoutNulls(value, node: node) ?? value
    }

    /// Nil when there is no null to drop below (storage kept).
    static func withoutNulls(_ value: JSONValue, node: Node?) -> JSONValue? {
        switch value {
        case .object(let members):
            var out = members
            var changed = false
            for (name, child) in members {
                let schema = node?.member(name)
                if let schema, child.isNull, !schema.nullable, schema.defaultValue == nil {
                    out.removeValue(forKey: name)
                    changed = true
                } else if let replacement = withoutNulls(child, node: schema) {
                    out[name] = replacement
                    changed = true
                }
            }
            return changed ? .object(out) : nil
        case .array(let items):
            var out = items
            var changed = false
            for (i, item) in items.enumerated() {
                if let replacement = withoutNulls(item, node: node?.items) { out[i] = replacement; changed = true }
            }
            return changed ? .array(out) : nil
        default:
            return nil
        }
    }
}
