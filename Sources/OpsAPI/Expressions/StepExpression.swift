/// A step's `condition`, as the seed writes them: `deploy-application.success`,
/// `post-deployment-validation.failed`, `assess-incident.severity == 'low'`.
///
/// - A reference is `<step>.<field>` (step names may contain dashes), `params.<name>` (the
///   run's parameters) or `run.phase` (for onExit steps). A step's fields are `success`,
///   `failed`, `skipped` (its phase) and `phase`, else one of its outputs (`outputs.<name>`
///   says so explicitly).
/// - Literals: numbers, `'text'` or `"text"`, `true`, `false`.
/// - Operators: `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `!`, parentheses.
///
/// A value that is not known (a step that has not run, a missing output) is null: it is false,
/// and compares unequal to everything. Text compares to a number as a number when it reads as one.
public indirect enum StepExpression: Sendable, Hashable {
    case literal(Value)
    case reference([String])
    case comparison(StepExpression, Comparator, StepExpression)
    case and(StepExpression, StepExpression)
    case or(StepExpression, StepExpression)
    case not(StepExpression)

    public enum Value: Sendable, Hashable {
        case text(String), number(Double), bool(Bool), null

        public var truthy: Bool {
            switch self {
            case .bool(let b): b
            case .number(let n): n != 0 && !n.isNaN
            case .text(let t): !t.isEmpty && t != "false" && t != "0"
            case .null: false
            }
        }
        var number: Double? {
            switch self {
            case .number(let n): n
            case .text(let t): Double(t)
            case .bool(let b): b ? 1 : 0
            case .null: nil
            }
        }
        var text: String? {
            switch self {
            case .text(let t): t
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case .bool(let b): String(b)
            case .null: nil
            }
        }
    }

    public enum Comparator: String, Sendable, Hashable { case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!=" }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String {
            "cannot parse condition \"\(text)\": \(reason); write e.g. `deploy-application.success` or `assess-incident.severity == 'low'`"
        }
    }

    public init(parsing text: String) throws(ParseError) {
        var parser = StepExpressionParser(text: text)
        self = try parser.parse()
    }

    /// Every reference, as its dotted segments.
    public var references: [[String]] {
        switch self {
        case .literal: []
        case .reference(let path): [path]
        case .comparison(let l, _, let r), .and(let l, let r), .or(let l, let r): l.references + r.references
        case .not(let e): e.references
        }
    }

    /// Evaluates with `resolve` answering each reference.
    public func evaluate(_ resolve: ([String]) -> Value) -> Bool { value(resolve).truthy }

    private func value(_ resolve: ([String]) -> Value) -> Value {
        switch self {
        case .literal(let v): return v
        case .reference(let path): return resolve(path)
        case .and(let l, let r): return .bool(l.evaluate(resolve) && r.evaluate(resolve))
        case .or(let l, let r): return .bool(l.evaluate(resolve) || r.evaluate(resolve))
        case .not(let e): return .bool(!e.evaluate(resolve))
        case .comparison(let l, let op, let r):
            return .bool(Self.compare(l.value(resolve), op, r.value(resolve)))
        }
    }

    static func compare(_ a: Value, _ op: Comparator, _ b: Value) -> Bool {
        if a == .null || b == .null { return op == .ne && a != b }
        let numeric: Bool
        switch (a, b) {
        case (.text, .text): numeric = false
        default: numeric = a.number != nil && b.number != nil
        }
        if numeric, let x = a.number, let y = b.number { return ordered(x, op, y) }
        if case .bool(let x) = a, case .bool(let y) = b { return op == .eq ? x == y : op == .ne ? x != y : false }
        return ordered(a.text ?? "", op, b.text ?? "")
    }

    private static func ordered<T: Comparable>(_ x: T, _ op: Comparator, _ y: T) -> Bool {
        switch op {
        case .lt: x < y
        case .le: x <= y
        case .gt: x > y
        case .ge: x >= y
        case .eq: x == y
        case .ne: x != y
        }
    }
}

/// The recursive-descent parser of ``StepExpression``.
struct StepExpressionParser {
    enum Token: Equatable { case literal(StepExpression.Value), reference([String]), op(String), lparen, rparen, end }
    let text: String
    var tokens: [Token] = []
    var position = 0

    init(text: String) { self.text = text }

    func fail(_ reason: String) -> StepExpression.ParseError { StepExpression.ParseError(text: text, reason: reason) }

    mutating func parse() throws(StepExpression.ParseError) -> StepExpression {
        tokens = try tokenize()
        let e = try parseOr()
        guard tokens[position] == .end else { throw fail("unexpected text after the expression") }
        return e
    }

    static func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }

    func tokenize() throws(StepExpression.ParseError) -> [Token] {
        var out: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            if c == "(" { out.append(.lparen); i += 1; continue }
            if c == ")" { out.append(.rparen); i += 1; continue }
            if c == "'" || c == "\"" {
                guard let end = chars[(i + 1)...].firstIndex(of: c) else { throw fail("a quoted text is not closed") }
                out.append(.literal(.text(String(chars[(i + 1)..<end]))))
                i = end + 1
                continue
            }
            if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                guard let n = Double(String(chars[i..<j])) else { throw fail("\(String(chars[i..<j])) is not a number") }
                out.append(.literal(.number(n)))
                i = j
                continue
            }
            if c.isLetter || c == "_" {
                var segments: [String] = []
                var j = i
                while true {
                    let start = j
                    while j < chars.count, Self.isNameCharacter(chars[j]) { j += 1 }
                    guard j > start else { throw fail("a reference ends with '.'") }
                    segments.append(String(chars[start..<j]))
                    guard j < chars.count, chars[j] == "." else { break }
                    j += 1
                }
                i = j
                switch segments {
                case ["true"]: out.append(.literal(.bool(true)))
                case ["false"]: out.append(.literal(.bool(false)))
                default:
                    guard segments.count >= 2 else {
                        throw fail("\"\(segments[0])\" is not a reference: write <step>.<field>, params.<name> or run.phase")
                    }
                    out.append(.reference(segments))
                }
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
            if ["<=", ">=", "==", "!=", "&&", "||"].contains(two) { out.append(.op(two)); i += 2; continue }
            if ["<", ">", "!"].contains(String(c)) { out.append(.op(String(c))); i += 1; continue }
            throw fail("unexpected character '\(c)'")
        }
        out.append(.end)
        return out
    }

    mutating func parseOr() throws(StepExpression.ParseError) -> StepExpression {
        var left = try parseAnd()
        while tokens[position] == .op("||") { position += 1; left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws(StepExpression.ParseError) -> StepExpression {
        var left = try parseComparison()
        while tokens[position] == .op("&&") { position += 1; left = .and(left, try parseComparison()) }
        return left
    }

    mutating func parseComparison() throws(StepExpression.ParseError) -> StepExpression {
        let left = try parseUnary()
        if case .op(let o) = tokens[position], let op = StepExpression.Comparator(rawValue: o) {
            position += 1
            return .comparison(left, op, try parseUnary())
        }
        return left
    }

    mutating func parseUnary() throws(StepExpression.ParseError) -> StepExpression {
        switch tokens[position] {
        case .op("!"): position += 1; return .not(try parseUnary())
        case .lparen:
            position += 1
            let e = try parseOr()
            guard tokens[position] == .rparen else { throw fail("missing ')'") }
            position += 1
            return e
        case .literal(let v): position += 1; return .literal(v)
        case .reference(let path): position += 1; return .reference(path)
        case .end: throw fail("the expression ends too early")
        default: throw fail("expected a reference, a literal or '('")
        }
    }
}
