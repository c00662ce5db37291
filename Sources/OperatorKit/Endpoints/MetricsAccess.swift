import KubeClient
import Logging
import NIOConcurrencyHelpers

/// Who may read `/metrics`, as controller-runtime's `filters.WithAuthenticationAndAuthorization`
/// decides: the request's bearer token is authenticated with a TokenReview, and the user it
/// names must be allowed `get` on the non-resource URL `/metrics` by a SubjectAccessReview
/// (RBAC: a ClusterRole with `nonResourceURLs: ["/metrics"]`, verbs `["get"]`). Answers are
/// cached per token for `cacheTTL`, so a scrape every few seconds costs two API requests a minute.
public final class MetricsAccess: Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed(user: String)
        /// No token, or one the API server does not accept: 401.
        case unauthenticated(String)
        /// A valid user without the right: 403.
        case forbidden(user: String)
        /// The reviews themselves failed: 500, not cached.
        case failed(String)
    }

    static let tokenReviews = GroupVersionResource(group: "authentication.k8s.io", version: "v1", resource: "tokenreviews")
    static let subjectAccessReviews = GroupVersionResource(
        group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews")

    private let api: any KubernetesAPI
    private let clock: any OperatorClock
    private let cacheTTL: Duration
    private let logger: Logger
    private let cache = NIOLockedValueBox<[String: (decision: Decision, expires: ClockInstant)]>([:])

    public init(api: any KubernetesAPI, cacheTTL: Duration = .seconds(60), clock: any OperatorClock = SystemClock(),
                logger: Logger = Logger(label: "opsagent.endpoints")) {
        self.api = api
        self.cacheTTL = cacheTTL
        self.clock = clock
        self.logger = logger
    }

    /// Decides for a request with this `Authorization` header, for `verb` on `path`.
    public func decide(authorization: String?, path: String = "/metrics", verb: String = "get") async -> Decision {
        guard let header = authorization, header.lowercased().hasPrefix("bearer "),
              case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            return .unauthenticated("a bearer token is required")
        }
        let now = clock.now
        let cacheKey = "\(verb) \(path) \(token)"
        if let cached = cache.withLockedValue({ $0[cacheKey] }), now < cached.expires { return cached.decision }
        let decision = await review(token: token, path: path, verb: verb)
        if case .failed = decision { return decision }
        cache.withLockedValue { cache in
            if cache.count > 1024 { cache = cache.filter { now < $0.value.expires } }
            cache[cacheKey] = (decision, now.advanced(by: cacheTTL))
        }
        return decision
    }

    private func review(token: String, path: String, verb: String) async -> Decision {
        let user: JSONValue
        do {
            let review = try await api.create(
                Self.tokenReviews,
                ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]],
                namespace: nil)
            guard review["status"]["authenticated"].boolValue == true else {
                return .unauthenticated(review["status"]["error"].stringValue ?? "the token was not accepted")
            }
            user = review["status"]["user"]
        } catch {
            logger.warning("TokenReview failed", metadata: ["error": "\(error)"])
            return .failed("TokenReview failed: \(error)")
        }
        let name = user["username"].stringValue ?? ""
        var spec: JSONValue = [
            "user": .string(name),
            "groups": user["groups"].isNull ? [] : user["groups"],
            "nonResourceAttributes": ["path": .string(path), "verb": .string(verb)],
        ]
        if let uid = user["uid"].stringValue { spec["uid"] = .string(uid) }
        if !user["extra"].isNull { spec["extra"] = user["extra"] }
        do {
            let review = try await api.create(
                Self.subjectAccessReviews,
                ["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec], namespace: nil)
            return review["status"]["allowed"].boolValue == true ? .allowed(user: name) : .forbidden(user: name)
        } catch {
            logger.warning("SubjectAccessReview failed", metadata: ["error": "\(error)"])
            return .failed("SubjectAccessReview failed: \(error)")
        }
    }
}
