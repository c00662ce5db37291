import Cloud
import KubeClient

/// One invocation of a tool: its arguments, the cluster as the caller sees it, and the
/// server's clouds (nil when none is configured).
public struct ToolCall: Sendable {
    public let tool: String
    public let arguments: ToolArguments
    public let cluster: ClusterAccess
    public var cloud: CloudClients? = nil

    /// The `namespace` argument, or the identity's default namespace.
    public func namespace() throws(ToolError) -> String {
        try arguments.string("namespace").flatMap { $0.isEmpty ? nil : $0 } ?? cluster.defaultNamespace
    }

    /// One page of `resource` in `namespace` (nil: cluster-wide), as the arguments `limit`,
    /// `continue` and `labelSelector` ask; `fieldSelector` is the tool's own.
    public func listPage(_ resource: ResourceRef, namespace: String?, fieldSelector: String? = nil,
                         defaultLimit: Int = 50) async throws(ToolError) -> ObjectList {
        let (limit, token) = try arguments.page(defaultLimit: defaultLimit)
        return try await cluster.list(resource, namespace: namespace, options: ListOptions(
            labelSelector: try arguments.labelSelector(), fieldSelector: fieldSelector, limit: limit, continueToken: token))
    }

    /// The `namespace` argument; nil (all namespaces) when absent or `*`.
    public func namespaceOrAll() throws(ToolError) -> String? {
        guard let namespace = try arguments.string("namespace"), !namespace.isEmpty, namespace != "*" else { return nil }
        return namespace
    }
}

/// Building blocks of the tools' JSON Schemas.
public enum InputSchema {
    public static func object(_ properties: KeyValuePairs<String, JSONValue>, required: [String] = []) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for (name, schema) in properties { fields[name] = schema }
        return ["type": "object", "properties": .object(fields), "required": .array(required.map { .string($0) }),
                "additionalProperties": false]
    }

    public static func string(_ description: String, oneOf values: [String]? = nil) -> JSONValue {
        var schema: JSONValue = ["type": "string", "description": .string(description)]
        if let values { schema["enum"] = .array(values.map { .string($0) }) }
        return schema
    }

    public static func integer(_ description: String, minimum: Int? = nil, maximum: Int? = nil) -> JSONValue {
        var schema: JSONValue = ["type": "integer", "description": .string(description)]
        if let minimum { schema["minimum"] = .int(Int64(minimum)) }
        if let maximum { schema["maximum"] = .int(Int64(maximum)) }
        return schema
    }

    public static func boolean(_ description: String) -> JSONValue {
        ["type": "boolean", "description": .string(description)]
    }

    public static func anyObject(_ description: String) -> JSONValue {
        ["type": "object", "description": .string(description)]
    }

    public static let namespace = string("Namespace; defaults to the identity's default namespace.")
    public static let namespaceOrAll = string("Namespace; omit (or '*') for all namespaces.")
    public static let name = string("Name of the object.")
    public static let labelSelector = string("Label selector, e.g. 'app=web,tier!=db'.")
    public static let limit = integer("Page size (default 50).", minimum: 1, maximum: 500)
    public static let continueToken = string("The 'continue' token of the previous page, to read the next one.")
}
