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
        if let node, node.preserveUnknownFields { return skipPrune(value, node: node, path: path, resourceRoot: resourceRoot, state: &state) }
        switch value {
        case .object(let members):
            guard let node else {
                for name in members.keys { state.unknown.append(join(path, name)) }
                return .object([:])
            }
            var out: [String: JSONValue] = [:]
            let embedded = node.embeddedResource || resourceRoot
            for (name, child) in members {
                if embedded && metaFields.contains(name) {
                    out[name] = name == "metadata" ? pruneObjectMeta(child, path: join(path, name), state: &state) : child
                } else if let property = node.properties[name] {
                    out[name] = prune(child, node: property, path: join(path, name), resourceRoot: false, state: &state)
                } else if let values = node.additionalProperties {
                    out[name] = prune(child, node: values, path: join(path, name), resourceRoot: false, state: &state)
                } else {
                    if !metaFields.contains(name) || !path.isEmpty { state.unknown.append(join(path, name)) }
                }
            }
            return .object(out)
        case .array(let items):
            return .array(items.enumerated().map { i, item in
                prune(item, node: node?.items, path: "\(path)[\(i)]", resourceRoot: false, state: &state)
            })
        default:
            return value
        }
    }

    static func skipPrune(_ value: JSONValue, node: Node, path: String, resourceRoot: Bool, state: inout State) -> JSONValue {
        switch value {
        case .object(var members):
            let embedded = node.embeddedResource || resourceRoot
            for (name, child) in members {
                if embedded && metaFields.contains(name) {
                    if name == "metadata" { members[name] = pruneObjectMeta(child, path: join(path, name), state: &state) }
                } else if let property = node.properties[name] {
                    members[name] = prune(child, node: property, path: join(path, name), resourceRoot: false, state: &state)
                } else if let values = node.additionalProperties {
                    members[name] = prune(child, node: values, path: join(path, name), resourceRoot: false, state: &state)
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = node.items else { return value }
            return .array(items.enumerated().map { i, item in
                itemSchema.preserveUnknownFields
                    ? skipPrune(item, node: itemSchema, path: "\(path)[\(i)]", resourceRoot: false, state: &state)
                    : prune(item, node: itemSchema, path: "\(path)[\(i)]", resourceRoot: false, state: &state)
            })
        default:
            return value
        }
    }

    /// Unknown ObjectMeta fields are dropped and reported too.
    static func pruneObjectMeta(_ value: JSONValue, path: String, state: inout State) -> JSONValue {
        guard case .object(let members) = value else { return value }
        var out: [String: JSONValue] = [:]
        for (name, child) in members {
            if objectMetaFields.contains(name) {
                out[name] = child
            } else {
                state.unknown.append(join(path, name))
            }
        }
        return .object(out)
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
        guard let node else { return value }
        switch value {
        case .object(var members):
            for (name, property) in node.properties {
                guard let fallback = property.defaultValue else { continue }
                if members[name] == nil || isNonNullableNull(members[name], property) { members[name] = fallback }
            }
            for (name, child) in members {
                if let property = node.properties[name] {
                    members[name] = apply(child, node: property)
                } else if let values = node.additionalProperties {
                    var current = child
                    if isNonNullableNull(current, values), let fallback = values.defaultValue { current = fallback }
                    members[name] = apply(current, node: values)
                }
            }
            return .object(members)
        case .array(var items):
            guard let itemSchema = node.items else { return value }
            for i in items.indices {
                if isNonNullableNull(items[i], itemSchema), let fallback = itemSchema.defaultValue { items[i] = fallback }
                items[i] = apply(items[i], node: itemSchema)
            }
            return .array(items)
        default:
            return value
        }
    }

    /// Drops `null` where the schema neither allows it nor has a default to put instead.
    static func pruneNulls(_ value: JSONValue, node: Node?) -> JSONValue {
        switch value {
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (name, child) in members {
                let schema = node?.member(name)
                if let schema, child.isNull, !schema.nullable, schema.defaultValue == nil { continue }
                out[name] = pruneNulls(child, node: schema)
            }
            return .object(out)
        case .array(let items):
            return .array(items.map { pruneNulls($0, node: node?.items) })
        default:
            return value
        }
    }
}
