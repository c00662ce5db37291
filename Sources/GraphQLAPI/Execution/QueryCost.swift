import GraphQL

/// Bounds what one operation may ask for, before it runs: its depth, and its cost, where
/// each field costs 1 and a list multiplies what is selected under it by ``listFactor``
/// (the size a list is assumed to have). Introspection (`__schema`, `__type`) is free and
/// unbounded, so tools can always read the schema. Fragments count where they are spread.
public struct QueryCost: Sendable {
    public var maxDepth: Int
    public var maxCost: Int
    public var listFactor: Int

    public init(maxDepth: Int = 10, maxCost: Int = 50_000, listFactor: Int = 50) {
        self.maxDepth = maxDepth
        self.maxCost = maxCost
        self.listFactor = listFactor
    }

    /// The depth and cost of the operation `operationName` (the only one when nil).
    /// `objectFields` are the object types' fields when already read (they are read from the
    /// schema otherwise).
    public func measure(_ document: Document, schema: GraphQLSchema, operationName: String?,
                        objectFields: [String: GraphQLFieldMap] = [:]) -> (depth: Int, cost: Int) {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        guard let operation = Self.operation(in: document, named: operationName),
              let root = Self.root(of: operation.operation, in: schema) else { return (0, 0) }
        var walker = Walker(schema: schema, fragments: fragments, listFactor: listFactor, objectFields: objectFields)
        let cost = walker.cost(operation.selectionSet, parent: root, depth: 1)
        return (walker.maxDepth, cost)
    }

    /// Why the operation is refused, or nil when it is within bounds.
    public func refusal(_ document: Document, schema: GraphQLSchema, operationName: String?,
                        objectFields: [String: GraphQLFieldMap] = [:]) -> String? {
        let (depth, cost) = measure(document, schema: schema, operationName: operationName, objectFields: objectFields)
        if depth > maxDepth { return "the query is \(depth) levels deep; at most \(maxDepth) are allowed: select fewer nested fields" }
        if cost > maxCost {
            return "the query costs \(cost) (each field 1, each list ×\(listFactor)); at most \(maxCost) is allowed: "
                + "select fewer fields under lists, use fewer aliases, or filter with arguments (namespace, severity, limit)"
        }
        return nil
    }

    /// The operation a request runs: the one named `name`, or the document's only one (nil
    /// otherwise; GraphQLSwift then says which name to give).
    public static func operation(in document: Document, named name: String?) -> OperationDefinition? {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        if let name { return operations.first { $0.name?.value == name } }
        return operations.count == 1 ? operations[0] : nil
    }

    static func root(of type: OperationType, in schema: GraphQLSchema) -> GraphQLObjectType? {
        switch type {
        case .query: return schema.queryType
        case .mutation: return schema.mutationType
        case .subscription: return schema.subscriptionType
        }
    }

    private struct Walker {
        let schema: GraphQLSchema
        let fragments: [String: FragmentDefinition]
        let listFactor: Int
        let objectFields: [String: GraphQLFieldMap]
        var maxDepth = 0
        /// Fragments being expanded, so a cycle (which validation refuses anyway) ends.
        var expanding: Set<String> = []

        mutating func cost(_ selections: SelectionSet, parent: (any GraphQLNamedType)?, depth: Int) -> Int {
            var total = 0
            for selection in selections.selections {
                if let field = selection as? Field {
                    if field.name.value.hasPrefix("__") { continue }
                    maxDepth = max(maxDepth, depth)
                    let (type, isList) = fieldType(field.name.value, on: parent)
                    var below = 0
                    if let set = field.selectionSet { below = cost(set, parent: type, depth: depth + 1) }
                    total = Self.add(total, Self.add(1, isList ? Self.multiply(below, listFactor) : below))
                } else if let spread = selection as? FragmentSpread, let fragment = fragments[spread.name.value],
                          !expanding.contains(spread.name.value) {
                    expanding.insert(spread.name.value)
                    total = Self.add(total, cost(fragment.selectionSet, parent: schema.getType(name: fragment.typeCondition.name.value), depth: depth))
                    expanding.remove(spread.name.value)
                } else if let inline = selection as? InlineFragment {
                    let type = inline.typeCondition.flatMap { schema.getType(name: $0.name.value) } ?? parent
                    total = Self.add(total, cost(inline.selectionSet, parent: type, depth: depth))
                }
            }
            return total
        }

        /// The named type of a field and whether it is a list (through non-null wrappers).
        func fieldType(_ name: String, on parent: (any GraphQLNamedType)?) -> ((any GraphQLNamedType)?, Bool) {
            let fields: GraphQLFieldMap?
            if let object = parent as? GraphQLObjectType { fields = objectFields[object.name] ?? (try? object.fields()) }
            else if let interface = parent as? GraphQLInterfaceType { fields = try? interface.fields() }
            else { fields = nil }
            guard let definition = fields?[name] else { return (nil, false) }
            var type: any GraphQLType = definition.type
            if let nonNull = type as? GraphQLNonNull { type = nonNull.ofType }
            let isList = type is GraphQLList
            return (getNamedType(type: definition.type), isList)
        }

        static func add(_ a: Int, _ b: Int) -> Int { a.addingReportingOverflow(b).overflow ? Int.max : a + b }
        static func multiply(_ a: Int, _ b: Int) -> Int { a.multipliedReportingOverflow(by: b).overflow ? Int.max : a * b }
    }
}
