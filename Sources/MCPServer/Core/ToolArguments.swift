import KubeClient

/// A tool call's arguments with typed accessors that fail with
/// ``ToolError/invalidArgument(name:problem:)`` naming the argument.
public struct ToolArguments: Sendable {
    public let values: [String: JSONValue]

    public init(_ values: [String: JSONValue]) { self.values = values }

    public func string(_ name: String) throws(ToolError) -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw .invalidArgument(name: name, problem: "expected a string")
        }
    }

    public func requiredString(_ name: String) throws(ToolError) -> String {
        guard let value = try string(name), !value.isEmpty else {
            throw .invalidArgument(name: name, problem: "required, a non-empty string")
        }
        return value
    }

    public func int(_ name: String, range: ClosedRange<Int>? = nil) throws(ToolError) -> Int? {
        let number: Int
        switch values[name] {
        case nil, .null?: return nil
        case .int(let i)?: number = Int(i)
        case .double(let d)? where d == d.rounded() && abs(d) < 1e15: number = Int(d)
        case .string(let s)?:
            guard let parsed = Int(s) else { throw .invalidArgument(name: name, problem: "expected an integer, got '\(s)'") }
            number = parsed
        default: throw .invalidArgument(name: name, problem: "expected an integer")
        }
        if let range, !range.contains(number) {
            throw .invalidArgument(name: name, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    public func bool(_ name: String) throws(ToolError) -> Bool? {
        switch values[name] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        default: throw .invalidArgument(name: name, problem: "expected true or false")
        }
    }

    public func object(_ name: String) throws(ToolError) -> JSONValue? {
        switch values[name] {
        case nil, .null?: return nil
        case .object(let o)?: return .object(o)
        default: throw .invalidArgument(name: name, problem: "expected an object")
        }
    }

    public func array(_ name: String) throws(ToolError) -> [JSONValue]? {
        switch values[name] {
        case nil, .null?: return nil
        case .array(let a)?: return a
        default: throw .invalidArgument(name: name, problem: "expected an array")
        }
    }

    /// A label selector, checked for syntax.
    public func labelSelector(_ name: String = "labelSelector") throws(ToolError) -> String? {
        guard let text = try string(name), !text.isEmpty else { return nil }
        do {
            _ = try LabelSelector(parsing: text)
        } catch {
            throw .invalidArgument(name: name, problem: "not a label selector (e.g. app=web,tier!=db): \(error)")
        }
        return text
    }

    /// The bounds of a list: `limit` (1…500, default 50) and the `continue` token of the previous page.
    public func page(defaultLimit: Int = 50) throws(ToolError) -> (limit: Int, continueToken: String?) {
        (try int("limit", range: 1...500) ?? defaultLimit, try string("continue").flatMap { $0.isEmpty ? nil : $0 })
    }
}
