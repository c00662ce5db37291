import KubeClient

/// Reads the members of one object of a requirements document, refusing members it does
/// not know and values of the wrong type, each with its field path and a hint.
struct FieldReader {
    let fields: [String: JSONValue]
    let path: String
    let log: IssueLog

    /// A reader over `value`, or nil (with an issue) when it is not an object. Members not
    /// in `allowed` are reported, with the nearest allowed name as the hint.
    init?(_ value: JSONValue, path: String, log: IssueLog, allowed: [String]) {
        guard let fields = value.objectValue else {
            log.add(path.isEmpty ? "(document)" : path, "must be a mapping, not \(Self.describe(value))",
                    hint: "write it as `key: value` lines")
            return nil
        }
        self.fields = fields
        self.path = path
        self.log = log
        for key in fields.keys.sorted() where !allowed.contains(key) {
            let near = Self.nearest(key, in: allowed)
            let known = "known fields: \(allowed.joined(separator: ", "))"
            log.add(child(key), "unknown field", hint: near.map { "did you mean `\($0)`? \(known)" } ?? known)
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { !(fields[key] ?? .null).isNull }

    func string(_ key: String, required: Bool = false, hint: String = "give a string") -> String? {
        guard let value = fields[key], !value.isNull else {
            if required { log.add(child(key), "is required", hint: hint) }
            return nil
        }
        if let text = value.stringValue { return text }
        if let number = value.intValue { return String(number) }
        log.add(child(key), "must be a string, not \(Self.describe(value))", hint: hint)
        return nil
    }

    func int(_ key: String, in range: ClosedRange<Int>, hint: String? = nil) -> Int? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard let number = value.intValue else {
            log.add(child(key), "must be a whole number, not \(Self.describe(value))",
                    hint: hint ?? "give a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(number) else {
            log.add(child(key), "is \(number), outside \(range.lowerBound)…\(range.upperBound)",
                    hint: hint ?? "give a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard let number = value.doubleValue, range.contains(number) else {
            log.add(child(key), "must be a number from \(range.lowerBound) to \(range.upperBound)",
                    hint: "for example \(range.lowerBound + (range.upperBound - range.lowerBound) / 20)")
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            log.add(child(key), "must be true or false, not \(Self.describe(value))", hint: "write true or false")
            return nil
        }
        return flag
    }

    /// One of `choices` (case-sensitive, as Kubernetes is).
    func choice(_ key: String, _ choices: [String]) -> String? {
        guard let text = string(key, hint: "one of \(choices.joined(separator: ", "))") else { return nil }
        guard choices.contains(text) else {
            log.add(child(key), "is \"\(text)\", not one of \(choices.joined(separator: ", "))",
                    hint: Self.nearest(text, in: choices).map { "did you mean `\($0)`?" } ?? "pick one of them")
            return nil
        }
        return text
    }

    func object(_ key: String, allowed: [String]) -> FieldReader? {
        guard let value = fields[key], !value.isNull else { return nil }
        return FieldReader(value, path: child(key), log: log, allowed: allowed)
    }

    /// The items of a list, each with its path (`ports[0]`).
    func list(_ key: String) -> [(value: JSONValue, path: String)] {
        guard let value = fields[key], !value.isNull else { return [] }
        guard let items = value.arrayValue else {
            log.add(child(key), "must be a list, not \(Self.describe(value))", hint: "write one `- item` per line")
            return []
        }
        return items.enumerated().map { ($0.element, "\(child(key))[\($0.offset)]") }
    }

    /// The members of a free-form mapping (env, config), sorted by key.
    func entries(_ key: String) -> [(key: String, value: JSONValue, path: String)] {
        guard let value = fields[key], !value.isNull else { return [] }
        guard let members = value.objectValue else {
            log.add(child(key), "must be a mapping, not \(Self.describe(value))", hint: "write `NAME: value` lines")
            return []
        }
        return members.keys.sorted().map { ($0, members[$0]!, "\(child(key)).\($0)") }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }

    /// The allowed word closest to `word` by edit distance, when it is close enough to be a typo.
    static func nearest(_ word: String, in words: [String]) -> String? {
        if let prefixed = words.first(where: { word.lowercased().hasPrefix($0.lowercased()) || $0.lowercased().hasPrefix(word.lowercased()) }),
           min(word.count, prefixed.count) >= 3 {
            return prefixed
        }
        let scored = words.map { ($0, EditDistance.between(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }
}
