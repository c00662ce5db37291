import Foundation
import KubeClient

/// The JSONPath subset CRD printer columns use (k8s.io/client-go/util/jsonpath):
/// `.status.phase`, `.spec.items[0].name`, `.spec.items[*].name`, `.metadata.labels['app']`,
/// `.metadata.labels.app\.kubernetes\.io/name`, and filters such as
/// `.status.conditions[?(@.type=="Ready")].status`.
public struct JSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case field(String)
        case index(Int)
        case slice(start: Int?, end: Int?)
        case wildcard
        case filter(Filter)
    }

    struct Filter: Sendable, Hashable {
        var path: [String]
        var op: String?
        var literal: JSONValue?
    }

    let steps: [Step]
    public let text: String

    /// Parses a path; braces (`{.status.phase}`) are optional.
    public init(_ text: String) throws(TableError) {
        self.text = text
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("{") && body.hasSuffix("}") { body = body.dropFirst().dropLast() }
        var parser = Parser(chars: Array(body))
        steps = try parser.parse(original: text)
    }

    /// Every value the path selects (missing keys select nothing).
    public func values(in document: JSONValue) -> [JSONValue] {
        var current = [document]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .field(let name):
                    if case .object(let members) = value, let child = members[name] { next.append(child) }
                case .index(let i):
                    if case .array(let items) = value {
                        let at = i < 0 ? items.count + i : i
                        if items.indices.contains(at) { next.append(items[at]) }
                    }
                case .slice(let start, let end):
                    if case .array(let items) = value {
                        let lower = max(0, min(items.count, start.map { $0 < 0 ? items.count + $0 : $0 } ?? 0))
                        let upper = max(lower, min(items.count, end.map { $0 < 0 ? items.count + $0 : $0 } ?? items.count))
                        next.append(contentsOf: items[lower..<upper])
                    }
                case .wildcard:
                    switch value {
                    case .array(let items): next.append(contentsOf: items)
                    case .object(let members): next.append(contentsOf: members.keys.sorted().map { members[$0]! })
                    default: break
                    }
                case .filter(let filter):
                    guard case .array(let items) = value else { continue }
                    next.append(contentsOf: items.filter { filter.matches($0) })
                }
            }
            current = next
        }
        return current
    }

    struct Parser {
        let chars: [Character]
        var i = 0

        mutating func parse(original: String) throws(TableError) -> [Step] {
            var steps: [Step] = []
            func fail(_ why: String) -> TableError { TableError(message: "unrecognized JSONPath \"\(original)\": \(why)") }
            if chars.isEmpty { throw fail("the path is empty") }
            while i < chars.count {
                switch chars[i] {
                case ".":
                    i += 1
                    if i < chars.count && chars[i] == "*" { i += 1; steps.append(.wildcard); continue }
                    if i < chars.count && chars[i] == "." { throw fail("recursive descent (..) is not supported") }
                    var name = ""
                    while i < chars.count && chars[i] != "." && chars[i] != "[" {
                        if chars[i] == "\\" && i + 1 < chars.count { i += 1 }
                        name.append(chars[i])
                        i += 1
                    }
                    if name.isEmpty { throw fail("a field name is missing after \".\"") }
                    steps.append(.field(name))
                case "[":
                    i += 1
                    guard let close = closingBracket() else { throw fail("\"[\" is not closed") }
                    let inside = String(chars[i..<close]).trimmingCharacters(in: .whitespaces)
                    i = close + 1
                    steps.append(try bracket(inside, fail: fail))
                default:
                    if steps.isEmpty {
                        // A leading name without a dot, as in `metadata.name`.
                        var name = ""
                        while i < chars.count && chars[i] != "." && chars[i] != "[" { name.append(chars[i]); i += 1 }
                        steps.append(.field(name))
                    } else {
                        throw fail("unexpected \"\(chars[i])\"")
                    }
                }
            }
            return steps
        }

        func closingBracket() -> Int? {
            var quote: Character?
            var depth = 0
            var j = i
            while j < chars.count {
                let c = chars[j]
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == "'" || c == "\"" {
                    quote = c
                } else if c == "(" {
                    depth += 1
                } else if c == ")" {
                    depth -= 1
                } else if c == "]" && depth == 0 {
                    return j
                }
                j += 1
            }
            return nil
        }

        func bracket(_ inside: String, fail: (String) -> TableError) throws(TableError) -> Step {
            if inside == "*" { return .wildcard }
            if let quoted = unquote(inside) { return .field(quoted) }
            if let index = Int(inside) { return .index(index) }
            if inside.contains(":") {
                let parts = inside.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { throw fail("slices with a step are not supported") }
                return .slice(start: Int(parts[0]), end: Int(parts[1]))
            }
            if inside.hasPrefix("?(") && inside.hasSuffix(")") {
                let expression = inside.dropFirst(2).dropLast().trimmingCharacters(in: .whitespaces)
                return .filter(try filter(expression, fail: fail))
            }
            throw fail("\"[\(inside)]\" is not an index, a quoted key, * or a filter")
        }

        func filter(_ text: String, fail: (String) -> TableError) throws(TableError) -> Filter {
            for op in ["==", "!=", "<=", ">=", "<", ">"] {
                if let range = text.range(of: op) {
                    let left = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                    let right = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
                    guard let path = relativePath(left) else { throw fail("a filter must start with @") }
                    let literal: JSONValue
                    if let s = unquote(right) {
                        literal = .string(s)
                    } else if let parsed = try? JSONValue(parsing: right), !parsed.isArray, !parsed.isObject {
                        literal = parsed
                    } else {
                        throw fail("\"\(right)\" is not a literal")
                    }
                    return Filter(path: path, op: op, literal: literal)
                }
            }
            guard let path = relativePath(text) else { throw fail("a filter must start with @") }
            return Filter(path: path, op: nil, literal: nil)
        }

        func relativePath(_ text: String) -> [String]? {
            guard text.hasPrefix("@") else { return nil }
            return text.dropFirst().split(separator: ".").map(String.init)
        }

        func unquote(_ text: String) -> String? {
            guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else { return nil }
            return String(text.dropFirst().dropLast())
        }
    }
}

extension JSONPath.Filter {
    func matches(_ item: JSONValue) -> Bool {
        var value: JSONValue? = item
        for name in path {
            guard case .object(let members) = value ?? .null, let next = members[name] else { value = nil; break }
            value = next
        }
        guard let value else { return false }
        guard let op, let literal else { return true }
        switch op {
        case "==": return value.semanticallyEquals(literal)
        case "!=": return !value.semanticallyEquals(literal)
        default:
            if let a = value.doubleValue, let b = literal.doubleValue {
                switch op {
                case "<": return a < b
                case "<=": return a <= b
                case ">": return a > b
                default: return a >= b
                }
            }
            if case .string(let a) = value, case .string(let b) = literal {
                switch op {
                case "<": return a < b
                case "<=": return a <= b
                case ">": return a > b
                default: return a >= b
                }
            }
            return false
        }
    }
}
