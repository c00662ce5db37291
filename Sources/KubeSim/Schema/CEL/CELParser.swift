/// The syntax tree of a CEL expression.
indirect enum CELExpr: Sendable {
    case literal(CELValue)
    case ident(String)
    case select(CELExpr, String)
    /// `has(operand.field)`.
    case presence(CELExpr, String)
    case index(CELExpr, CELExpr)
    case call(String, target: CELExpr?, args: [CELExpr])
    case list([CELExpr])
    case map([MapEntry])
    case unary(String, CELExpr)
    case binary(String, CELExpr, CELExpr)
    case conditional(CELExpr, CELExpr, CELExpr)
    /// `range.all(x, p)`, `exists`, `exists_one`, `filter`, and `map` (with an optional filter).
    case comprehension(Comprehension)

    struct MapEntry: Sendable { var key: CELExpr; var value: CELExpr }

    struct Comprehension: Sendable {
        enum Kind: String, Sendable { case all, exists, existsOne = "exists_one", map, filter }
        var kind: Kind
        var range: CELExpr
        var variable: String
        var predicate: CELExpr
        /// For `map(x, filter, transform)`; for `map(x, transform)` the transform is `predicate`.
        var transform: CELExpr?
    }
}

/// A recursive-descent parser for CEL (cel-spec grammar, without protobuf messages).
struct CELParser {
    let tokens: [(CELToken, Int)]
    var index = 0
    var depth = 0

    static func parse(_ source: String) throws(CELError) -> CELExpr {
        var parser = CELParser(tokens: try CELLexer.tokens(source))
        let expr = try parser.expression()
        guard parser.current == .end else {
            throw CELError("Syntax error: unexpected \(parser.describe(parser.current)) at position \(parser.tokens[parser.index].1)")
        }
        return expr
    }

    var current: CELToken { tokens[index].0 }

    func describe(_ token: CELToken) -> String {
        switch token {
        case .int(let i): return "'\(i)'"
        case .uint(let u): return "'\(u)u'"
        case .double(let d): return "'\(d)'"
        case .string(let s): return "'\"\(s)\"'"
        case .identifier(let name): return "'\(name)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of input"
        }
    }

    mutating func accept(_ symbol: String) -> Bool {
        if current == .symbol(symbol) { index += 1; return true }
        return false
    }

    mutating func expect(_ symbol: String) throws(CELError) {
        guard accept(symbol) else {
            throw CELError("Syntax error: expected '\(symbol)' but found \(describe(current)) at position \(tokens[index].1)")
        }
    }

    mutating func expression() throws(CELError) -> CELExpr {
        depth += 1
        defer { depth -= 1 }
        if depth > 100 { throw CELError("expression nesting exceeds the limit of 100") }
        let condition = try logicalOr()
        guard accept("?") else { return condition }
        let whenTrue = try logicalOr()
        try expect(":")
        let whenFalse = try expression()
        return .conditional(condition, whenTrue, whenFalse)
    }

    mutating func logicalOr() throws(CELError) -> CELExpr {
        var left = try logicalAnd()
        while accept("||") { left = .binary("||", left, try logicalAnd()) }
        return left
    }

    mutating func logicalAnd() throws(CELError) -> CELExpr {
        var left = try relation()
        while accept("&&") { left = .binary("&&", left, try relation()) }
        return left
    }

    mutating func relation() throws(CELError) -> CELExpr {
        var left = try addition()
        while true {
            if case .symbol(let s) = current, ["<", "<=", ">", ">=", "==", "!="].contains(s) {
                index += 1
                left = .binary(s, left, try addition())
            } else if current == .identifier("in") {
                index += 1
                left = .binary("in", left, try addition())
            } else {
                return left
            }
        }
    }

    mutating func addition() throws(CELError) -> CELExpr {
        var left = try multiplication()
        while case .symbol(let s) = current, s == "+" || s == "-" {
            index += 1
            left = .binary(s, left, try multiplication())
        }
        return left
    }

    mutating func multiplication() throws(CELError) -> CELExpr {
        var left = try unary()
        while case .symbol(let s) = current, s == "*" || s == "/" || s == "%" {
            index += 1
            left = .binary(s, left, try unary())
        }
        return left
    }

    mutating func unary() throws(CELError) -> CELExpr {
        if accept("!") { return .unary("!", try unary()) }
        if accept("-") {
            // Fold negative literals so `-9223372036854775808` stays representable.
            if case .int(let i) = current { index += 1; return try member(.literal(.int(-i))) }
            if case .double(let d) = current { index += 1; return try member(.literal(.double(-d))) }
            return .unary("-", try unary())
        }
        return try member(try primary())
    }

    mutating func member(_ start: CELExpr) throws(CELError) -> CELExpr {
        var expr = start
        while true {
            if accept(".") {
                guard case .identifier(let name) = current else {
                    throw CELError("Syntax error: expected a field name after '.' but found \(describe(current))")
                }
                index += 1
                if accept("(") {
                    let args = try arguments(closing: ")")
                    expr = try macroOrCall(name, target: expr, args: args)
                } else {
                    expr = .select(expr, name)
                }
            } else if accept("[") {
                let key = try expression()
                try expect("]")
                expr = .index(expr, key)
            } else {
                return expr
            }
        }
    }

    mutating func arguments(closing: String) throws(CELError) -> [CELExpr] {
        var args: [CELExpr] = []
        if accept(closing) { return args }
        repeat {
            if current == .symbol(closing) { break }
            args.append(try expression())
        } while accept(",")
        try expect(closing)
        return args
    }

    func macroOrCall(_ name: String, target: CELExpr?, args: [CELExpr]) throws(CELError) -> CELExpr {
        if let target, let kind = CELExpr.Comprehension.Kind(rawValue: name) {
            guard args.count == 2 || (kind == .map && args.count == 3) else {
                throw CELError("\(name)() takes a variable name and an expression, e.g. self.items.\(name)(x, x > 0)")
            }
            guard case .ident(let variable) = args[0] else {
                throw CELError("argument 1 of \(name)() must be a simple name, e.g. \(name)(x, ...)")
            }
            return .comprehension(.init(kind: kind, range: target, variable: variable,
                                        predicate: args[1], transform: args.count == 3 ? args[2] : nil))
        }
        if target == nil && name == "has" {
            guard args.count == 1, case .select(let operand, let field) = args[0] else {
                throw CELError("invalid argument to has() macro: expected a field selection such as has(self.field)")
            }
            return .presence(operand, field)
        }
        return .call(name, target: target, args: args)
    }

    mutating func primary() throws(CELError) -> CELExpr {
        let token = current
        index += 1
        switch token {
        case .int(let i): return .literal(.int(i))
        case .uint(let u): return .literal(.uint(u))
        case .double(let d): return .literal(.double(d))
        case .string(let s): return .literal(.string(s))
        case .identifier(let name):
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default:
                if accept("(") { return try macroOrCall(name, target: nil, args: try arguments(closing: ")")) }
                return .ident(name)
            }
        case .symbol("("):
            let inner = try expression()
            try expect(")")
            return inner
        case .symbol("["):
            return .list(try arguments(closing: "]"))
        case .symbol("{"):
            var entries: [CELExpr.MapEntry] = []
            if accept("}") { return .map(entries) }
            repeat {
                if current == .symbol("}") { break }
                let key = try expression()
                try expect(":")
                entries.append(.init(key: key, value: try expression()))
            } while accept(",")
            try expect("}")
            return .map(entries)
        default:
            throw CELError("Syntax error: unexpected \(describe(token)) at position \(tokens[index - 1].1)")
        }
    }
}
