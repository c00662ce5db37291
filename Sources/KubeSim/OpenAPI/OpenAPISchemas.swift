import KubeClient

/// Component schemas: the kinds themselves (a CRD's own schema, or a loose schema for
/// built-ins) and the apimachinery types their operations reference.
enum OpenAPISchemas {
    static let meta = OpenAPIOperations.metaPrefix

    static func loose(_ description: String) -> JSONValue {
        ["type": "object", "description": .string(description), "x-kubernetes-preserve-unknown-fields": true]
    }

    static let metaSchemas: [String: JSONValue] = [
        "\(meta).ObjectMeta": loose("ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create."),
        "\(meta).ListMeta": loose("ListMeta describes metadata that synthetic resources must have, including lists and various status objects."),
        "\(meta).Status": loose("Status is a return value for calls that don't return other objects."),
        "\(meta).Patch": ["type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."],
        "\(meta).DeleteOptions": loose("StoreDeleteOptions may be provided when deleting an API object."),
    ]

    static let scale: JSONValue = [
        "type": "object",
        "description": "Scale represents a scaling request for a resource.",
        "properties": [
            "apiVersion": ["type": "string"], "kind": ["type": "string"],
            "metadata": ["allOf": [["$ref": .string("#/components/schemas/\(meta).ObjectMeta")]], "default": [:]],
            "spec": ["type": "object", "properties": ["replicas": ["type": "integer", "format": "int32"]]],
            "status": ["type": "object", "properties": ["replicas": ["type": "integer", "format": "int32"], "selector": ["type": "string"]]],
        ],
        "x-kubernetes-group-version-kind": [["group": "autoscaling", "kind": "Scale", "version": "v1"]],
    ]

    static let typeMeta: [String: JSONValue] = [
        "apiVersion": ["type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"],
        "kind": ["type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"],
    ]

    /// The kind's schema with `x-kubernetes-group-version-kind`.
    static func objectSchema(_ resource: OpenAPIResource) -> JSONValue {
        var schema: [String: JSONValue]
        if let crd = resource.schema?.objectValue {
            schema = crd
        } else {
            schema = ["type": "object", "x-kubernetes-preserve-unknown-fields": true,
                      "description": .string("\(resource.kind) (\(resource.apiVersion)); fields are validated by the server.")]
        }
        var properties = schema["properties"]?.objectValue ?? [:]
        for (name, value) in typeMeta where properties[name] == nil { properties[name] = value }
        properties["metadata"] = [
            "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
            "allOf": [["$ref": .string("#/components/schemas/\(meta).ObjectMeta")]],
        ]
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = [resource.gvk]
        return .object(schema)
    }

    static func listSchema(_ resource: OpenAPIResource) -> JSONValue {
        var properties = typeMeta
        properties["items"] = ["type": "array", "items": ["$ref": .string("#/components/schemas/\(resource.schemaName)")],
                               "description": .string("List of \(resource.plural).")]
        properties["metadata"] = ["allOf": [["$ref": .string("#/components/schemas/\(meta).ListMeta")]]]
        return [
            "type": "object",
            "description": .string("\(resource.kind)List is a list of \(resource.kind)"),
            "required": ["items"],
            "properties": .object(properties),
            "x-kubernetes-group-version-kind": [["group": .string(resource.group), "version": .string(resource.version), "kind": .string("\(resource.kind)List")]],
        ]
    }
}
