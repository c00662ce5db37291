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
        /// `key` as a JSON string, followed by a colon.
        var member: String { JSONValue.string(key).serialized() + ":" }
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

    /// Appends the JSON of `value` of GraphQL type `type` selected by `fields`.
    func write(_ value: JSONValue, type: any GraphQLType, fields: [Field], into out: inout String) async throws {
        var type = type
        if let nonNull = type as? GraphQLNonNull { type = nonNull.ofType }
        if value.isNull {
            out += "null"
            return
        }
        if let list = type as? GraphQLList {
            var element: any GraphQLType = list.ofType
            if let nonNull = element as? GraphQLNonNull { element = nonNull.ofType }
            // The selection of the elements is collected once for the whole list.
            let object = element as? GraphQLObjectType
            let selected = object.map { collect(fields.compactMap(\.selectionSet), typeName: $0.name) } ?? []
            let definitions = object.flatMap { objectFields[$0.name] } ?? [:]
            let members = selected.map(\.member)
            out += "["
            for (i, item) in (value.arrayValue ?? []).enumerated() {
                if i > 0 { out += "," }
                if let object, !item.isNull {
                    try await write(item, object: object, selected: selected, definitions: definitions, members: members, into: &out)
                } else {
                    try await write(item, type: list.ofType, fields: fields, into: &out)
                }
            }
            out += "]"
            return
        }
        guard let object = type as? GraphQLObjectType else {
            out += value.serialized()  // a scalar or an enum value: its JSON as encoded
            return
        }
        try await write(value, object: object, selected: collect(fields.compactMap(\.selectionSet), typeName: object.name),
                        definitions: objectFields[object.name] ?? [:], into: &out)
    }

    private func write(_ value: JSONValue, object: GraphQLObjectType, selected: [Selected], definitions: GraphQLFieldMap,
                       members: [String]? = nil, into out: inout String) async throws {
        let members = members ?? selected.map(\.member)
        out += "{"
        for (i, field) in selected.enumerated() {
            if i > 0 { out += "," }
            out += members[i]
            if field.name == "__typename" {
                out += JSONValue.string(object.name).serialized()
                continue
            }
            guard let definition = definitions[field.name] else {
                out += "null"
                continue
            }
            var fieldValue = value[field.name]
            if let compute = computed[object.name]?[field.name] { fieldValue = try await compute(value, context) }
            try await write(fieldValue, type: definition.type, fields: field.fields, into: &out)
        }
        out += "}"
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
