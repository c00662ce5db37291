/// Arithmetic, comparison and membership operators of CEL.
enum CELOperators {
    static func binary(_ op: String, _ left: CELValue, _ right: CELValue) throws(CELError) -> CELValue {
        switch op {
        case "==": return .bool(left.celEquals(right))
        case "!=": return .bool(!left.celEquals(right))
        case "<", "<=", ">", ">=":
            let order = try compare(left, right, op)
            switch op {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "in":
            switch right {
            case .list(let items): return .bool(items.contains { $0.celEquals(left) })
            case .map(let members):
                guard case .string(let key) = left else { return .bool(false) }
                return .bool(members[key] != nil)
            default: throw CELError("no such overload: \(left.typeName) in \(right.typeName)")
            }
        case "+": return try add(left, right)
        case "-", "*", "/", "%": return try arithmetic(op, left, right)
        default: throw CELError("unsupported operator \(op)")
        }
    }

    static func compare(_ left: CELValue, _ right: CELValue, _ op: String) throws(CELError) -> Int {
        if let order = left.numericOrder(right) { return order }
        switch (left, right) {
        case (.string(let a), .string(let b)):
            let x = a.unicodeScalars.map(\.value), y = b.unicodeScalars.map(\.value)
            return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
        case (.bool(let a), .bool(let b)):
            return a == b ? 0 : (!a ? -1 : 1)
        default:
            throw CELError("no such overload: \(left.typeName) \(op) \(right.typeName)")
        }
    }

    static func add(_ left: CELValue, _ right: CELValue) throws(CELError) -> CELValue {
        switch (left, right) {
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.list(let a), .list(let b)): return .list(a + b)
        default: return try arithmetic("+", left, right)
        }
    }

    static func arithmetic(_ op: String, _ left: CELValue, _ right: CELValue) throws(CELError) -> CELValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let result: (Int64, Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { throw CELError("division by zero") }
                result = a.dividedReportingOverflow(by: b)
            default:
                guard b != 0 else { throw CELError("modulus by zero") }
                result = a.remainderReportingOverflow(dividingBy: b)
            }
            if result.1 { throw CELError("integer overflow") }
            return .int(result.0)
        case (.uint(let a), .uint(let b)):
            let result: (UInt64, Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { throw CELError("division by zero") }
                result = (a / b, false)
            default:
                guard b != 0 else { throw CELError("modulus by zero") }
                result = (a % b, false)
            }
            if result.1 { throw CELError("unsigned integer overflow") }
            return .uint(result.0)
        case (.double(let a), .double(let b)):
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: throw CELError("no such overload: double % double")
            }
        default:
            throw CELError("no such overload: \(left.typeName) \(op) \(right.typeName)")
        }
    }
}
