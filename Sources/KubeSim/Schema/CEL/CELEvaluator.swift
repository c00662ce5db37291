import Foundation

/// Evaluates a checked CEL expression.
struct CELEvaluator {
    func evaluate(_ expr: CELExpr, _ env: [String: CELValue]) throws(CELError) -> CELValue {
        switch expr {
        case .literal(let value):
            return value
        case .ident(let name):
            guard let value = env[name] else { throw CELError("no such attribute: \(name)") }
            return value
        case .select(let operand, let field):
            let target = try evaluate(operand, env)
            guard case .map(let members) = target else {
                throw CELError("no such overload: field selection '.\(field)' on \(target.typeName)")
            }
            guard let value = members[field] else { throw CELError("no such key: \(field)") }
            return value
        case .presence(let operand, let field):
            let target = try evaluate(operand, env)
            guard case .map(let members) = target else {
                throw CELError("no such overload: has() on \(target.typeName)")
            }
            return .bool(members[field] != nil)
        case .index(let operand, let keyExpr):
            let target = try evaluate(operand, env)
            let key = try evaluate(keyExpr, env)
            switch (target, key) {
            case (.list(let items), _):
                guard let i = Self.integer(key) else { throw CELError("no such overload: list index of type \(key.typeName)") }
                guard i >= 0, i < items.count else { throw CELError("index out of bounds: \(i)") }
                return items[i]
            case (.map(let members), .string(let name)):
                guard let value = members[name] else { throw CELError("no such key: \(name)") }
                return value
            default:
                throw CELError("no such overload: index of \(target.typeName) by \(key.typeName)")
            }
        case .call(let name, let target, let args):
            var values: [CELValue] = []
            for arg in args { values.append(try evaluate(arg, env)) }
            if let target {
                return try CELFunctions.member(name, try evaluate(target, env), values)
            }
            return try CELFunctions.global(name, values)
        case .list(let items):
            var values: [CELValue] = []
            for item in items { values.append(try evaluate(item, env)) }
            return .list(values)
        case .map(let entries):
            var out: [String: CELValue] = [:]
            for entry in entries {
                guard case .string(let key) = try evaluate(entry.key, env) else {
                    throw CELError("unsupported map key type: only string keys are supported")
                }
                if out[key] != nil { throw CELError("Failed with repeated key: \(key)") }
                out[key] = try evaluate(entry.value, env)
            }
            return .map(out)
        case .unary(let op, let operand):
            let value = try evaluate(operand, env)
            switch (op, value) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)):
                guard i != .min else { throw CELError("integer overflow") }
                return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            default: throw CELError("no such overload: \(op)\(value.typeName)")
            }
        case .binary(let op, let left, let right):
            if op == "&&" || op == "||" { return try logical(op, left, right, env) }
            return try CELOperators.binary(op, try evaluate(left, env), try evaluate(right, env))
        case .conditional(let condition, let whenTrue, let whenFalse):
            guard case .bool(let flag) = try evaluate(condition, env) else {
                throw CELError("no such overload: ternary condition must be bool")
            }
            return try evaluate(flag ? whenTrue : whenFalse, env)
        case .comprehension(let c):
            return try comprehension(c, env)
        }
    }

    /// `&&` and `||` are commutative in CEL: a decisive operand wins over an error in the other.
    func logical(_ op: String, _ left: CELExpr, _ right: CELExpr, _ env: [String: CELValue]) throws(CELError) -> CELValue {
        let decisive = op == "||"
        func run(_ expr: CELExpr) -> Result<Bool, CELError> {
            do {
                let value = try evaluate(expr, env)
                guard case .bool(let b) = value else { return .failure(CELError("no such overload: \(op) on \(value.typeName)")) }
                return .success(b)
            } catch {
                return .failure(error)
            }
        }
        let l = run(left)
        if case .success(decisive) = l { return .bool(decisive) }
        let r = run(right)
        if case .success(decisive) = r { return .bool(decisive) }
        if case .failure(let error) = l { throw error }
        if case .failure(let error) = r { throw error }
        return .bool(!decisive)
    }

    func comprehension(_ c: CELExpr.Comprehension, _ env: [String: CELValue]) throws(CELError) -> CELValue {
        let range = try evaluate(c.range, env)
        let elements: [CELValue]
        switch range {
        case .list(let items): elements = items
        case .map(let members): elements = members.keys.sorted().map(CELValue.string)
        default: throw CELError("no such overload: \(c.kind.rawValue)() on \(range.typeName)")
        }
        var scope = env
        func test(_ element: CELValue, _ expr: CELExpr) -> Result<CELValue, CELError> {
            scope[c.variable] = element
            do { return .success(try evaluate(expr, scope)) } catch { return .failure(error) }
        }
        func bool(_ result: Result<CELValue, CELError>) throws(CELError) -> Bool {
            switch result {
            case .success(.bool(let b)): return b
            case .success(let other): throw CELError("no such overload: \(c.kind.rawValue)() predicate returned \(other.typeName)")
            case .failure(let error): throw error
            }
        }
        switch c.kind {
        case .all, .exists:
            let decisive = c.kind == .exists
            var firstError: CELError?
            for element in elements {
                switch test(element, c.predicate) {
                case .success(.bool(let b)) where b == decisive: return .bool(decisive)
                case .success(.bool): continue
                case .success(let other):
                    firstError = firstError ?? CELError("no such overload: \(c.kind.rawValue)() predicate returned \(other.typeName)")
                case .failure(let error):
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for element in elements where try bool(test(element, c.predicate)) { count += 1 }
            return .bool(count == 1)
        case .filter:
            var out: [CELValue] = []
            for element in elements where try bool(test(element, c.predicate)) { out.append(element) }
            return .list(out)
        case .map:
            var out: [CELValue] = []
            for element in elements {
                if let transform = c.transform {
                    guard try bool(test(element, c.predicate)) else { continue }
                    out.append(try test(element, transform).get())
                } else {
                    out.append(try test(element, c.predicate).get())
                }
            }
            return .list(out)
        }
    }

    static func integer(_ value: CELValue) -> Int? {
        switch value {
        case .int(let i): return Int(exactly: i)
        case .uint(let u): return Int(exactly: u)
        default: return nil
        }
    }
}
