import Foundation
import KubeClient
import Logging

/// Authenticates HTTP callers as the API server would: the bearer token goes into a
/// TokenReview, and the user it names (with groups and uid) is who the caller is. Answers
/// are cached per token for `cacheTTL`, and callers presenting the same token at once share
/// one review; failures of the review itself are not cached.
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
    private let logger: Logger
    private let cache: ExpiringCache<Outcome>

    public init(client: KubernetesClient, cacheTTL: Duration = .seconds(60), logger: Logger) {
        self.client = client
        self.cache = ExpiringCache(ttl: cacheTTL, capacity: 1024)
        self.logger = logger
    }

    public func authenticate(authorization: String?) async -> Outcome {
        guard let header = authorization, header.lowercased().hasPrefix("bearer "),
              case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            return .rejected("send 'Authorization: Bearer <token>' with a token the cluster accepts (e.g. kubectl create token NAME)")
        }
        do {
            return try await cache.value(for: token) { try await self.review(token) }
        } catch {
            logger.warning("TokenReview failed", metadata: ["error": "\(error)"])
            return .unavailable("cannot review the token with the API server: \(error)")
        }
    }

    /// The API server's verdict on `token`; throws when the review itself failed.
    private func review(_ token: String) async throws -> Outcome {
        let review = try await client.create(
            Self.tokenReviews, ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]])
        let status = review["status"]
        guard status["authenticated"].boolValue == true, let name = status["user"]["username"].stringValue else {
            return .rejected("the cluster did not accept the token: \(status["error"].stringValue ?? "not authenticated")")
        }
        return .authenticated(User(name: name, groups: (status["user"]["groups"].arrayValue ?? []).compactMap(\.stringValue),
                                   uid: status["user"]["uid"].stringValue))
    }
}
