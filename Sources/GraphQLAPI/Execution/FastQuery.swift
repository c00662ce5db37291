import Foundation
import GraphQL
import Graphiti
import KubeClient

/// Runs queries and subscriptions over the resources without GraphQL's general executor.
///
/// GraphQLSwift resolves every field of every object in a task of its own; for a list of
/// 1,000 rollouts that is tens of thousands of tasks, some 200 ms. Here each root field
/// calls its resolver (the same ``OpsResolver`` methods the schema uses) and the answer is
/// projected onto the selection (``Projection``) in one pass. The document is validated by
/// GraphQLSwift first, with the specification's rules. Operations this path does not
/// serve — mutations, introspection, `metrics`-driven subscriptions — go to GraphQLSwift.
struct FastQuery: Sendable {
    typealias Root = @Sendable (OpsResolver, APIContext, JSONValue) async throws -> JSONValue

    /// Query fields: arguments in, the resolver's answer (encoded) out.
    static let queries: [String: Root] = [
        // As OpsResolver.deployments, from the rollouts' cached encodings.
        "deployments": { _, c, a in
            let arguments: NamespaceArguments = try a.decode()
            return .array(try await c.readable(APICaches.deployments, namespace: arguments.namespace).map(c.caches.encodedDeployment))
        },
        "deployment": { r, c, a in try JSONValue(encoding: try await r.deployment(context: c, arguments: try a.decode())) },
        "alerts": { r, c, a in try JSONValue(encoding: try await r.alerts(context: c, arguments: try a.decode())) },
        "vulnerabilities": { r, c, a in try JSONValue(encoding: try await r.vulnerabilities(context: c, arguments: try a.decode())) },
        "compliance": { r, c, a in try JSONValue(encoding: try await r.compliance(context: c, arguments: try a.decode())) },
        "audits": { r, c, a in try JSONValue(encoding: try await r.audits(context: c, arguments: try a.decode())) },
        "workflowRuns": { r, c, a in try JSONValue(encoding: try await r.workflowRuns(context: c, arguments: try a.decode())) },
        "metrics": { r, c, a in try JSONValue(encoding: try await r.metrics(context: c, arguments: try a.decode())) },
    ]

    /// Subscription fields fed by the caches' broadcasts: each change, encoded.
    static let subscriptions: [String: @Sendable (OpsResolver, APIContext) async throws -> AsyncThrowingStream<JSONValue, any Error>] = [
        "deploymentStatusChanged": { r, c in encoded(try await r.deploymentStatusChanged(context: c, arguments: NoArguments())) },
        "alertCreated": { r, c in encoded(try await r.alertCreated(context: c, arguments: NoArguments())) },
        "workflowRunUpdated": { r, c in encoded(try await r.workflowRunUpdated(context: c, arguments: NoArguments())) },
    ]

    static func encoded<Node: Encodable & Sendable>(_ nodes: AsyncThrowingStream<Node, any Error>) -> AsyncThrowingStream<JSONValue, any Error> {
        relay(nodes) { try JSONValue(encoding: $0) }
    }

    /// Fields computed per caller.
    static let computed: [String: [String: Projection.Computed]] = [
        "Deployment": ["permissions": { node, context in
            try JSONValue(encoding: try await DeploymentNode.permissions(namespace: node["namespace"].stringValue ?? "", context: context))
        }],
    ]

    let schema: GraphQLSchema
    let resolver: OpsResolver
    let objectFields: [String: GraphQLFieldMap]

    init(schema: GraphQLSchema, resolver: OpsResolver) throws {
        self.schema = schema
        self.resolver = resolver
        var fields: [String: GraphQLFieldMap] = [:]
        for (name, type) in schema.typeMap {
            if let object = type as? GraphQLObjectType { fields[name] = try object.fields() }
        }
        objectFields = fields
    }

    /// The parts of a request this path serves: its document, operation and variables.
    struct Prepared {
        var document: Document
        var operation: OperationDefinition
        var variables: [String: JSONValue]
    }

    /// The request parsed, validated and with its variables read; nil when this path does
    /// not serve it (it is not a query or subscription of plain fields, or it does not
    /// validate: GraphQLSwift then answers with its errors).
    func prepare(_ parsed: ParsedRequest, kind: OperationType) -> Prepared? {
        guard let document = parsed.document, let operation = parsed.operation, operation.operation == kind else { return nil }
        let request = parsed.request
        let roots = operation.selectionSet.selections
        guard roots.allSatisfy({ ($0 as? GraphQL.Field).map { !$0.name.value.hasPrefix("__") || $0.name.value == "__typename" } ?? false }),
              validate(schema: schema, ast: document).isEmpty else { return nil }
        var variables: [String: JSONValue] = [:]
        for (name, map) in request.variables {
            guard let data = try? JSONEncoder().encode(map), let value = try? JSONValue(parsing: Array(data)) else { return nil }
            variables[name] = value
        }
        for definition in operation.variableDefinitions where variables[definition.variable.name.value] == nil {
            if let value = definition.defaultValue { variables[definition.variable.name.value] = ASTValues.json(value, [:]) }
        }
        return Prepared(document: document, operation: operation, variables: variables)
    }

    func projection(_ prepared: Prepared, context: APIContext) -> Projection {
        let fragments = Dictionary(prepared.document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) },
                                   uniquingKeysWith: { a, _ in a })
        return Projection(schema: schema, fragments: fragments, variables: prepared.variables, computed: Self.computed,
                          objectFields: objectFields, context: context)
    }

    /// The results of a subscription (`{"data":{…}}` per change), or nil when its field is
    /// not one this path serves.
    func subscribe(_ prepared: Prepared, context: APIContext) async throws -> AsyncThrowingStream<String, any Error>? {
        guard let subscriptionType = schema.subscriptionType else { return nil }
        let projection = projection(prepared, context: context)
        let selected = projection.collect([prepared.operation.selectionSet], typeName: subscriptionType.name)
        guard selected.count == 1, let field = selected.first, let source = Self.subscriptions[field.name],
              let definition = objectFields[subscriptionType.name]?[field.name] else { return nil }
        let (shape, plans) = projection.compile(field.fields, type: definition.type)
        let head = Array(#"{"data":{"#.utf8) + JSONValue.string(field.key).serializedBytes() + [UInt8(ascii: ":")]
        return relay(try await source(resolver, context)) { change in
            var out = head
            try await projection.write(change, shape, plans, into: &out)
            out.append(contentsOf: "}}".utf8)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The JSON answer of a query (`{"data":…}` with `errors` when a field failed), or nil
    /// when a root field is not one this path resolves.
    func execute(_ prepared: Prepared, context: APIContext) async throws -> (json: String, errors: Int)? {
        guard let queryType = schema.queryType else { return nil }
        let projection = projection(prepared, context: context)
        let selected = projection.collect([prepared.operation.selectionSet], typeName: queryType.name)
        guard selected.allSatisfy({ $0.name == "__typename" || Self.queries[$0.name] != nil }) else { return nil }
        let definitions = objectFields[queryType.name] ?? [:]
        var data: [UInt8] = [UInt8(ascii: "{")], errors: [GraphQLError] = [], nullData = false
        for (i, field) in selected.enumerated() {
            if i > 0 { data.append(UInt8(ascii: ",")) }
            JSONValue.string(field.key).serialize(into: &data)
            data.append(UInt8(ascii: ":"))
            if field.name == "__typename" {
                JSONValue.string(queryType.name).serialize(into: &data)
                continue
            }
            guard let definition = definitions[field.name], let resolve = Self.queries[field.name] else { return nil }
            let arguments = JSONValue.object(Dictionary(field.fields[0].arguments.compactMap { argument -> (String, JSONValue)? in
                if let variable = argument.value as? Variable, prepared.variables[variable.name.value] == nil { return nil }
                return (argument.name.value, ASTValues.json(argument.value, prepared.variables))
            }, uniquingKeysWith: { a, _ in a }))
            do {
                let value = try await resolve(resolver, context, arguments)
                let (shape, plans) = projection.compile(field.fields, type: definition.type)
                var out: [UInt8] = []
                out.reserveCapacity(1 << 16)
                try await projection.write(value, shape, plans, into: &out)
                data.append(contentsOf: out)
            } catch {
                errors.append(GraphQLError(message: "\(error)", nodes: field.fields, path: IndexPath([field.key])))
                data.append(contentsOf: "null".utf8)
                if definition.type is GraphQLNonNull { nullData = true }
            }
        }
        data.append(UInt8(ascii: "}"))
        var json = Array(#"{"data":"#.utf8) + (nullData ? Array("null".utf8) : data)
        if !errors.isEmpty, let encoded = try? GraphQLJSONEncoder().encode(errors) {
            json += Array(#","errors":"#.utf8) + Array(encoded)
        }
        return (String(decoding: json + [UInt8(ascii: "}")], as: UTF8.self), errors.count)
    }
}
