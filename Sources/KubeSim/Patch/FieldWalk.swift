import KubeClient

/// Walks objects the way structured-merge-diff does: object members are `.field` paths,
/// elements of `listType: map` lists are `.key` paths, elements of `listType: set` lists are
/// `.value` paths, and atomic lists (and scalars) are leaves.
enum FieldWalk {
    typealias Node = StrategicSchema.Node

    /// The identity of a list element, or nil when it lacks a key field without a default.
    static func identity(of item: JSONValue, at index: Int, rule: StrategicSchema.ListRule) -> PathElement? {
        switch rule.type {
        case .atomic:
            return .index(index)
        case .set:
            if item.isObject || item.isArray { return nil }
            return .value(normalized(item))
        case .map(let keys):
            guard case .object(let members) = item else { return nil }
            var key: [String: JSONValue] = [:]
            for name in keys {
                if let value = members[name], !value.isNull {
                    key[name] = normalized(value)
                } else if let fallback = rule.keyDefaults[name] {
                    key[name] = fallback
                } else {
                    return nil
                }
            }
            return .key(.object(key))
        }
    }

    /// Integral doubles become integers so `80` and `80.0` name the same element.
    static func normalized(_ value: JSONValue) -> JSONValue {
        if case .double(let d) = value, d.rounded() == d, let i = Int64(exactly: d) { return .int(i) }
        return value
    }

    static func isGranularList(_ value: JSONValue, node: Node) -> Bool {
        guard value.isArray, let rule = node.list else { return false }
        return rule.type != .atomic
    }

    /// The elements of a granular list keyed by identity; nil when an element cannot be identified.
    static func indexedElements(_ list: [JSONValue], rule: StrategicSchema.ListRule) -> [(PathElement, JSONValue)]? {
        var out: [(PathElement, JSONValue)] = []
        var seen: Set<PathElement> = []
        for (index, item) in list.enumerated() {
            guard let id = identity(of: item, at: index, rule: rule) else { return nil }
            if seen.insert(id).inserted { out.append((id, item)) }
        }
        return out
    }

    // MARK: - Field sets

    enum FieldSetFailure: Error { case unidentifiable(path: FieldPath, reason: String), duplicate(path: FieldPath) }

    /// The paths an applied configuration sets (structured-merge-diff `ToFieldSet`).
    static func fieldSet(of value: JSONValue, node: Node, strict: Bool) throws(FieldSetFailure) -> FieldSet {
        var set = FieldSet()
        try collect(value, node: node, path: FieldPath([]), strict: strict, into: &set)
        return set
    }

    static func collect(_ value: JSONValue, node: Node, path: FieldPath, strict: Bool, into set: inout FieldSet) throws(FieldSetFailure) {
        switch value {
        case .object where node.isAtomic:
            if !path.elements.isEmpty { set.insert(path) }
        case .object(let members):
            for (name, child) in members {
                let childPath = path.appending(.field(name))
                try collect(child, node: node.child(name), path: childPath, strict: strict, into: &set)
                if child.isNull || child == .object([:]) { set.insert(childPath) }
            }
        case .array(let elements) where isGranularList(value, node: node):
            let rule = node.listRule
            var seen: Set<PathElement> = []
            for (index, item) in elements.enumerated() {
                guard let id = identity(of: item, at: index, rule: rule) else {
                    if strict {
                        throw .unidentifiable(path: path.appending(.index(index)), reason: missingKeyReason(item, rule: rule))
                    }
                    set.insert(path)
                    return
                }
                let itemPath = path.appending(id)
                if !seen.insert(id).inserted {
                    if strict { throw .duplicate(path: itemPath) }
                    continue
                }
                try collect(item, node: node.element, path: itemPath, strict: strict, into: &set)
                set.insert(itemPath)
            }
        default:
            if !path.elements.isEmpty { set.insert(path) }
        }
    }

    static func missingKeyReason(_ item: JSONValue, rule: StrategicSchema.ListRule) -> String {
        switch rule.type {
        case .map(let keys):
            guard item.isObject else { return "element must be an object keyed by \(keys.joined(separator: ", "))" }
            let missing = keys.filter { item[$0].isNull && rule.keyDefaults[$0] == nil }
            return "element omits key field \(missing.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .set:
            return "elements of a set list must be scalars"
        case .atomic:
            return "element cannot be identified"
        }
    }

    // MARK: - Comparison

    struct Comparison {
        var added = FieldSet()
        var modified = FieldSet()
        var removed = FieldSet()
    }

    /// Which paths were added, modified or removed going from `old` to `new`.
    static func compare(_ old: JSONValue?, _ new: JSONValue?, node: Node) -> Comparison {
        var result = Comparison()
        compare(old, new, node: node, path: FieldPath([]), into: &result)
        return result
    }

    enum Shape { case object, list, leaf }

    static func shape(_ value: JSONValue, node: Node) -> Shape {
        if value.isObject { return node.isAtomic ? .leaf : .object }
        if isGranularList(value, node: node) { return .list }
        return .leaf
    }

    static func compare(_ old: JSONValue?, _ new: JSONValue?, node: Node, path: FieldPath, into result: inout Comparison) {
        let isRoot = path.elements.isEmpty
        switch (old, new) {
        case (nil, nil):
            return
        case (nil, let new?):
            addAll(new, node: node, path: path, into: &result.added)
            return
        case (let old?, nil):
            addAll(old, node: node, path: path, into: &result.removed)
            return
        case (let old?, let new?):
            // Unchanged subtrees (most of an object on a typical write) need no walk.
            if old == new { return }
            let oldShape = shape(old, node: node)
            let newShape = shape(new, node: node)
            if oldShape != newShape || oldShape == .leaf {
                if oldShape == .leaf && newShape == .leaf {
                    if !old.semanticallyEquals(new) && !isRoot { result.modified.insert(path) }
                    return
                }
                addAll(old, node: node, path: path, into: &result.removed, includeSelf: false)
                addAll(new, node: node, path: path, into: &result.added, includeSelf: false)
                if !isRoot { result.modified.insert(path) }
                return
            }
            if oldShape == .object {
                let a = old.objectValue!, b = new.objectValue!
                for (name, value) in a {
                    compare(value, b[name], node: node.child(name), path: path.appending(.field(name)), into: &result)
                }
                for (name, value) in b where a[name] == nil {
                    compare(nil, value, node: node.child(name), path: path.appending(.field(name)), into: &result)
                }
                return
            }
            let rule = node.listRule
            guard let a = indexedElements(old.arrayValue!, rule: rule),
                  let b = indexedElements(new.arrayValue!, rule: rule) else {
                if !old.semanticallyEquals(new) && !isRoot { result.modified.insert(path) }
                return
            }
            let oldItems = Dictionary(a, uniquingKeysWith: { first, _ in first })
            let newItems = Dictionary(b, uniquingKeysWith: { first, _ in first })
            for id in Set(oldItems.keys).union(newItems.keys) {
                compare(oldItems[id], newItems[id], node: node.element, path: path.appending(id), into: &result)
            }
        }
    }

    /// Inserts `path` and every path below it.
    static func addAll(_ value: JSONValue, node: Node, path: FieldPath, into set: inout FieldSet, includeSelf: Bool = true) {
        if includeSelf && !path.elements.isEmpty { set.insert(path) }
        set.graft(paths(below: value, node: node), at: path.elements[...])
    }

    /// Every path below `value`, relative to it, built as a tree in one walk (inserting each
    /// from the root would hash every ancestor again).
    static func paths(below value: JSONValue, node: Node) -> FieldSet {
        var set = FieldSet()
        func add(_ element: PathElement, _ child: JSONValue, _ childNode: Node) {
            set.members.insert(element)
            let below = paths(below: child, node: childNode)
            if !below.isEmpty { set.children[element] = below }
        }
        switch shape(value, node: node) {
        case .object:
            for (name, child) in value.objectValue! { add(.field(name), child, node.child(name)) }
        case .list:
            guard let items = indexedElements(value.arrayValue!, rule: node.listRule) else { break }
            for (id, item) in items { add(id, item, node.element) }
        case .leaf:
            break
        }
        return set
    }
}
