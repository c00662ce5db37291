import KubeClient

/// The operations, parameters and request bodies of the OpenAPI documents.
enum OpenAPIOperations {
    static let metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1"

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func queryParameter(_ name: String, _ description: String, type: String = "string") -> JSONValue {
        ["name": .string(name), "in": "query", "description": .string(description), "schema": ["type": .string(type), "uniqueItems": true]]
    }

    static let dryRun = queryParameter("dryRun", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed")
    static let fieldManager = queryParameter("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.")
    static let fieldValidation = queryParameter("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.")
    static let force = queryParameter("force", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.", type: "boolean")
    static let pretty = queryParameter("pretty", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).")

    static func pathParameter(_ name: String, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "path", "description": .string(description), "required": true, "schema": ["type": "string", "uniqueItems": true]]
    }

    static let listParameters: [JSONValue] = [
        queryParameter("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", type: "boolean"),
        queryParameter("continue", "The continue option should be set when retrieving more results from the server."),
        queryParameter("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        queryParameter("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        queryParameter("limit", "limit is a maximum number of responses to return for a list call.", type: "integer"),
        queryParameter("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        queryParameter("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        queryParameter("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", type: "boolean"),
        queryParameter("timeoutSeconds", "Timeout for the list/watch call.", type: "integer"),
        queryParameter("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", type: "boolean"),
    ]

    static func jsonContent(_ schema: JSONValue) -> JSONValue {
        ["application/json": ["schema": schema], "application/yaml": ["schema": schema]]
    }

    static func response(_ schema: JSONValue, codes: [String]) -> JSONValue {
        var out: [String: JSONValue] = [:]
        for code in codes {
            out[code] = ["description": .string(code == "201" ? "Created" : code == "202" ? "Accepted" : "OK"), "content": jsonContent(schema)]
        }
        out["401"] = ["description": "Unauthorized"]
        return .object(out)
    }

    static func operation(_ resource: OpenAPIResource, action: String, verb: String, scope: String, subresource: String?,
                          description: String, parameters: [JSONValue], requestBody: JSONValue?, responses: JSONValue,
                          gvk: JSONValue) -> JSONValue {
        let suffix = subresource.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? ""
        var op: JSONValue = [
            "tags": [.string("\(resource.group.isEmpty ? "core" : resource.group)_\(resource.version)")],
            "description": .string(description),
            "operationId": .string("\(verb)\(resource.operationInfix)\(scope)\(resource.kind)\(suffix)"),
            "parameters": .array(parameters),
            "responses": responses,
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
        ]
        if let requestBody { op["requestBody"] = requestBody }
        return op
    }

    /// The PATCH body types the resource accepts. Built-in kinds leave strategic merge patch
    /// out of the document on purpose: kubectl then computes `kubectl apply` patches from its
    /// compiled-in types, which carry the real merge keys, instead of from these loose schemas.
    static func patchContent() -> JSONValue {
        let patchSchema = ref("\(metaPrefix).Patch")
        let content: JSONValue = [
            "application/apply-patch+yaml": ["schema": patchSchema],
            "application/json-patch+json": ["schema": patchSchema],
            "application/merge-patch+json": ["schema": patchSchema],
        ]
        return ["content": content, "required": true]
    }
}
