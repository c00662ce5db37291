import GraphQL
import KubeClient

/// Writes the JSON of values for a selection set: the part of GraphQL execution that, for
/// this API, is only "pick these fields of this value" — the values are already in memory.
///
/// A value is the `JSONValue` encoding of a node (``DeploymentNode``, ``AlertNode``…),
/// whose keys are the schema's field names. The selection is walked with the schema's
/// types (for `__typename`, fragments' type conditions and nested fields), honouring
/// aliases, named and inline fragments, and `@skip`/`@include`. Fields that are computed
/// per caller (`Deployment.permissions`) come from ``Projection/computed``. Responses keep
/// the selection's order, as the specification requires.
struct Projection: Sendable {
    /// A field computed from its object and the caller, by type and field name.
    typealias Computed = @Sendable (JSONValue, APIContext) async throws -> JSONValue

    let schema: GraphQLSchema
    let fragments: [String: FragmentDefinition]
    let variables: [String: JSONValue]
    let computed: [String: [String: Computed]]
    /// The fields of each object type, read once from the schema (Graphiti builds a type's
    /// field map anew each time it is asked).
    let objectFields: [String: GraphQLFieldMap]
    let context: APIContext

    /// One response key of an object: the field it reads and every AST node selecting it
    /// (their sub-selections merge).
    struct Selected {
        var key: String
        var name: String
        var fields: [Field]
    }

    /// The fields selected on an object of type `typeName`, in response order.
    func collect(_ sets: [SelectionSet], typeName: String) -> [Selected] {
        var result: [Selected] = []
        var index: [String: Int] = [:]
        var visited: Set<String> = []
        func walk(_ set: SelectionSet) {
            for selection in set.selections {
                if let field = selection as? Field {
                    guard included(field.directives) else { continue }
                    let key = field.alias?.value ?? field.name.value
                    if let at = index[key] { result[at].fields.append(field) } else {
                        index[key] = result.count
                        result.append(Selected(key: key, name: field.name.value, fields: [field]))
                    }
                } else if let spread = selection as? FragmentSpread {
                    guard included(spread.directives), visited.insert(spread.name.value).inserted,
                          let fragment = fragments[spread.name.value], fragment.typeCondition.name.value == typeName else { continue }
                    walk(fragment.selectionSet)
                } else if let inline = selection as? InlineFragment {
                    guard included(inline.directives), inline.typeCondition.map({ $0.name.value == typeName }) ?? true else { continue }
                    walk(inline.selectionSet)
                }
            }
        }
        for set in sets { walk(set) }
        return result
    }

    /// `@skip(if:)` and `@include(if:)`.
    func included(_ directives: [Directive]) -> Bool {
        for directive in directives where ["skip", "include"].contains(directive.name.value) {
            let condition = directive.arguments.first { $0.name.value == "if" }.map { ASTValues.json($0.value, variables) }?.boolValue ?? false
            if directive.name.value == "skip" && condition { return false }
            if directive.name.value == "include" && !condition { return false }
        }
        return true
    }

    /// What a field's value is, after its non-null wrappers.
    indirect enum Shape: Sendable {
        case leaf
        case object(String)
        case list(Shape)
    }

    /// A selection compiled for writing: each response key with the shape of its value and,
    /// for objects, the plan of their fields. Compiled once per operation, so writing a list
    /// of a thousand objects neither casts types nor collects fragments again.
    struct Plan: Sendable {
        /// The response key as a JSON string and a colon.
        var member: [UInt8]
        var name: String
        var shape: Shape
        var children: [Plan]
        /// The object's type name, for `__typename`.
        var typename: String?
        var compute: Computed?
    }

    /// The plans of the fields `fields` select on a value of GraphQL type `type`.
    func compile(_ fields: [Field], type: any GraphQLType) -> (Shape, [Plan]) {
        var type = type
        if let nonNull = type as? GraphQLNonNull { type = nonNull.ofType }
        if let list = type as? GraphQLList {
            let (element, children) = compile(fields, type: list.ofType)
            return (.list(element), children)
        }
        guard let object = type as? GraphQLObjectType else { return (.leaf, []) }
        let definitions = objectFields[object.name] ?? [:]
        let plans = collect(fields.compactMap(\.selectionSet), typeName: object.name).map { selected -> Plan in
            let member = JSONValue.string(selected.key).serializedBytes() + [UInt8(ascii: ":")]
            if selected.name == "__typename" {
                return Plan(member: member, name: selected.name, shape: .leaf, children: [], typename: object.name)
            }
            guard let definition = definitions[selected.name] else { return Plan(member: member, name: selected.name, shape: .leaf, children: []) }
            let (shape, children) = compile(selected.fields, type: definition.type)
            return Plan(member: member, name: selected.name, shape: shape, children: children, compute: computed[object.name]?[selected.name])
        }
        return (.object(object.name), plans)
    }

    /// Appends the JSON of `value` (of `shape`) written by `plans`.
    func write(_ value: JSONValue, _ shape: Shape, _ plans: [Plan], into out: inout [UInt8]) async throws {
        if value.isNull {
            out.append(contentsOf: "null".utf8)
            return
        }
        switch shape {
        case .leaf:
            value.serialize(into: &out)  // a scalar or an enum value: its JSON as encoded
        case .list(let element):
            out.append(UInt8(ascii: "["))
            for (i, item) in (value.arrayValue ?? []).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try await write(item, element, plans, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            for (i, plan) in plans.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: plan.member)
                if let typename = plan.typename {
                    JSONValue.string(typename).serialize(into: &out)
                } else if let compute = plan.compute {
                    try await write(try await compute(value, context), plan.shape, plan.children, into: &out)
                } else {
                    try await write(value[plan.name], plan.shape, plan.children, into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Values written in a query (arguments, variables' defaults) as JSON.
enum ASTValues {
    static func json(_ value: any Value, _ variables: [String: JSONValue]) -> JSONValue {
        switch value {
        case let variable as Variable: return variables[variable.name.value] ?? .null
        case let int as IntValue: return Int64(int.value).map(JSONValue.int) ?? .double(Double(int.value) ?? 0)
        case let float as FloatValue: return .double(Double(float.value) ?? 0)
        case let string as StringValue: return .string(string.value)
        case let bool as BooleanValue: return .bool(bool.value)
        case let enumValue as EnumValue: return .string(enumValue.value)
        case let list as ListValue: return .array(list.values.map { json($0, variables) })
        case let object as ObjectValue:
            var members: [String: JSONValue] = [:]
            for field in object.fields {
                // A variable not given leaves the field out, as if it were not written.
                if let variable = field.value as? Variable, variables[variable.name.value] == nil { continue }
                members[field.name.value] = json(field.value, variables)
            }
            return .object(members)
        default: return .null
        }
    }
}
