import KubeClient

extension JSONValue {
    /// Equality as JSON defines it: numbers compare by value (`1 == 1.0`), objects ignore key
    /// order, arrays compare element by element.
    public func semanticallyEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double):
            return doubleValue == other.doubleValue
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { $0.semanticallyEquals($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let counterpart = b[key], value.semanticallyEquals(counterpart) else { return false }
            }
            return true
        default:
            return self == other
        }
    }

    /// A short name of the JSON type, as OpenAPI spells it (`string`, `integer`, `object`…).
    public var jsonTypeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    var isObject: Bool { if case .object = self { return true } else { return false } }
    var isArray: Bool { if case .array = self { return true } else { return false } }
}
