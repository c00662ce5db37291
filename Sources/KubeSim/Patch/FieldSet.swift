import KubeClient

/// A set of field paths stored as a tree, the ownership unit of server-side apply.
///
/// A path is a *member* when it is itself in the set; a node can also have *children*
/// (deeper paths). The fieldsV1 encoding writes members as `{}` and marks a member that also
/// has children with `".": {}`, exactly as `metadata.managedFields[].fieldsV1` shows it.
public struct FieldSet: Sendable, Hashable {
    var members: Set<PathElement> = []
    var children: [PathElement: FieldSet] = [:]

    public init() {}

    public init(_ paths: some Sequence<FieldPath>) {
        for path in paths { insert(path) }
    }

    public var isEmpty: Bool { members.isEmpty && children.isEmpty }

    public mutating func insert(_ path: FieldPath) {
        insert(path.elements[...])
    }

    mutating func insert(_ elements: ArraySlice<PathElement>) {
        guard let first = elements.first else { return }
        if elements.count == 1 {
            members.insert(first)
        } else {
            children[first, default: FieldSet()].insert(elements.dropFirst())
        }
    }

    /// Adds `other`, whose paths are relative to `elements`, below that path.
    mutating func graft(_ other: FieldSet, at elements: ArraySlice<PathElement>) {
        if other.isEmpty { return }
        guard let first = elements.first else { return formUnion(other) }
        children[first, default: FieldSet()].graft(other, at: elements.dropFirst())
    }

    public func contains(_ path: FieldPath) -> Bool { contains(path.elements[...]) }

    func contains(_ elements: ArraySlice<PathElement>) -> Bool {
        guard let first = elements.first else { return false }
        if elements.count == 1 { return members.contains(first) }
        return children[first]?.contains(elements.dropFirst()) ?? false
    }

    /// Every path in the set, sorted.
    public var paths: [FieldPath] {
        var out: [FieldPath] = []
        collect(prefix: [], into: &out)
        return out.sorted()
    }

    func collect(prefix: [PathElement], into out: inout [FieldPath]) {
        for member in members { out.append(FieldPath(prefix + [member])) }
        for (element, child) in children { child.collect(prefix: prefix + [element], into: &out) }
    }

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.formUnion(other)
        return result
    }

    /// Adds every path of `other`, in place.
    public mutating func formUnion(_ other: FieldSet) {
        members.formUnion(other.members)
        for (element, child) in other.children where !child.isEmpty {
            children[element, default: FieldSet()].formUnion(child)
        }
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.intersection(other.members)
        for (element, child) in children {
            guard let counterpart = other.children[element] else { continue }
            let shared = child.intersection(counterpart)
            if !shared.isEmpty { result.children[element] = shared }
        }
        return result
    }

    /// Paths of this set that are not in `other` (paths are compared one by one; removing a
    /// path does not remove the paths below it).
    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.subtracting(other.members)
        for (element, child) in children {
            let rest = other.children[element].map { child.subtracting($0) } ?? child
            if !rest.isEmpty { result.children[element] = rest }
        }
        return result
    }

    /// This set plus every path that leads to one of its paths.
    public var withAncestors: FieldSet {
        var result = FieldSet()
        for (element, child) in children {
            result.members.insert(element)
            result.children[element] = child.withAncestors
        }
        result.members.formUnion(members)
        return result
    }

    /// The fieldsV1 JSON of this set.
    public var fieldsV1: JSONValue { encode(includeSelf: false) }

    func encode(includeSelf: Bool) -> JSONValue {
        var out: [String: JSONValue] = [:]
        if includeSelf { out["."] = .object([:]) }
        for member in members where children[member] == nil {
            out[member.fieldsV1Key] = .object([:])
        }
        for (element, child) in children {
            out[element.fieldsV1Key] = child.encode(includeSelf: members.contains(element))
        }
        return .object(out)
    }

    /// Reads a fieldsV1 JSON object; nil when it is not one.
    public init?(fieldsV1: JSONValue) {
        guard case .object(let entries) = fieldsV1 else { return nil }
        self.init()
        for (key, value) in entries {
            if key == "." { continue }
            guard let element = PathElement(fieldsV1Key: key), case .object(let nested) = value else { return nil }
            if nested.isEmpty {
                members.insert(element)
                continue
            }
            guard let child = FieldSet(fieldsV1: value) else { return nil }
            if nested["."] != nil { members.insert(element) }
            if !child.isEmpty { children[element] = child }
        }
    }
}
