import Foundation
import KubeClient

/// Answers the review kinds, which are created but never stored: access reviews
/// (`kubectl auth can-i`), rules reviews, token reviews and `kubectl auth whoami`.
struct AccessReviews: Sendable {
    let authorizer: any Authorizing
    let authenticator: Authenticator

    func review(_ body: JSONValue, type: ResourceType, namespace: String, user: UserInfo) throws(APIError) -> JSONValue {
        var answer = body
        answer["apiVersion"] = .string(type.storageAPIVersion)
        answer["kind"] = .string(type.kind)
        if answer["metadata"].isNull { answer["metadata"] = ["creationTimestamp": nil] }
        let spec = body["spec"]
        switch type.kind {
        case "SelfSubjectAccessReview":
            answer["status"] = accessStatus(spec, user: user, namespace: nil)
        case "LocalSubjectAccessReview":
            if let specNamespace = spec["resourceAttributes"]["namespace"].stringValue, specNamespace != namespace {
                throw APIError.badRequest("spec.resourceAttributes.namespace must match namespace: \(namespace)")
            }
            answer["status"] = accessStatus(spec, user: subject(spec), namespace: namespace)
        case "SubjectAccessReview":
            answer["status"] = accessStatus(spec, user: subject(spec), namespace: nil)
        case "SelfSubjectRulesReview":
            answer["status"] = rulesStatus(user: user, namespace: spec["namespace"].stringValue ?? "")
        case "TokenReview":
            let token = spec["token"].stringValue ?? ""
            if let reviewed = authenticator.authenticate(token: token) {
                answer["status"] = ["authenticated": true, "user": userJSON(reviewed),
                                    "audiences": spec["audiences"].isNull ? [.string(ServiceAccountTokens.issuer)] : spec["audiences"]]
            } else {
                answer["status"] = ["authenticated": false, "user": .emptyObject,
                                    "error": "[invalid bearer token, token lookup failed]"]
            }
        case "SelfSubjectReview":
            answer["status"] = ["userInfo": userJSON(user)]
        default:
            throw APIError.methodNotSupported(type.groupResource, verb: "create")
        }
        return answer
    }

    private func subject(_ spec: JSONValue) -> UserInfo {
        UserInfo(name: spec["user"].stringValue ?? "", uid: spec["uid"].stringValue ?? "",
                 groups: (spec["groups"].arrayValue ?? []).compactMap(\.stringValue))
    }

    private func userJSON(_ user: UserInfo) -> JSONValue {
        var json: JSONValue = ["username": .string(user.name), "groups": .array(user.groups.map { .string($0) })]
        if !user.uid.isEmpty { json["uid"] = .string(user.uid) }
        return json
    }

    private func accessStatus(_ spec: JSONValue, user: UserInfo, namespace: String?) -> JSONValue {
        let attributes: AuthorizationAttributes
        let resource = spec["resourceAttributes"]
        if case .object = resource {
            attributes = AuthorizationAttributes(
                user: user, verb: resource["verb"].stringValue ?? "", apiGroup: resource["group"].stringValue ?? "",
                apiVersion: resource["version"].stringValue ?? "", resource: resource["resource"].stringValue ?? "",
                subresource: resource["subresource"].stringValue ?? "",
                namespace: namespace ?? resource["namespace"].stringValue ?? "", name: resource["name"].stringValue ?? "")
        } else {
            let nonResource = spec["nonResourceAttributes"]
            attributes = AuthorizationAttributes(user: user, verb: nonResource["verb"].stringValue ?? "",
                                                 isResourceRequest: false, path: nonResource["path"].stringValue ?? "")
        }
        let decision = authorizer.authorize(attributes)
        var status: JSONValue = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        return status
    }

    private func rulesStatus(user: UserInfo, namespace: String) -> JSONValue {
        let rules: [JSONValue]
        if user.isClusterAdmin {
            rules = [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]],
                     ["verbs": ["*"], "nonResourceURLs": ["*"]]]
        } else if let rbac = authorizer as? RBACAuthorizer {
            rules = rbac.rules(for: user, namespace: namespace)
        } else {
            rules = []
        }
        let resourceRules = rules.filter { !RBACAuthorizer.isNonResourceRule($0) }.map { rule -> JSONValue in
            var out: JSONValue = ["verbs": rule["verbs"], "apiGroups": rule["apiGroups"], "resources": rule["resources"]]
            if !rule["resourceNames"].isNull { out["resourceNames"] = rule["resourceNames"] }
            return out
        }
        let nonResourceRules = rules.filter(RBACAuthorizer.isNonResourceRule).map { rule -> JSONValue in
            ["verbs": rule["verbs"], "nonResourceURLs": rule["nonResourceURLs"]]
        }
        return ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules),
                "incomplete": false]
    }
}
