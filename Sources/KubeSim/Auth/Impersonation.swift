import Foundation
import HTTPTypes
import KubeClient

/// kube-apiserver's impersonation filter (`endpoints/filters/impersonation.go`): the
/// `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>`
/// headers replace the requesting user, once the requester is allowed to `impersonate` each of
/// them (users or serviceaccounts, groups, uids and userextras).
enum Impersonation {
    static let userHeader = HTTPField.Name("Impersonate-User")!
    static let groupHeader = HTTPField.Name("Impersonate-Group")!
    static let uidHeader = HTTPField.Name("Impersonate-Uid")!
    static let extraPrefix = "impersonate-extra-"

    /// The user the request acts as: `requester` itself when no impersonation header is sent.
    static func effectiveUser(_ requester: UserInfo, headers: HTTPFields, authorizer: any Authorizing) throws(APIError) -> UserInfo {
        let username = headers[userHeader]
        let groups = headers[values: groupHeader]
        let uid = headers[uidHeader]
        var extra: [String: [String]] = [:]
        for field in headers where field.name.canonicalName.lowercased().hasPrefix(extraPrefix) {
            let key = String(field.name.canonicalName.dropFirst(extraPrefix.count)).lowercased().removingPercentEncoding ?? ""
            extra[key, default: []].append(field.value)
        }
        guard let username, !username.isEmpty else {
            if !groups.isEmpty || uid != nil || !extra.isEmpty {
                throw APIError.badRequest("requested \(describe(groups: groups, uid: uid, extra: extra)) without impersonating a user")
            }
            return requester
        }

        // Each thing impersonated must be allowed, in kube's order: the user, its groups, its extras, its uid.
        var checks: [(AuthorizationAttributes, String, String)] = []
        var impersonatedGroups = groups
        if let serviceAccount = UserInfo(name: username).serviceAccount {
            checks.append((AuthorizationAttributes(user: requester, verb: "impersonate", resource: "serviceaccounts",
                                                   namespace: serviceAccount.namespace, name: serviceAccount.name),
                           "serviceaccounts", serviceAccount.name))
            if groups.isEmpty {
                impersonatedGroups = ["system:serviceaccounts", "system:serviceaccounts:\(serviceAccount.namespace)"]
            }
        } else {
            checks.append((AuthorizationAttributes(user: requester, verb: "impersonate", resource: "users", name: username),
                           "users", username))
        }
        for group in groups {
            checks.append((AuthorizationAttributes(user: requester, verb: "impersonate", resource: "groups", name: group),
                           "groups", group))
        }
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) {
            for value in values {
                checks.append((AuthorizationAttributes(user: requester, verb: "impersonate", apiGroup: "authentication.k8s.io",
                                                       resource: "userextras", subresource: key, name: value),
                               "userextras", value))
            }
        }
        if let uid {
            checks.append((AuthorizationAttributes(user: requester, verb: "impersonate", apiGroup: "authentication.k8s.io",
                                                   resource: "uids", name: uid),
                           "uids", uid))
        }
        for (attributes, resource, name) in checks where !authorizer.authorize(attributes).allowed {
            let group = attributes.apiGroup
            throw APIError.forbidden(GroupResource(group: group, resource: resource), name: name, attributes.forbiddenReason)
        }
        var user = UserInfo(name: username, uid: uid ?? "", groups: impersonatedGroups, extra: extra)
        if username == "system:anonymous" {
            user.groups.removeAll { $0 == UserInfo.authenticatedGroup }
            if !user.groups.contains("system:unauthenticated") { user.groups.append("system:unauthenticated") }
        }
        return user
    }

    private static func describe(groups: [String], uid: String?, extra: [String: [String]]) -> String {
        var parts = groups.map { "{Group  \($0)}" }
        if let uid { parts.append("{UID  \(uid)}") }
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) { parts += values.map { "{UserExtra \(key) \($0)}" } }
        return "[" + parts.joined(separator: " ") + "]"
    }
}
