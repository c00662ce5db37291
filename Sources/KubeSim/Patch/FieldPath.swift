import KubeClient

/// One step of a path into an object, as structured-merge-diff names them.
public enum PathElement: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A member of an object: `f:name`.
    case field(String)
    /// An element of an associative list, by its key fields: `k:{"name":"c"}`.
    case key(JSONValue)
    /// An element of a set list, by its value: `v:"x"`.
    case value(JSONValue)
    /// An element of a list identified only by position: `i:0`.
    case index(Int)

    /// The fieldsV1 spelling (`f:replicas`, `k:{"name":"c"}`, `v:"x"`, `i:0`).
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields): return "k:" + fields.serialized()
        case .value(let value): return "v:" + value.serialized()
        case .index(let index): return "i:\(index)"
        }
    }

    /// Parses a fieldsV1 key; nil when it is not one.
    public init?(fieldsV1Key text: String) {
        guard text.count >= 2, text.dropFirst().first == ":" else { return nil }
        let body = String(text.dropFirst(2))
        switch text.first {
        case "f": self = .field(body)
        case "k":
            guard let parsed = try? JSONValue(parsing: body), parsed.isObject else { return nil }
            self = .key(parsed)
        case "v":
            guard let parsed = try? JSONValue(parsing: body) else { return nil }
            self = .value(parsed)
        case "i":
            guard let index = Int(body) else { return nil }
            self = .index(index)
        default:
            return nil
        }
    }

    /// The path text structured-merge-diff prints: `.name`, `[name="c"]`, `[="x"]`, `[0]`.
    public var description: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields):
            let parts = (fields.objectValue ?? [:]).keys.sorted().map { "\($0)=\(fields[$0].serialized())" }
            return "[" + parts.joined(separator: ",") + "]"
        case .value(let value): return "[=\(value.serialized())]"
        case .index(let index): return "[\(index)]"
        }
    }

    var rank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }

    public static func < (lhs: PathElement, rhs: PathElement) -> Bool {
        if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
        switch (lhs, rhs) {
        case (.field(let a), .field(let b)): return a < b
        case (.index(let a), .index(let b)): return a < b
        default: return lhs.fieldsV1Key < rhs.fieldsV1Key
        }
    }
}

/// A path from the root of an object, e.g. `.spec.template.spec.containers[name="c"].image`.
public struct FieldPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var elements: [PathElement]

    public init(_ elements: [PathElement]) { self.elements = elements }

    /// A path of object members, e.g. `FieldPath(fields: "spec", "replicas")`.
    public init(fields names: String...) { self.elements = names.map(PathElement.field) }

    public var description: String { elements.map(\.description).joined() }

    public func appending(_ element: PathElement) -> FieldPath { FieldPath(elements + [element]) }

    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool {
        lhs.elements.lexicographicallyPrecedes(rhs.elements)
    }
}
