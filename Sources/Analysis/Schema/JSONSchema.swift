import Foundation
import KubeClient

/// A JSON Schema document and a validator for the subset of the standard that result
/// schemas and the public OpenAPI documents use.
///
/// Supported: `$ref` to `#`, `#/definitions/…` and `#/$defs/…`; `type` (one or a list,
/// `integer` included); OpenAPI's `nullable`; `enum`, `const`; `properties`, `required`,
/// `additionalProperties` (boolean or schema); `items`, `minItems`, `maxItems`;
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`; `minLength`,
/// `maxLength`, `pattern`; `allOf`, `anyOf`, `oneOf`, `not`. Annotations (`description`,
/// `default`, `discriminator`, `format`, …) are ignored.
public struct JSONSchema: Sendable, Hashable {
    /// The whole document, against which `$ref`s resolve.
    public let document: JSONValue
    /// The schema validated against: the document itself or a definition in it.
    public let root: JSONValue

    public init(_ document: JSONValue) {
        self.document = document
        self.root = document
    }

    /// A schema defined inside a larger document (`definitions.CreateChatCompletionRequest`).
    public init(document: JSONValue, definition: String) {
        self.document = document
        self.root = ["$ref": .string("#/definitions/\(definition)")]
    }

    /// Everything in `value` that the schema does not allow; empty when valid.
    ///
    /// - Parameter limit: stop after this many violations.
    public func violations(of value: JSONValue, limit: Int = 20) -> [SchemaViolation] {
        var validator = SchemaValidator(document: document, limit: limit)
        validator.validate(value, against: root, path: "$")
        return validator.violations
    }

    public func isValid(_ value: JSONValue) -> Bool { violations(of: value, limit: 1).isEmpty }
}

/// One way a value breaks a schema.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where: `$.findings[0].severity`.
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}

struct SchemaValidator {
    let document: JSONValue
    let limit: Int
    var violations: [SchemaViolation] = []
    private var depth = 0

    init(document: JSONValue, limit: Int) {
        self.document = document
        self.limit = limit
    }

    private var full: Bool { violations.count >= limit }

    private mutating func fail(_ path: String, _ message: String) {
        guard !full else { return }
        violations.append(SchemaViolation(path: path, message: message))
    }

    mutating func validate(_ value: JSONValue, against schema: JSONValue, path: String) {
        guard !full else { return }
        switch schema {
        case .bool(true): return
        case .bool(false): fail(path, "no value is allowed here"); return
        case .object: break
        default: return
        }
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { fail(path, "schema nests too deeply (a $ref cycle?)"); return }

        if let ref = schema["$ref"].stringValue {
            guard let target = resolve(ref) else { fail(path, "unresolvable $ref \(ref)"); return }
            validate(value, against: target, path: path)
        }
        if value.isNull, schema["nullable"].boolValue == true { return }

        if let allowed = Self.types(of: schema), !allowed.contains(where: { Self.matches(value, type: $0) }) {
            fail(path, "expected \(allowed.joined(separator: " or ")), got \(Self.typeName(of: value))")
            return
        }
        if let options = schema["enum"].arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            let shown = options.prefix(8).map(\.description).joined(separator: ", ")
            fail(path, "expected one of \(shown)\(options.count > 8 ? ", …" : ""), got \(value.description.prefix(60))")
        }
        if case .object(let members) = schema, let constant = members["const"], !Self.equal(constant, value) {
            fail(path, "expected \(constant), got \(value.description.prefix(60))")
        }
        validateComposition(value, schema: schema, path: path)
        switch value {
        case .object(let object): validateObject(object, schema: schema, path: path)
        case .array(let array): validateArray(array, schema: schema, path: path)
        case .string(let string): validateString(string, schema: schema, path: path)
        case .int, .double: validateNumber(value.doubleValue ?? 0, schema: schema, path: path)
        default: break
        }
    }

    private mutating func validateComposition(_ value: JSONValue, schema: JSONValue, path: String) {
        if let all = schema["allOf"].arrayValue {
            for sub in all { validate(value, against: sub, path: path) }
        }
        if let any = schema["anyOf"].arrayValue {
            let results = any.map { branchViolations(value, $0, path) }
            if !results.contains(where: \.isEmpty) {
                fail(path, "matches none of anyOf: " + Self.closest(results))
            }
        }
        if let one = schema["oneOf"].arrayValue {
            let results = one.map { branchViolations(value, $0, path) }
            let passing = results.filter(\.isEmpty).count
            if passing == 0 {
                fail(path, "matches none of oneOf: " + Self.closest(results))
            } else if passing > 1 {
                fail(path, "matches \(passing) branches of oneOf, exactly one allowed")
            }
        }
        if case .object(let members) = schema, let not = members["not"], branchViolations(value, not, path).isEmpty {
            fail(path, "matches a schema it must not match")
        }
    }

    private mutating func validateObject(_ object: [String: JSONValue], schema: JSONValue, path: String) {
        let properties = schema["properties"].objectValue ?? [:]
        for key in schema["required"].arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil {
            fail(path, "missing required member '\(key)'")
        }
        for key in object.keys.sorted() {
            let child = "\(path).\(key)"
            if let sub = properties[key] {
                validate(object[key]!, against: sub, path: child)
            } else if case .object(let members) = schema, let additional = members["additionalProperties"] {
                if additional == .bool(false) {
                    fail(child, "member is not allowed here")
                } else {
                    validate(object[key]!, against: additional, path: child)
                }
            }
        }
    }

    private mutating func validateArray(_ array: [JSONValue], schema: JSONValue, path: String) {
        if let min = schema["minItems"].intValue, array.count < min { fail(path, "needs at least \(min) items, has \(array.count)") }
        if let max = schema["maxItems"].intValue, array.count > max { fail(path, "allows at most \(max) items, has \(array.count)") }
        if case .object(let members) = schema, let items = members["items"] {
            for (index, element) in array.enumerated() {
                validate(element, against: items, path: "\(path)[\(index)]")
            }
        }
    }

    private mutating func validateString(_ string: String, schema: JSONValue, path: String) {
        let length = string.unicodeScalars.count
        if let min = schema["minLength"].intValue, length < min { fail(path, "needs at least \(min) characters, has \(length)") }
        if let max = schema["maxLength"].intValue, length > max { fail(path, "allows at most \(max) characters, has \(length)") }
        if let pattern = schema["pattern"].stringValue {
            if let regex = try? NSRegularExpression(pattern: pattern) {
                if regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) == nil {
                    fail(path, "does not match /\(pattern)/")
                }
            } else {
                fail(path, "schema pattern /\(pattern)/ does not compile")
            }
        }
    }

    private mutating func validateNumber(_ number: Double, schema: JSONValue, path: String) {
        if let min = schema["minimum"].doubleValue, number < min { fail(path, "must be ≥ \(min), is \(number)") }
        if let max = schema["maximum"].doubleValue, number > max { fail(path, "must be ≤ \(max), is \(number)") }
        if let min = schema["exclusiveMinimum"].doubleValue, number <= min { fail(path, "must be > \(min), is \(number)") }
        if let max = schema["exclusiveMaximum"].doubleValue, number >= max { fail(path, "must be < \(max), is \(number)") }
    }

    /// The violations of one branch, without recording them.
    private func branchViolations(_ value: JSONValue, _ schema: JSONValue, _ path: String) -> [SchemaViolation] {
        var branch = SchemaValidator(document: document, limit: 5)
        branch.depth = depth
        branch.validate(value, against: schema, path: path)
        return branch.violations
    }

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node = document
        for raw in ref.dropFirst().split(separator: "/") {
            let key = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard case .object(let members) = node, let next = members[key] else { return nil }
            node = next
        }
        return node
    }

    // MARK: helpers

    private static func closest(_ branches: [[SchemaViolation]]) -> String {
        guard let best = branches.min(by: { $0.count < $1.count }), let first = best.first else { return "" }
        return first.description
    }

    private static func types(of schema: JSONValue) -> [String]? {
        switch schema["type"] {
        case .string(let one): return [one]
        case .array(let many): return many.compactMap(\.stringValue)
        default: return nil
        }
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .int), ("number", .double): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d.isFinite && d == d.rounded()
        default: return false
        }
    }

    static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// JSON equality, with 1 and 1.0 equal.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}
