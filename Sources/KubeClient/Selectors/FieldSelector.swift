import Foundation

/// A field selector: `metadata.name=web,status.phase!=Running` (comma = AND; `=`, `==`, `!=`).
///
/// Values may escape `\,`, `\=` and `\\` as Kubernetes allows. A field missing from an
/// object reads as the empty string, as kube-apiserver's field sets do.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public enum Operator: String, Sendable, Hashable {
            case equals = "="
            case notEquals = "!="
        }

        /// The dotted path: `metadata.name`, `spec.nodeName`.
        public var field: String {
            didSet { path = Requirement.split(field) }
        }
        public var `operator`: Operator
        public var value: String
        /// `field` split on dots, computed once.
        public private(set) var path: [String]

        public init(field: String, operator: Operator, value: String) {
            self.field = field
            self.operator = `operator`
            self.value = value
            self.path = Requirement.split(field)
        }

        static func split(_ field: String) -> [String] {
            field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }

        public func matches(_ fieldValue: String) -> Bool {
            self.operator == .equals ? fieldValue == value : fieldValue != value
        }

        public var description: String { field + self.operator.rawValue + FieldSelector.escape(value) }
    }

    public var requirements: [Requirement]

    public init(_ requirements: [Requirement] = []) { self.requirements = requirements }

    public static let everything = FieldSelector()

    public static func equals(_ field: String, _ value: String) -> FieldSelector {
        FieldSelector([Requirement(field: field, operator: .equals, value: value)])
    }

    public var isEverything: Bool { requirements.isEmpty }

    /// Parses `field=value,field!=value`; see ``FieldSelectorParseError``.
    public init(parsing text: String) throws {
        var requirements: [Requirement] = []
        if text.allSatisfy({ $0 == " " }) {
            self.requirements = []
            return
        }
        for (term, offset) in FieldSelector.splitTerms(text) {
            requirements.append(try FieldSelector.parseTerm(term, offset: offset, selector: text))
        }
        self.requirements = requirements
    }

    /// Whether the object's fields satisfy every requirement.
    public func matches(_ object: JSONValue) -> Bool {
        for requirement in requirements {
            let value = FieldSelector.fieldText(object[path: requirement.path])
            if !requirement.matches(value) { return false }
        }
        return true
    }

    /// Whether a flat field set (`["metadata.name": "web"]`) satisfies every requirement.
    public func matches(fields: [String: String]) -> Bool {
        for requirement in requirements where !requirement.matches(fields[requirement.field] ?? "") { return false }
        return true
    }

    /// The required value of a field when the selector pins it with `=`
    /// (`metadata.name` for a single-object watch).
    public func requiredValue(of field: String) -> String? {
        requirements.first { $0.field == field && $0.operator == .equals }?.value
    }

    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// A field as text: strings as they are, numbers and booleans as JSON prints them,
    /// missing or null as "".
    static func fieldText(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double: return value.serialized()
        case .array, .object: return value.serialized()
        }
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            if c == "\\" || c == "," || c == "=" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Splits on unescaped commas, keeping each term's starting offset.
    static func splitTerms(_ text: String) -> [(String, Int)] {
        var terms: [(String, Int)] = []
        var current = ""
        var start = 0
        var offset = 0
        var escaped = false
        for c in text {
            defer { offset += c.utf8.count }
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                current.append(c)
                escaped = true
            } else if c == "," {
                terms.append((current, start))
                current = ""
                start = offset + 1
            } else {
                current.append(c)
            }
        }
        terms.append((current, start))
        return terms
    }

    static func parseTerm(_ term: String, offset: Int, selector: String) throws -> Requirement {
        func fail(_ problem: String) -> FieldSelectorParseError {
            FieldSelectorParseError(selector: selector, position: offset, problem: problem)
        }
        let chars = Array(term)
        var i = 0
        var escaped = false
        // Find the first unescaped operator.
        while i < chars.count {
            let c = chars[i]
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "!" && i + 1 < chars.count && chars[i + 1] == "=" {
                return try build(String(chars[..<i]), .notEquals, String(chars[(i + 2)...]))
            } else if c == "=" {
                let skip = (i + 1 < chars.count && chars[i + 1] == "=") ? 2 : 1
                return try build(String(chars[..<i]), .equals, String(chars[(i + skip)...]))
            }
            i += 1
        }
        if term.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail("empty requirement; remove the extra comma")
        }
        throw fail("\"\(term)\" has no operator; use field=value, field==value or field!=value")

        func build(_ rawField: String, _ op: Requirement.Operator, _ rawValue: String) throws -> Requirement {
            let field = rawField.trimmingCharacters(in: .whitespaces)
            guard !field.isEmpty else { throw fail("\"\(term)\" has no field name before the operator") }
            guard !field.contains("\\") else { throw fail("field name \"\(field)\" may not contain a backslash") }
            let value = try unescape(rawValue.trimmingCharacters(in: .whitespaces))
            return Requirement(field: field, operator: op, value: value)
        }

        func unescape(_ raw: String) throws -> String {
            var out = ""
            var escaped = false
            for c in raw {
                if escaped {
                    guard c == "\\" || c == "," || c == "=" else {
                        throw fail("invalid escape sequence \"\\\(c)\" in \"\(term)\"; only \\\\, \\, and \\= are allowed")
                    }
                    out.append(c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "=" || c == "," {
                    throw fail("unescaped \"\(c)\" in the value of \"\(term)\"; write it as \\\(c)")
                } else {
                    out.append(c)
                }
            }
            if escaped { throw fail("\"\(term)\" ends with a lone backslash") }
            return out
        }
    }
}

/// A malformed field selector: what is wrong and where.
public struct FieldSelectorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var selector: String
    public var position: Int
    public var problem: String
    public var description: String { "invalid field selector \"\(selector)\": \(problem) (at position \(position))" }
}
