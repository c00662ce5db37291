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

/// Keeps the credentials a provider found until five minutes before they expire.
public typealias AWSCredentialCache = ExpiringValueCache<AWSCredentials>

extension ExpiringValueCache where Value == AWSCredentials {
    public init(provider: any AWSCredentialProvider, refreshMargin: TimeInterval = 300) {
        self.init(margin: refreshMargin, expiry: { $0.expiration }) {
            guard let found = try await provider.credentials() else {
                throw CloudError(.credentials, "no AWS credentials found: looked at AWS_ACCESS_KEY_ID, the shared credentials and config files, web identity (AWS_WEB_IDENTITY_TOKEN_FILE), the container endpoint and the EC2 instance metadata service")
            }
            return found
        }
    }

    /// Valid credentials, fetched again when they are about to expire.
    public func credentials(now: Date = Date()) async throws -> AWSCredentials { try await value(now: now) }
}

/// Fixed credentials (flags, a Secret).
public struct StaticAWSCredentials: AWSCredentialProvider {
    public var value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials? { value }
}
