import KubeClient

/// OpenAPI v3 discovery as kube-apiserver serves it: the index at `/openapi/v3` and one
/// document per group-version at `/openapi/v3/apis/<group>/<version>` (`/openapi/v3/api/v1`).
///
/// kubectl 1.32 reads these for `apply --validate=strict` (it looks for a PATCH operation
/// carrying the object's `x-kubernetes-group-version-kind` and a `fieldValidation` query
/// parameter) and for `kubectl explain`.
public enum OpenAPIV3 {
    /// The `/openapi/v3` index: `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=…"}}}`.
    public static func index(_ resources: [OpenAPIResource], serverVersion: String = "v1.32.0") -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (path, members) in Dictionary(grouping: resources, by: \.groupVersionPath) {
            let document = buildDocument(groupVersionPath: path, resources: members, serverVersion: serverVersion)
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash(of: document))")]
        }
        return ["paths": .object(paths)]
    }

    /// The document of one group-version (`api/v1`, `apis/apps/v1`), or nil when no resource
    /// belongs to it (answer 404).
    public static func document(groupVersionPath: String, resources: [OpenAPIResource], serverVersion: String = "v1.32.0") -> JSONValue? {
        let members = resources.filter { $0.groupVersionPath == groupVersionPath }
        if members.isEmpty { return nil }
        return buildDocument(groupVersionPath: groupVersionPath, resources: members, serverVersion: serverVersion)
    }

    /// The content hash used in `serverRelativeURL`, so clients cache each document until it changes.
    public static func hash(of document: JSONValue) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in document.serializedBytes() {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second &+ UInt64(byte)) &* 0x9E37_79B9_7F4A_7C15
            second ^= second >> 29
        }
        let hex = String(first, radix: 16, uppercase: true) + String(second, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 32 - hex.count)) + hex
    }

    static func buildDocument(groupVersionPath: String, resources: [OpenAPIResource], serverVersion: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas = OpenAPISchemas.metaSchemas
        for resource in resources.sorted(by: { $0.plural < $1.plural }) {
            for (path, item) in pathItems(resource) { paths[path] = item }
            schemas[resource.schemaName] = OpenAPISchemas.objectSchema(resource)
            schemas[resource.listSchemaName] = OpenAPISchemas.listSchema(resource)
            if resource.subresources.contains("scale") { schemas["io.k8s.api.autoscaling.v1.Scale"] = OpenAPISchemas.scale }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(serverVersion)],
            "paths": .object(paths),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": ["BearerToken": ["type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"]],
            ],
        ]
    }

    typealias Ops = OpenAPIOperations

    static func pathItems(_ resource: OpenAPIResource) -> [(String, JSONValue)] {
        let base = "/\(resource.groupVersionPath)"
        let collection = resource.namespaced ? "\(base)/namespaces/{namespace}/\(resource.plural)" : "\(base)/\(resource.plural)"
        let scope = resource.namespaced ? "Namespaced" : ""
        let object = Ops.ref(resource.schemaName)
        let list = Ops.ref(resource.listSchemaName)
        let status = Ops.ref("\(Ops.metaPrefix).Status")
        var common: [JSONValue] = [Ops.pretty]
        if resource.namespaced { common.insert(Ops.pathParameter("namespace", "object name and auth scope, such as for teams and projects"), at: 0) }
        let writeParameters = [Ops.dryRun, Ops.fieldManager, Ops.fieldValidation]
        let body: JSONValue = ["content": ["*/*": ["schema": object]], "required": true]
        let gvk = resource.gvk

        var items: [(String, JSONValue)] = []
        items.append((collection, [
            "get": Ops.operation(resource, action: "list", verb: "list", scope: scope, subresource: nil,
                                 description: "list or watch objects of kind \(resource.kind)", parameters: Ops.listParameters,
                                 requestBody: nil, responses: Ops.response(list, codes: ["200"]), gvk: gvk),
            "post": Ops.operation(resource, action: "post", verb: "create", scope: scope, subresource: nil,
                                  description: "create a \(resource.kind)", parameters: writeParameters, requestBody: body,
                                  responses: Ops.response(object, codes: ["200", "201", "202"]), gvk: gvk),
            "delete": Ops.operation(resource, action: "deletecollection", verb: "deleteCollection", scope: scope, subresource: nil,
                                    description: "delete collection of \(resource.kind)", parameters: Ops.listParameters,
                                    requestBody: nil, responses: Ops.response(status, codes: ["200"]), gvk: gvk),
            "parameters": .array(common),
        ]))
        if resource.namespaced {
            items.append(("\(base)/\(resource.plural)", [
                "get": Ops.operation(resource, action: "list", verb: "list", scope: "", subresource: "ForAllNamespaces",
                                     description: "list or watch objects of kind \(resource.kind)", parameters: Ops.listParameters,
                                     requestBody: nil, responses: Ops.response(list, codes: ["200"]), gvk: gvk),
                "parameters": .array([Ops.pretty]),
            ]))
        }

        let named = common + [Ops.pathParameter("name", "name of the \(resource.kind)")]
        items.append(("\(collection)/{name}", [
            "get": Ops.operation(resource, action: "get", verb: "read", scope: scope, subresource: nil,
                                 description: "read the specified \(resource.kind)", parameters: [], requestBody: nil,
                                 responses: Ops.response(object, codes: ["200"]), gvk: gvk),
            "put": Ops.operation(resource, action: "put", verb: "replace", scope: scope, subresource: nil,
                                 description: "replace the specified \(resource.kind)", parameters: writeParameters,
                                 requestBody: body, responses: Ops.response(object, codes: ["200", "201"]), gvk: gvk),
            "patch": Ops.operation(resource, action: "patch", verb: "patch", scope: scope, subresource: nil,
                                   description: "partially update the specified \(resource.kind)",
                                   parameters: writeParameters + [Ops.force], requestBody: Ops.patchContent(),
                                   responses: Ops.response(object, codes: ["200", "201"]), gvk: gvk),
            "delete": Ops.operation(resource, action: "delete", verb: "delete", scope: scope, subresource: nil,
                                    description: "delete a \(resource.kind)", parameters: [Ops.dryRun], requestBody: nil,
                                    responses: Ops.response(status, codes: ["200", "202"]), gvk: gvk),
            "parameters": .array(named),
        ]))

        for subresource in resource.subresources.sorted() {
            let isScale = subresource == "scale"
            let target = isScale ? Ops.ref("io.k8s.api.autoscaling.v1.Scale") : object
            let targetGVK: JSONValue = isScale ? ["group": "autoscaling", "version": "v1", "kind": "Scale"] : gvk
            let subBody: JSONValue = ["content": ["*/*": ["schema": target]], "required": true]
            items.append(("\(collection)/{name}/\(subresource)", [
                "get": Ops.operation(resource, action: "get", verb: "read", scope: scope, subresource: subresource,
                                     description: "read \(subresource) of the specified \(resource.kind)", parameters: [],
                                     requestBody: nil, responses: Ops.response(target, codes: ["200"]), gvk: targetGVK),
                "put": Ops.operation(resource, action: "put", verb: "replace", scope: scope, subresource: subresource,
                                     description: "replace \(subresource) of the specified \(resource.kind)", parameters: writeParameters,
                                     requestBody: subBody, responses: Ops.response(target, codes: ["200", "201"]), gvk: targetGVK),
                "patch": Ops.operation(resource, action: "patch", verb: "patch", scope: scope, subresource: subresource,
                                       description: "partially update \(subresource) of the specified \(resource.kind)",
                                       parameters: writeParameters + [Ops.force], requestBody: Ops.patchContent(),
                                       responses: Ops.response(target, codes: ["200", "201"]), gvk: targetGVK),
                "parameters": .array(named),
            ]))
        }
        return items
    }
}
