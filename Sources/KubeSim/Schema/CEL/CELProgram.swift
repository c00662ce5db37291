import Foundation

/// A CEL rule compiled against the schema node it is declared on.
///
/// Compilation checks what kube-apiserver's type checker would reject for this subset:
/// unknown identifiers and functions, wrong argument counts, fields the schema does not
/// declare, invalid regular expressions, and `oldSelf` where old values cannot be correlated.
struct CELProgram: Sendable {
    let source: String
    let expr: CELExpr
    let usesOldSelf: Bool

    /// - Parameter isResource: the rule sits on the resource root, where `apiVersion`, `kind`
    ///   and `metadata` exist whether or not the schema declares them.
    static func compile(_ source: String, schema: StructuralSchema.Node, correlatable: Bool, isResource: Bool = false) throws(CELError) -> CELProgram {
        let expr = try CELParser.parse(source)
        var checker = CELChecker(correlatable: correlatable)
        if isResource { checker.resourceNodes.insert(ObjectIdentifier(schema)) }
        checker.variables["self"] = .known(schema)
        _ = try checker.check(expr)
        return CELProgram(source: source, expr: expr, usesOldSelf: checker.usesOldSelf)
    }

    func evaluate(self value: CELValue, oldSelf: CELValue?) throws(CELError) -> CELValue {
        var environment = ["self": value]
        if let oldSelf { environment["oldSelf"] = oldSelf }
        let evaluator = CELEvaluator()
        return try evaluator.evaluate(expr, environment)
    }
}

/// What the checker knows about an expression's value.
enum CELStaticType {
    case known(StructuralSchema.Node)
    case dynamic
}

struct CELChecker {
    let correlatable: Bool
    var variables: [String: CELStaticType] = [:]
    /// Nodes that are Kubernetes objects (the root, embedded resources).
    var resourceNodes: Set<ObjectIdentifier> = []
    var usesOldSelf = false

    init(correlatable: Bool) { self.correlatable = correlatable }

    static let globalFunctions: [String: ClosedRange<Int>] = [
        "size": 1...1, "int": 1...1, "uint": 1...1, "double": 1...1, "string": 1...1, "bool": 1...1,
        "dyn": 1...1, "matches": 2...2,
    ]
    static let memberFunctions: [String: ClosedRange<Int>] = [
        "size": 0...0, "startsWith": 1...1, "endsWith": 1...1, "contains": 1...1, "matches": 1...1,
        "lowerAscii": 0...0, "upperAscii": 0...0, "trim": 0...0, "split": 1...2, "join": 0...1,
        "indexOf": 1...1, "lastIndexOf": 1...1, "substring": 1...2, "replace": 2...3,
        "isSorted": 0...0, "sum": 0...0, "min": 0...0, "max": 0...0,
    ]

    static var supportedFunctionsText: String {
        let global = globalFunctions.keys.sorted().map { "\($0)()" }
        let member = memberFunctions.keys.sorted().map { ".\($0)()" }
        return (global + member + ["has()", ".all()", ".exists()", ".exists_one()", ".map()", ".filter()"]).joined(separator: ", ")
    }

    @discardableResult
    mutating func check(_ expr: CELExpr) throws(CELError) -> CELStaticType {
        switch expr {
        case .literal:
            return .dynamic
        case .ident(let name):
            if name == "oldSelf" {
                guard correlatable else {
                    throw CELError("oldSelf cannot be used on the uncorrelatable portion of the schema (inside a list that is not x-kubernetes-list-type: map)")
                }
                usesOldSelf = true
                return variables["self"] ?? .dynamic
            }
            guard let type = variables[name] else { throw CELError("undeclared reference to '\(name)' (in container '')") }
            return type
        case .select(let operand, let field), .presence(let operand, let field):
            return try select(field, from: try check(operand))
        case .index(let operand, let key):
            let type = try check(operand)
            try check(key)
            guard case .known(let node) = type else { return .dynamic }
            if node.type == "array" { return node.items.map(CELStaticType.known) ?? .dynamic }
            if let values = node.additionalProperties { return .known(values) }
            if let property = literalString(key).flatMap({ node.properties[$0] }) { return .known(property) }
            return .dynamic
        case .call(let name, let target, let args):
            if let target {
                try check(target)
                guard let arity = Self.memberFunctions[name] else {
                    throw CELError("undeclared reference to '\(name)': the function .\(name)() is not supported by this API server; supported: \(Self.supportedFunctionsText)")
                }
                guard arity.contains(args.count) else {
                    throw CELError("found no matching overload for '\(name)' applied to \(args.count) argument(s)")
                }
            } else {
                guard let arity = Self.globalFunctions[name] else {
                    throw CELError("undeclared reference to '\(name)': the function \(name)() is not supported by this API server; supported: \(Self.supportedFunctionsText)")
                }
                guard arity.contains(args.count) else {
                    throw CELError("found no matching overload for '\(name)' applied to \(args.count) argument(s)")
                }
            }
            for arg in args { try check(arg) }
            if name == "matches", let pattern = literalString(args.last!) {
                do { _ = try NSRegularExpression(pattern: pattern) } catch {
                    throw CELError("invalid regular expression '\(pattern)' in matches()")
                }
            }
            return .dynamic
        case .list(let items):
            for item in items { try check(item) }
            return .dynamic
        case .map(let entries):
            for entry in entries {
                try check(entry.key)
                try check(entry.value)
            }
            return .dynamic
        case .unary(_, let operand):
            try check(operand)
            return .dynamic
        case .binary(_, let left, let right):
            try check(left)
            try check(right)
            return .dynamic
        case .conditional(let condition, let whenTrue, let whenFalse):
            try check(condition)
            try check(whenTrue)
            try check(whenFalse)
            return .dynamic
        case .comprehension(let c):
            let rangeType = try check(c.range)
            var elementType = CELStaticType.dynamic
            if case .known(let node) = rangeType, node.type == "array", let items = node.items { elementType = .known(items) }
            let saved = variables[c.variable]
            variables[c.variable] = elementType
            defer { variables[c.variable] = saved }
            try check(c.predicate)
            if let transform = c.transform { try check(transform) }
            return .dynamic
        }
    }

    func select(_ field: String, from type: CELStaticType) throws(CELError) -> CELStaticType {
        guard case .known(let node) = type else { return .dynamic }
        if let property = node.properties[field] { return .known(property) }
        if let values = node.additionalProperties { return .known(values) }
        let isResource = node.embeddedResource || resourceNodes.contains(ObjectIdentifier(node))
        if isResource && ["apiVersion", "kind", "metadata"].contains(field) { return .dynamic }
        if node.preserveUnknownFields || node.intOrString || node.type == nil || node.properties.isEmpty { return .dynamic }
        if node.type == "object" {
            throw CELError("undefined field '\(field)'")
        }
        throw CELError("type '\(node.type!)' does not support field selection")
    }

    func literalString(_ expr: CELExpr) -> String? {
        if case .literal(.string(let s)) = expr { return s }
        return nil
    }
}
