/// What a request path names, for every path shape kube-apiserver serves.
enum APIRoute: Equatable {
    case root
    case version
    case health(String)
    /// `/api`
    case legacyAPIVersions
    /// `/apis`
    case apiGroups
    /// `/apis/{group}`
    case apiGroup(String)
    /// `/api/v1`, `/apis/{group}/{version}`
    case groupVersion(group: String, version: String)
    case resource(ResourcePath)
    case openAPIv2
    case openAPIv3Index
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/{group}/{version}`
    case openAPIv3(group: String, version: String)
    case notFound

    /// A path to a resource, a collection or a subresource.
    struct ResourcePath: Equatable {
        var group: String
        var version: String
        var resource: String
        var namespace: String?
        var name: String?
        var subresource: String?
        /// The deprecated `/watch/` prefix was used.
        var watchPrefix = false
    }

    init(path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            QueryParameters.decode($0)
        }
        guard let first = segments.first else { self = .root; return }
        switch first {
        case "version" where segments.count == 1: self = .version
        case "healthz", "livez", "readyz": self = .health(first)
        case "openapi":
            switch segments.count {
            case 2 where segments[1] == "v2": self = .openAPIv2
            case 2 where segments[1] == "v3": self = .openAPIv3Index
            case 4 where segments[1] == "v3" && segments[2] == "api": self = .openAPIv3(group: "", version: segments[3])
            case 5 where segments[1] == "v3" && segments[2] == "apis":
                self = .openAPIv3(group: segments[3], version: segments[4])
            default: self = .notFound
            }
        case "api":
            switch segments.count {
            case 1: self = .legacyAPIVersions
            case 2: self = .groupVersion(group: "", version: segments[1])
            default: self = Self.resource(group: "", version: segments[1], rest: Array(segments[2...]))
            }
        case "apis":
            switch segments.count {
            case 1: self = .apiGroups
            case 2: self = .apiGroup(segments[1])
            case 3: self = .groupVersion(group: segments[1], version: segments[2])
            default: self = Self.resource(group: segments[1], version: segments[2], rest: Array(segments[3...]))
            }
        default:
            self = .notFound
        }
    }

    private static func resource(group: String, version: String, rest: [String]) -> APIRoute {
        var rest = rest[...]
        var watchPrefix = false
        if rest.first == "watch" {
            watchPrefix = true
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return .notFound }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            let isNamespaceSubresource = rest.count == 3 && ["status", "finalize"].contains(rest[rest.startIndex + 2])
            if !isNamespaceSubresource {
                namespace = rest[rest.startIndex + 1]
                rest = rest.dropFirst(2)
            }
        }
        guard rest.count <= 3 else { return .notFound }
        let items = Array(rest)
        return .resource(ResourcePath(group: group, version: version, resource: items[0],
                                      namespace: namespace, name: items.count > 1 ? items[1] : nil,
                                      subresource: items.count > 2 ? items[2] : nil, watchPrefix: watchPrefix))
    }
}
