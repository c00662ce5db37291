import KubeClient

/// The Swagger 2.0 document at `/openapi/v2`, in JSON.
///
/// kubectl asks for `/openapi/v2` in protobuf only; answer such requests with
/// `406 Not Acceptable` (kubectl then falls back to its compiled-in types) and serve this
/// document when the client accepts `application/json`.
public enum OpenAPIV2 {
    public static func document(_ resources: [OpenAPIResource], serverVersion: String = "v1.32.0") -> JSONValue {
        var definitions: [String: JSONValue] = [:]
        var paths: [String: JSONValue] = [:]
        for (path, members) in Dictionary(grouping: resources, by: \.groupVersionPath) {
            let v3 = OpenAPIV3.buildDocument(groupVersionPath: path, resources: members, serverVersion: serverVersion)
            for (name, schema) in v3[path: ["components", "schemas"]].objectValue ?? [:] {
                definitions[name] = rewriteRefs(schema)
            }
            for (route, item) in v3["paths"].objectValue ?? [:] {
                paths[route] = convertPathItem(item, resource: members.first { route.contains("/\($0.plural)") })
            }
        }
        return [
            "swagger": "2.0",
            "info": ["title": "Kubernetes", "version": .string(serverVersion)],
            "paths": .object(paths),
            "definitions": .object(definitions),
            "securityDefinitions": ["BearerToken": ["type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"]],
            "security": [["BearerToken": []]],
        ]
    }

    static func rewriteRefs(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            if let ref = members["$ref"]?.stringValue, ref.hasPrefix("#/components/schemas/") {
                members["$ref"] = .string("#/definitions/" + ref.dropFirst("#/components/schemas/".count))
            }
            return .object(members.mapValues(rewriteRefs))
        case .array(let items):
            return .array(items.map(rewriteRefs))
        default:
            return value
        }
    }

    static func convertParameter(_ parameter: JSONValue) -> JSONValue {
        var out = parameter.objectValue ?? [:]
        if let schema = out.removeValue(forKey: "schema") {
            out["type"] = schema["type"]
            if schema["uniqueItems"] == true { out["uniqueItems"] = true }
        }
        return .object(out)
    }

    static func convertPathItem(_ item: JSONValue, resource: OpenAPIResource?) -> JSONValue {
        var out: [String: JSONValue] = [:]
        for (key, value) in item.objectValue ?? [:] {
            if key == "parameters" {
                out[key] = .array((value.arrayValue ?? []).map(convertParameter))
                continue
            }
            var op = value.objectValue ?? [:]
            var parameters = (op["parameters"]?.arrayValue ?? []).map(convertParameter)
            if let body = op.removeValue(forKey: "requestBody") {
                var consumes = (body["content"].objectValue ?? [:]).keys.sorted()
                if key == "patch", resource?.acceptsStrategicMergePatch == true {
                    consumes.append("application/strategic-merge-patch+json")
                    consumes.sort()
                }
                op["consumes"] = .array(consumes.map(JSONValue.string))
                let schema = body["content"].objectValue?.values.first?["schema"] ?? .null
                parameters.insert(["name": "body", "in": "body", "required": true, "schema": rewriteRefs(schema)], at: 0)
            } else {
                op["consumes"] = ["*/*"]
            }
            op["parameters"] = .array(parameters)
            op["produces"] = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
            op["schemes"] = ["https"]
            var responses: [String: JSONValue] = [:]
            for (code, response) in op["responses"]?.objectValue ?? [:] {
                var converted: [String: JSONValue] = ["description": response["description"]]
                if let schema = response["content"].objectValue?.values.first?["schema"] { converted["schema"] = rewriteRefs(schema) }
                responses[code] = .object(converted)
            }
            op["responses"] = .object(responses)
            out[key] = .object(op)
        }
        return .object(out)
    }
}
