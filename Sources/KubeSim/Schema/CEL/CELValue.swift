import KubeClient

/// A runtime value of the CEL subset this API server evaluates.
indirect enum CELValue: Sendable, Equatable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case list([CELValue])
    /// Maps have string keys: they come from JSON objects or from `{'k': v}` literals.
    case map([String: CELValue])

    var typeName: String {
        switch self {
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bool: return "bool"
        case .null: return "null_type"
        case .list: return "list"
        case .map: return "map"
        }
    }

    /// JSON converted the way kube-apiserver converts custom resource values: fields of
    /// `type: number` are doubles, `type: integer` are ints, objects are maps.
    init(json: JSONValue, schema: StructuralSchema.Node?) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .int(let i):
            self = schema?.type == "number" ? .double(Double(i)) : .int(i)
        case .double(let d):
            if schema?.type == "integer", d.rounded() == d, let i = Int64(exactly: d) {
                self = .int(i)
            } else {
                self = .double(d)
            }
        case .array(let items):
            let itemSchema = schema?.items
            self = .list(items.map { CELValue(json: $0, schema: itemSchema) })
        case .object(let members):
            var out: [String: CELValue] = [:]
            for (key, value) in members {
                out[key] = CELValue(json: value, schema: schema?.member(key))
            }
            self = .map(out)
        }
    }

    /// CEL equality: numbers compare across int, uint and double; other types never equal.
    func celEquals(_ other: CELValue) -> Bool {
        switch (self, other) {
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.celEquals($1) }
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b[key].map { value.celEquals($0) } ?? false }
        default:
            if let order = numericOrder(other) { return order == 0 }
            return self == other
        }
    }

    /// -1, 0 or 1 when both values are numbers.
    func numericOrder(_ other: CELValue) -> Int? {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.uint(let a), .uint(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.int(let a), .uint(let b)): return a < 0 ? -1 : compare(UInt64(a), b)
        case (.uint(let a), .int(let b)): return b < 0 ? 1 : compare(a, UInt64(b))
        default:
            guard let a = asDouble, let b = other.asDouble else { return nil }
            if a.isNaN || b.isNaN { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    private func compare(_ a: UInt64, _ b: UInt64) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The text `string(x)` and message expressions produce.
    var displayText: String {
        switch self {
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return FieldError.goFloat(d)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(let items): return "[" + items.map(\.displayText).joined(separator: ", ") + "]"
        case .map(let members):
            return "{" + members.keys.sorted().map { "\($0): \(members[$0]!.displayText)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A CEL compile or evaluation error; the text is what kube-apiserver reports.
struct CELError: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
