import KubeClient

/// RFC 6902 JSON Patch (`application/json-patch+json`).
///
/// Operations apply in order to a working copy; the first failing operation stops the
/// patch and its error names the operation's index, kind and path.
public enum JSONPatch {
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        guard case .array(let operations) = patch else {
            throw .bad("json patch must be a JSON array of operations, got \(patch.jsonTypeName)")
        }
        var result = document
        for (index, operation) in operations.enumerated() {
            let op = try Operation(operation, index: index)
            result = try op.apply(to: result)
        }
        return result
    }

    struct Operation {
        enum Kind: String { case add, remove, replace, move, copy, test }

        var index: Int
        var kind: Kind
        var path: JSONPointer
        var pathText: String
        var from: JSONPointer?
        var value: JSONValue?

        init(_ raw: JSONValue, index: Int) throws(PatchError) {
            self.index = index
            guard case .object(let fields) = raw else {
                throw .bad("json patch operation \(index) must be an object, got \(raw.jsonTypeName)")
            }
            guard let opName = fields["op"]?.stringValue else {
                throw .bad("json patch operation \(index) has no \"op\" string")
            }
            guard let kind = Kind(rawValue: opName) else {
                throw .bad("json patch operation \(index) has unknown op \"\(opName)\"; use add, remove, replace, move, copy or test")
            }
            self.kind = kind
            guard let pathText = fields["path"]?.stringValue else {
                throw .bad("json patch operation \(index) (\(opName)) has no \"path\" string")
            }
            self.pathText = pathText
            self.path = try JSONPointer(parsing: pathText)
            switch kind {
            case .add, .replace, .test:
                guard let value = fields["value"] else {
                    throw .bad("json patch operation \(index) (\(opName)) at \"\(pathText)\" has no \"value\"")
                }
                self.value = value
            case .move, .copy:
                guard let fromText = fields["from"]?.stringValue else {
                    throw .bad("json patch operation \(index) (\(opName)) at \"\(pathText)\" has no \"from\" string")
                }
                self.from = try JSONPointer(parsing: fromText)
            case .remove:
                break
            }
        }

        func failure(_ detail: String) -> PatchError {
            .unprocessable("json patch operation \(index) (\(kind.rawValue)) at \"\(pathText)\" failed: \(detail)")
        }

        func apply(to document: JSONValue) throws(PatchError) -> JSONValue {
            switch kind {
            case .add:
                return try adding(value!, at: path.tokens[...], in: document)
            case .remove:
                return try removing(at: path.tokens[...], in: document).document
            case .replace:
                guard path.resolve(in: document) != nil else { throw failure("no value exists at the path") }
                return try replacing(at: path.tokens[...], with: value!, in: document)
            case .move:
                let from = from!
                if from == path { return document }
                if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                    throw failure("cannot move \"\(from)\" into one of its own children")
                }
                guard from.resolve(in: document) != nil else { throw failure("\"from\" location \"\(from)\" does not exist") }
                let (rest, moved) = try removing(at: from.tokens[...], in: document)
                return try adding(moved, at: path.tokens[...], in: rest)
            case .copy:
                guard let copied = from!.resolve(in: document) else {
                    throw failure("\"from\" location \"\(from!)\" does not exist")
                }
                return try adding(copied, at: path.tokens[...], in: document)
            case .test:
                guard let actual = path.resolve(in: document) else { throw failure("no value exists at the path") }
                guard actual.semanticallyEquals(value!) else {
                    throw failure("value is \(actual.serialized()), expected \(value!.serialized())")
                }
                return document
            }
        }

        func adding(_ newValue: JSONValue, at tokens: ArraySlice<String>, in node: JSONValue) throws(PatchError) -> JSONValue {
            guard let token = tokens.first else { return newValue }
            let rest = tokens.dropFirst()
            switch node {
            case .object(var members):
                if rest.isEmpty {
                    members[token] = newValue
                } else {
                    guard let child = members[token] else { throw failure("parent \"\(token)\" does not exist") }
                    members[token] = try adding(newValue, at: rest, in: child)
                }
                return .object(members)
            case .array(var elements):
                if rest.isEmpty {
                    if token == "-" { elements.append(newValue); return .array(elements) }
                    guard let i = JSONPointer.arrayIndex(token), i <= elements.count else {
                        throw failure("array index \"\(token)\" is out of range 0...\(elements.count)")
                    }
                    elements.insert(newValue, at: i)
                    return .array(elements)
                }
                guard let i = JSONPointer.arrayIndex(token), elements.indices.contains(i) else {
                    throw failure("array index \"\(token)\" does not exist")
                }
                elements[i] = try adding(newValue, at: rest, in: elements[i])
                return .array(elements)
            default:
                throw failure("cannot add a member to a \(node.jsonTypeName)")
            }
        }

        func replacing(at tokens: ArraySlice<String>, with newValue: JSONValue, in node: JSONValue) throws(PatchError) -> JSONValue {
            guard let token = tokens.first else { return newValue }
            let rest = tokens.dropFirst()
            switch node {
            case .object(var members):
                guard let child = members[token] else { throw failure("no value exists at the path") }
                members[token] = try replacing(at: rest, with: newValue, in: child)
                return .object(members)
            case .array(var elements):
                guard let i = JSONPointer.arrayIndex(token), elements.indices.contains(i) else {
                    throw failure("array index \"\(token)\" does not exist")
                }
                elements[i] = try replacing(at: rest, with: newValue, in: elements[i])
                return .array(elements)
            default:
                throw failure("no value exists at the path")
            }
        }

        func removing(at tokens: ArraySlice<String>, in node: JSONValue) throws(PatchError) -> (document: JSONValue, removed: JSONValue) {
            guard let token = tokens.first else { throw failure("cannot remove the whole document") }
            let rest = tokens.dropFirst()
            switch node {
            case .object(var members):
                guard let child = members[token] else { throw failure("no value exists at the path") }
                if rest.isEmpty {
                    members.removeValue(forKey: token)
                    return (.object(members), child)
                }
                let (updated, removed) = try removing(at: rest, in: child)
                members[token] = updated
                return (.object(members), removed)
            case .array(var elements):
                guard let i = JSONPointer.arrayIndex(token), elements.indices.contains(i) else {
                    throw failure("array index \"\(token)\" does not exist")
                }
                if rest.isEmpty {
                    let removed = elements.remove(at: i)
                    return (.array(elements), removed)
                }
                let (updated, removed) = try removing(at: rest, in: elements[i])
                elements[i] = updated
                return (.array(elements), removed)
            default:
                throw failure("no value exists at the path")
            }
        }
    }
}
