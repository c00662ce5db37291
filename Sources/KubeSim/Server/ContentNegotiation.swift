/// One entry of an Accept or Content-Type header: `application/json;as=Table;v=v1;g=meta.k8s.io`.
struct MediaType: Equatable {
    var type: String
    var parameters: [String: String]

    init(type: String, parameters: [String: String] = [:]) {
        self.type = type
        self.parameters = parameters
    }

    init(parsing text: Substring) {
        let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        type = parts.first?.lowercased() ?? ""
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2 { parameters[kv[0].lowercased()] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        self.parameters = parameters
    }

    static func list(_ header: String?) -> [MediaType] {
        guard let header, !header.isEmpty else { return [] }
        return header.split(separator: ",").map { MediaType(parsing: $0) }.filter { !$0.type.isEmpty }
    }

    var isJSONCompatible: Bool {
        ["application/json", "*/*", "application/*", "*"].contains(type)
    }
}

/// The form a response takes, chosen from the Accept header.
enum ResponseForm: Equatable {
    case object
    case table(includeObject: String)
    /// `as=PartialObjectMetadata` (`list` false) or `as=PartialObjectMetadataList` (true): a single
    /// object may only be asked for as the first, a list only as the second (else 406).
    case partialObjectMetadata(list: Bool)
    case discoveryV2
}

enum ContentNegotiation {
    /// Chooses how to answer a resource request, as kube-apiserver negotiates: the first
    /// acceptable entry wins; Table and PartialObjectMetadata only in `meta.k8s.io/v1`
    /// (or v1beta1); protobuf is not offered, so a client that accepts only it gets 406.
    static func resourceForm(accept: String?, includeObject: String?) throws(APIError) -> ResponseForm {
        // The usual headers need no parsing.
        switch accept {
        case nil, "", "*/*", "application/json", "application/json, */*", "application/vnd.kubernetes.protobuf,application/json":
            return .object
        default:
            break
        }
        let entries = MediaType.list(accept)
        if entries.isEmpty { return .object }
        for entry in entries where entry.isJSONCompatible {
            switch entry.parameters["as"] {
            case nil: return .object
            case "Table"?:
                if entry.parameters["g"] == "meta.k8s.io", ["v1", "v1beta1"].contains(entry.parameters["v"] ?? "") {
                    return .table(includeObject: includeObject ?? "Metadata")
                }
            case "PartialObjectMetadata"?, "PartialObjectMetadataList"?:
                if entry.parameters["g"] == "meta.k8s.io", ["v1", "v1beta1"].contains(entry.parameters["v"] ?? "") {
                    return .partialObjectMetadata(list: entry.parameters["as"] == "PartialObjectMetadataList")
                }
            default: continue
            }
        }
        throw APIError.notAcceptable(["application/json", "application/yaml",
                                      "application/json;as=Table;v=v1;g=meta.k8s.io"])
    }

    /// How to serve `/openapi/v2`: the first entry of the Accept header that names JSON or
    /// the protobuf form wins (kube-openapi's negotiation); nil means 406.
    enum OpenAPIV2Form { case json, protobuf }

    /// kube's `handlers/response.go`: asking for the wrong one of PartialObjectMetadata and
    /// PartialObjectMetadataList is 406, naming the Go type of the object served.
    static func partialMetadataMismatch(type: ResourceType, isList: Bool) -> APIError {
        let package = type.isCustom ? "unstructured" : type.group.isEmpty ? "core" : String(type.group.split(separator: ".")[0])
        let goType = type.isCustom ? (isList ? "*unstructured.UnstructuredList" : "*unstructured.Unstructured")
            : "*\(package).\(isList ? type.listKind : type.kind)"
        let message = isList
            ? "you requested PartialObjectMetadata, but the requested object is a list (\(goType))"
            : "you requested PartialObjectMetadataList, but the requested object is not a list (\(goType))"
        return APIError(code: 406, reason: "NotAcceptable", message: message)
    }

    static func openAPIV2Form(accept: String?) -> OpenAPIV2Form? {
        let entries = MediaType.list(accept)
        if entries.isEmpty { return .json }
        for entry in entries {
            if entry.isJSONCompatible { return .json }
            if OpenAPIV2.protobufTypes.contains(entry.type) { return .protobuf }
        }
        return nil
    }

    /// Whether a discovery request (`/api`, `/apis`) asks for the aggregated v2 document first.
    static func wantsAggregatedDiscovery(accept: String?) -> Bool {
        for entry in MediaType.list(accept) {
            if entry.parameters["g"] == "apidiscovery.k8s.io", entry.parameters["as"] == "APIGroupDiscoveryList",
               entry.parameters["v"] == "v2" {
                return true
            }
            if entry.isJSONCompatible && entry.parameters["as"] == nil { return false }
        }
        return false
    }
}

import Foundation
