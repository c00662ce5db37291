import KubeClient

/// The Swagger 2.0 document at `/openapi/v2`.
///
/// Clients that accept JSON get the whole document. client-go's `OpenAPISchema()` (kubectl's
/// client-side validation of kinds the v3 documents do not cover, and its patch computation)
/// accepts protobuf only: it gets ``protobufSkeleton(serverVersion:)``, a gnostic
/// `openapi.v2.Document` with no definitions. kubectl looks a kind up there, finds none, and
/// does what it does on a real cluster for a kind it has no schema for: it skips client-side
/// validation (the server validates) and computes patches from its compiled-in types.
public enum OpenAPIV2 {
    /// The type the protobuf form is served as. Clients ask for it with an `@` before the
    /// version too, which Go's `mime.ParseMediaType` cannot read back in a Content-Type.
    public static let protobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    static let protobufTypes: Set<String> = [protobufContentType, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"]

    /// `openapi.v2.Document{swagger: "2.0", info: {title, version}, paths: {}, definitions: {}}`
    /// in protobuf wire format (fields 1, 2, 8 and 9; Info's title 1 and version 2).
    public static func protobufSkeleton(serverVersion: String = "v1.32.0") -> [UInt8] {
        func field(_ number: UInt8, _ payload: [UInt8]) -> [UInt8] {
            precondition(payload.count < 128, "one-byte lengths only")
            return [number << 3 | 2, UInt8(payload.count)] + payload
        }
        let info = field(1, Array("Kubernetes".utf8)) + field(2, Array(serverVersion.utf8))
        return field(1, Array("2.0".utf8)) + field(2, info) + field(8, []) + field(9, [])
    }

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
