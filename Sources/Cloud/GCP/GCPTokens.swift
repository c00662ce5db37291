import Foundation
import KubeClient

/// An OAuth 2 access token and when it stops working.
public struct GCPAccessToken: Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public var expiresAt: Date
    public var source: String

    public init(value: String, expiresAt: Date, source: String) {
        self.value = value
        self.expiresAt = expiresAt
        self.source = source
    }

    /// Never shows the token.
    public var description: String { "GCP access token from \(source) until \(CloudTime.format(expiresAt))" }
}

/// Something that obtains access tokens.
public protocol GCPTokenProvider: Sendable {
    func token() async throws(CloudError) -> GCPAccessToken
    /// The project the credentials belong to, when they say.
    func projectID() async -> String?
}

/// Keeps a token until five minutes before it expires.
public typealias GCPTokenCache = ExpiringValueCache<GCPAccessToken>

extension ExpiringValueCache where Value == GCPAccessToken {
    public init(provider: any GCPTokenProvider, margin: TimeInterval = 300) {
        self.init(margin: margin, expiry: { $0.expiresAt }) { try await provider.token() }
    }

    public func token(now: Date = Date()) async throws(CloudError) -> GCPAccessToken {
        do { return try await value(now: now) } catch let error as CloudError { throw error } catch {
            throw CloudError(.credentials, "\(error)")
        }
    }
}

/// A service-account key: a signed JWT exchanged at the key's `token_uri`.
public struct ServiceAccountTokenProvider: GCPTokenProvider {
    public var key: GCPServiceAccountKey
    public var scopes: [String]
    public var transport: any HTTPTransport

    public init(key: GCPServiceAccountKey, scopes: [String] = ["https://www.googleapis.com/auth/cloud-platform"],
                transport: any HTTPTransport) {
        self.key = key
        self.scopes = scopes
        self.transport = transport
    }

    public func projectID() async -> String? { key.projectID }

    public func token() async throws(CloudError) -> GCPAccessToken {
        let now = Date()
        let body = Percent.canonicalQuery([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                                           ("assertion", try key.assertion(scopes: scopes, now: now))])
        let request = HTTPRequest(method: "POST", url: key.tokenURI,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                                  body: Array(body.utf8), timeout: .seconds(15))
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch {
            throw CloudError(.unreachable, "cannot reach the token endpoint \(key.tokenURI): \(error)", operation: "oauth2 token")
        }
        let json = try? JSONValue(parsing: response.body)
        guard response.status == 200, let token = json?["access_token"].stringValue else {
            let reason = json?["error_description"].stringValue ?? json?["error"].stringValue ?? "HTTP \(response.status)"
            throw CloudError(.unauthorized, "the token endpoint refused the key of \(key.clientEmail): \(reason)",
                             code: json?["error"].stringValue, operation: "oauth2 token", httpStatus: response.status)
        }
        let lifetime = json?["expires_in"].doubleValue ?? 3600
        return GCPAccessToken(value: token, expiresAt: now.addingTimeInterval(lifetime), source: "service account \(key.clientEmail)")
    }
}

/// The metadata server of GCE and GKE Workload Identity (`GCE_METADATA_HOST` moves it).
public struct MetadataServerTokenProvider: GCPTokenProvider {
    public var baseURL: String
    public var transport: any HTTPTransport

    public init(environment: [String: String], transport: any HTTPTransport) {
        let host = environment["GCE_METADATA_HOST"] ?? environment["GCE_METADATA_ROOT"] ?? "metadata.google.internal"
        baseURL = host.hasPrefix("http") ? host : "http://\(host)"
        self.transport = transport
    }

    public func projectID() async -> String? {
        guard let body = try? await get("/computeMetadata/v1/project/project-id") else { return nil }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    public func token() async throws(CloudError) -> GCPAccessToken {
        let now = Date()
        let body = try await get("/computeMetadata/v1/instance/service-accounts/default/token")
        guard let json = try? JSONValue(parsing: body), let token = json["access_token"].stringValue else {
            throw CloudError(.credentials, "the metadata server answered without an access_token")
        }
        return GCPAccessToken(value: token, expiresAt: now.addingTimeInterval(json["expires_in"].doubleValue ?? 3600),
                              source: "metadata server")
    }

    private func get(_ path: String) async throws(CloudError) -> [UInt8] {
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: baseURL + path, headers: ["Metadata-Flavor": "Google"],
                                                            connectTimeout: .seconds(2), timeout: .seconds(5)))
        } catch {
            throw CloudError(.credentials, "no GCP credentials: GOOGLE_APPLICATION_CREDENTIALS is not set and the metadata server at \(baseURL) cannot be reached (\(error))")
        }
        guard response.status == 200 else {
            throw CloudError(.credentials, "the metadata server answered HTTP \(response.status) for \(path); is Workload Identity bound to a Google service account?")
        }
        return response.body
    }
}
