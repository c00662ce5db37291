/// An authenticated user, as the authenticators of kube-apiserver describe one.
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        var groups = groups
        if !groups.contains(UserInfo.authenticatedGroup) && name != "system:anonymous" {
            groups.append(UserInfo.authenticatedGroup)
        }
        self.groups = groups
        self.extra = extra
    }

    public static let authenticatedGroup = "system:authenticated"
    public static let mastersGroup = "system:masters"

    /// Members of `system:masters` pass every authorization check.
    public var isClusterAdmin: Bool { groups.contains(UserInfo.mastersGroup) }

    /// `system:serviceaccount:<namespace>:<name>` split, when this is a ServiceAccount.
    public var serviceAccount: (namespace: String, name: String)? {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" else { return nil }
        return (String(parts[2]), String(parts[3]))
    }

    /// The user the `--insecure-http` listener treats every credential-less request as.
    public static let insecureAdmin = UserInfo(name: "system:admin", groups: [mastersGroup])
}

/// What a request wants to do, for the authorizer.
public struct AuthorizationAttributes: Sendable, Hashable {
    public var user: UserInfo
    public var verb: String
    public var isResourceRequest: Bool
    public var apiGroup: String
    public var apiVersion: String
    public var resource: String
    public var subresource: String
    public var namespace: String
    public var name: String
    /// For non-resource requests.
    public var path: String

    public init(user: UserInfo, verb: String, isResourceRequest: Bool = true, apiGroup: String = "",
                apiVersion: String = "", resource: String = "", subresource: String = "", namespace: String = "",
                name: String = "", path: String = "") {
        self.user = user
        self.verb = verb
        self.isResourceRequest = isResourceRequest
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.path = path
    }

    /// `User "x" cannot get resource "pods/log" in API group "" in the namespace "y"`, as RBAC denies.
    public var forbiddenReason: String {
        if !isResourceRequest {
            return "User \"\(user.name)\" cannot \(verb) path \"\(path)\""
        }
        let what = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
        let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
        return "User \"\(user.name)\" cannot \(verb) resource \"\(what)\" in API group \"\(apiGroup)\" \(scope)"
    }
}

/// Decides whether a request is allowed.
public protocol Authorizing: Sendable {
    func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision
}

public struct AuthorizationDecision: Sendable, Equatable {
    public var allowed: Bool
    /// Why it was allowed (the binding that granted it), for access reviews.
    public var reason: String

    public static func allow(_ reason: String) -> AuthorizationDecision { .init(allowed: true, reason: reason) }
    public static let deny = AuthorizationDecision(allowed: false, reason: "")
}
