/// A success or failure condition over a measurement, as users write them in checks:
/// `result < 0.05`, `result >= 0.9 && result <= 1`, `!(result > 100)`, `result == 0 || result > 10`.
///
/// A tiny expression language — numbers, `result`, comparisons, `&&`, `||`, `!`, parentheses —
/// parsed once when the spec is validated and evaluated for every measurement.
public indirect enum ConditionExpression: Sendable, Hashable {
    case number(Double)
    case result
    case comparison(ConditionExpression, Comparator, ConditionExpression)
    case and(ConditionExpression, ConditionExpression)
    case or(ConditionExpression, ConditionExpression)
    case not(ConditionExpression)

    public enum Comparator: String, Sendable, Hashable { case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!=" }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "cannot parse condition \"\(text)\": \(reason); write e.g. `result < 0.05` or `result >= 1 && result <= 5`" }
    }

    public init(parsing text: String) throws(ParseError) {
        var parser = Parser(text: text)
        self = try parser.parse()
    }

    /// Evaluates the condition for a measured value. NaN compares false, as in PromQL.
    public func evaluate(result value: Double) -> Bool {
        switch self {
        case .number(let n): return n != 0
        case .result: return value != 0 && !value.isNaN
        case .comparison(let l, let op, let r):
            let a = l.numeric(value), b = r.numeric(value)
            switch op {
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            case .ge: return a >= b
            case .eq: return a == b
            case .ne: return a != b
            }
        case .and(let l, let r): return l.evaluate(result: value) && r.evaluate(result: value)
        case .or(let l, let r): return l.evaluate(result: value) || r.evaluate(result: value)
        case .not(let e): return !e.evaluate(result: value)
        }
    }

    private func numeric(_ value: Double) -> Double {
        switch self {
        case .number(let n): return n
        case .result: return value
        default: return evaluate(result: value) ? 1 : 0
        }
    }

    struct Parser {
        enum Token: Equatable { case number(Double), result, op(String), lparen, rparen, end }
        let text: String
        var tokens: [Token] = []
        var position = 0

        init(text: String) { self.text = text }

        mutating func parse() throws(ParseError) -> ConditionExpression {
            tokens = try tokenize()
            let e = try parseOr()
            guard tokens[position] == .end else { throw ParseError(text: text, reason: "unexpected text after the expression") }
            return e
        }

        func tokenize() throws(ParseError) -> [Token] {
            var out: [Token] = []
            let chars = Array(text)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c == " " || c == "\t" { i += 1; continue }
                if c == "(" { out.append(.lparen); i += 1; continue }
                if c == ")" { out.append(.rparen); i += 1; continue }
                if c.isNumber || c == "." || (c == "-" && i + 1 < chars.count && (chars[i + 1].isNumber || chars[i + 1] == ".")
                                              && (out.last == nil || { if case .op = out.last! { return true }; return out.last! == .lparen }())) {
                    var j = i + 1
                    while j < chars.count, chars[j].isNumber || chars[j] == "." || chars[j] == "e" || chars[j] == "E"
                            || ((chars[j] == "-" || chars[j] == "+") && (chars[j - 1] == "e" || chars[j - 1] == "E")) { j += 1 }
                    guard let n = Double(String(chars[i..<j])) else { throw ParseError(text: text, reason: "\(String(chars[i..<j])) is not a number") }
                    out.append(.number(n))
                    i = j
                    continue
                }
                if c.isLetter {
                    var j = i
                    while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                    let word = String(chars[i..<j])
                    guard word == "result" else { throw ParseError(text: text, reason: "unknown name \"\(word)\" (only `result` is defined)") }
                    out.append(.result)
                    i = j
                    continue
                }
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["<=", ">=", "==", "!=", "&&", "||"].contains(two) { out.append(.op(two)); i += 2; continue }
                if ["<", ">", "!"].contains(String(c)) { out.append(.op(String(c))); i += 1; continue }
                throw ParseError(text: text, reason: "unexpected character '\(c)'")
            }
            out.append(.end)
            return out
        }

        mutating func parseOr() throws(ParseError) -> ConditionExpression {
            var left = try parseAnd()
            while tokens[position] == .op("||") { position += 1; left = .or(left, try parseAnd()) }
            return left
        }

        mutating func parseAnd() throws(ParseError) -> ConditionExpression {
            var left = try parseComparison()
            while tokens[position] == .op("&&") { position += 1; left = .and(left, try parseComparison()) }
            return left
        }

        mutating func parseComparison() throws(ParseError) -> ConditionExpression {
            let left = try parseUnary()
            if case .op(let o) = tokens[position], let op = Comparator(rawValue: o) {
                position += 1
                return .comparison(left, op, try parseUnary())
            }
            return left
        }

        mutating func parseUnary() throws(ParseError) -> ConditionExpression {
            switch tokens[position] {
            case .op("!"): position += 1; return .not(try parseUnary())
            case .lparen:
                position += 1
                let e = try parseOr()
                guard tokens[position] == .rparen else { throw ParseError(text: text, reason: "missing ')'") }
                position += 1
                return e
            case .number(let n): position += 1; return .number(n)
            case .result: position += 1; return .result
            case .end: throw ParseError(text: text, reason: "the expression ends too early")
            default: throw ParseError(text: text, reason: "expected `result`, a number or '('")
            }
        }
    }
}
