import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers

/// Authenticates HTTP callers as the API server would: the bearer token goes into a
/// TokenReview, and the user it names (with groups and uid) is who the caller is. Answers
/// are cached per token for `cacheTTL`; failures of the review itself are not.
public final class TokenAuthenticator: Sendable {
    public struct User: Sendable, Hashable {
        public var name: String
        public var groups: [String]
        public var uid: String?
    }

    public enum Outcome: Sendable, Equatable {
        case authenticated(User)
        /// 401: no token, or one the API server does not accept.
        case rejected(String)
        /// 503: the review could not be made.
        case unavailable(String)
    }

    static let tokenReviews = GroupVersionResource(group: "authentication.k8s.io", version: "v1", resource: "tokenreviews")

    private let client: KubernetesClient
    private let cacheTTL: Duration
    private let logger: Logger
    private let cache = NIOLockedValueBox<[String: (outcome: Outcome, expires: ContinuousClock.Instant)]>([:])

    public init(client: KubernetesClient, cacheTTL: Duration = .seconds(60), logger: Logger) {
        self.client = client
        self.cacheTTL = cacheTTL
        self.logger = logger
    }

    public func authenticate(authorization: String?) async -> Outcome {
        guard let header = authorization, header.lowercased().hasPrefix("bearer "),
              case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            return .rejected("send 'Authorization: Bearer <token>' with a token the cluster accepts (e.g. kubectl create token NAME)")
        }
        let now = ContinuousClock.now
        if let cached = cache.withLockedValue({ $0[token] }), now < cached.expires { return cached.outcome }
        let outcome: Outcome
        do {
            let review = try await client.create(
                Self.tokenReviews, ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]])
            let status = review["status"]
            if status["authenticated"].boolValue == true, let name = status["user"]["username"].stringValue {
                outcome = .authenticated(User(name: name, groups: (status["user"]["groups"].arrayValue ?? []).compactMap(\.stringValue),
                                              uid: status["user"]["uid"].stringValue))
            } else {
                outcome = .rejected("the cluster did not accept the token: \(status["error"].stringValue ?? "not authenticated")")
            }
        } catch {
            logger.warning("TokenReview failed", metadata: ["error": "\(error)"])
            return .unavailable("cannot review the token with the API server: \(error)")
        }
        cache.withLockedValue { cache in
            if cache.count > 1024 { cache = cache.filter { now < $0.value.expires } }
            cache[token] = (outcome, now.advanced(by: cacheTTL))
        }
        return outcome
    }
}
