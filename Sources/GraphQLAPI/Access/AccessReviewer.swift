import Foundation
import KubeClient
import Logging
import OperatorKit

/// Asks the API server whether a user may do something, with a SubjectAccessReview, as
/// kube-apiserver's RBAC would decide it for that user's own request. Answers are cached
/// per user, verb, resource and namespace for `cacheTTL` (a short time: a RoleBinding
/// removed takes effect within it); reviews that fail are not cached. Callers asking the
/// same question at once share one review (a change sent to 100 subscribers of one user
/// makes one request, not 100).
public final class AccessReviewer: Sendable {
    static let subjectAccessReviews = GroupVersionResource(group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews")

    private let client: KubernetesClient
    private let logger: Logger
    private let cache: ExpiringCache<Bool>

    public init(client: KubernetesClient, cacheTTL: Duration = .seconds(10), logger: Logger) {
        self.client = client
        self.cache = ExpiringCache(ttl: cacheTTL)
        self.logger = logger
    }

    /// Whether `user` may `verb` `resource` in `namespace` (cluster-wide, or a
    /// cluster-scoped resource, when nil).
    public func allows(_ user: TokenAuthenticator.User, _ verb: String, _ resource: GroupVersionResource,
                       namespace: String?) async throws(APIError) -> Bool {
        let key = [user.name, user.groups.joined(separator: ","), verb, resource.groupResource, namespace ?? ""].joined(separator: "\u{1}")
        do {
            return try await cache.value(for: key) { try await self.review(user, verb, resource, namespace: namespace) }
        } catch {
            logger.warning("SubjectAccessReview failed", metadata: ["error": "\(error)"])
            throw .unavailable("cannot check access with the API server (SubjectAccessReview): \(error)")
        }
    }

    private func review(_ user: TokenAuthenticator.User, _ verb: String, _ resource: GroupVersionResource, namespace: String?) async throws -> Bool {
        var attributes: JSONValue = ["verb": .string(verb), "group": .string(resource.group), "version": .string(resource.version),
                                     "resource": .string(resource.resource)]
        if let namespace { attributes["namespace"] = .string(namespace) }
        var spec: JSONValue = ["user": .string(user.name), "groups": .array(user.groups.map(JSONValue.string)), "resourceAttributes": attributes]
        if let uid = user.uid { spec["uid"] = .string(uid) }
        let review = try await client.create(Self.subjectAccessReviews, [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec,
        ])
        return review["status"]["allowed"].boolValue == true
    }
}

/// What a resolver answers when it cannot: the message says what to fix, and is all a
/// client sees (no stack, no secret).
public enum APIError: Error, Sendable, CustomStringConvertible, Equatable {
    /// RBAC refused: who, which verb, which resource, where.
    case forbidden(user: String, verb: String, resource: String, namespace: String?)
    case notFound(String)
    case invalidArgument(name: String, problem: String)
    /// The API server (or Prometheus) refused or failed a request made for the caller.
    case failed(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .forbidden(let user, let verb, let resource, let namespace):
            let place = namespace.map { "in namespace \($0)" } ?? "cluster-wide"
            return "forbidden: user \(user) cannot \(verb) \(resource) \(place); ask for a Role granting '\(verb)' on \(resource)"
        case .notFound(let what): return "not found: \(what)"
        case .invalidArgument(let name, let problem): return "invalid argument \(name): \(problem)"
        case .failed(let message), .unavailable(let message): return message
        }
    }
}
