import Foundation

/// An AWS access key, with a session token and an expiry when temporary.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    public var expiration: Date?
    /// Where they came from (`environment`, `profile default`, `web identity`…), for messages.
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil,
                source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Whether they must be fetched again: within `margin` of their expiry, or past it.
    public func needsRefresh(now: Date, margin: TimeInterval) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }

    /// Never shows the secret or the token: only the key id's last four characters.
    public var description: String {
        "AWS credentials …\(accessKeyID.suffix(4)) from \(source)" + (expiration.map { " until \(CloudTime.format($0))" } ?? "")
    }
}

/// Something that finds credentials: one link of the chain.
public protocol AWSCredentialProvider: Sendable {
    /// The credentials, or nil when this source is not configured (the chain goes on);
    /// throws when it is configured but fails (the chain stops with that error).
    func credentials() async throws -> AWSCredentials?
}

/// Keeps the credentials a provider found until shortly before they expire; one fetch at a
/// time, however many callers ask together.
public actor AWSCredentialCache {
    private let provider: any AWSCredentialProvider
    /// Refresh this long before expiry (the SDKs use a few minutes).
    public let refreshMargin: TimeInterval
    private var current: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?
    /// Fetches made so far (for tests and metrics).
    public private(set) var fetches = 0

    public init(provider: any AWSCredentialProvider, refreshMargin: TimeInterval = 300) {
        self.provider = provider
        self.refreshMargin = refreshMargin
    }

    /// Valid credentials, fetched again when they are about to expire.
    public func credentials(now: Date = Date()) async throws -> AWSCredentials {
        if let current, !current.needsRefresh(now: now, margin: refreshMargin) { return current }
        if let inFlight { return try await inFlight.value }
        fetches += 1
        let provider = self.provider
        let task = Task { () throws -> AWSCredentials in
            guard let found = try await provider.credentials() else {
                throw CloudError(.credentials, "no AWS credentials found: looked at AWS_ACCESS_KEY_ID, the shared credentials and config files, web identity (AWS_WEB_IDENTITY_TOKEN_FILE), the container endpoint and the EC2 instance metadata service")
            }
            return found
        }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        current = fresh
        return fresh
    }

    /// Forgets the credentials (after the service called them expired): the next call fetches.
    public func invalidate() { current = nil }
}

/// Fixed credentials (flags, a Secret).
public struct StaticAWSCredentials: AWSCredentialProvider {
    public var value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials? { value }
}
