import Foundation
import KubeClient

/// The ECS/EKS Pod Identity container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (under 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the token of
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)` as the Authorization header.
public struct ContainerAWSCredentials: AWSCredentialProvider {
    public var environment: [String: String]
    public var transport: any HTTPTransport

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            url = full
        } else {
            return nil
        }
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let token = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CloudError(.credentials, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)")
            }
            headers.set("Authorization", token.trimmingCharacters(in: .whitespacesAndNewlines))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.set("Authorization", token)
        }
        let body = try await MetadataFetch.get(url, headers: headers, transport: transport, what: "the container credentials endpoint")
        return try MetadataFetch.credentials(body, source: "container endpoint")
    }
}

/// The EC2 instance metadata service, IMDSv2: a session token from `PUT /latest/api/token`,
/// then the role's credentials. `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it,
/// `AWS_EC2_METADATA_DISABLED=true` turns it off. An unreachable service means "not on EC2".
public struct InstanceMetadataAWSCredentials: AWSCredentialProvider {
    public var environment: [String: String]
    public var transport: any HTTPTransport

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await transport.send(HTTPRequest(
                method: "PUT", url: base + "/latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": "21600"],
                body: [], connectTimeout: .seconds(1), timeout: .seconds(2)))
        } catch {
            return nil // no metadata service: not on EC2
        }
        guard tokenResponse.status == 200 else {
            throw CloudError(.credentials, "the instance metadata service refused a session token (HTTP \(tokenResponse.status)); IMDSv2 must be enabled and the hop limit must reach the pod")
        }
        let headers: HTTPHeaders = ["X-aws-ec2-metadata-token": tokenResponse.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)]
        let rolesURL = base + "/latest/meta-data/iam/security-credentials/"
        let roles = try await MetadataFetch.get(rolesURL, headers: headers, transport: transport, what: "the instance metadata service")
        guard let role = String(decoding: roles, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) else {
            throw CloudError(.credentials, "the instance has no IAM role (instance profile); attach one")
        }
        let body = try await MetadataFetch.get(rolesURL + role, headers: headers, transport: transport, what: "the instance metadata service")
        return try MetadataFetch.credentials(body, source: "instance metadata (\(role))")
    }
}

enum MetadataFetch {
    static func get(_ url: String, headers: HTTPHeaders, transport: any HTTPTransport, what: String) async throws -> [UInt8] {
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers,
                                                            connectTimeout: .seconds(2), timeout: .seconds(5)))
        } catch {
            throw CloudError(.credentials, "cannot reach \(what) at \(url): \(error)")
        }
        guard response.status == 200 else {
            throw CloudError(.credentials, "\(what) answered HTTP \(response.status) for \(url)")
        }
        return response.body
    }

    /// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (both endpoints' shape).
    static func credentials(_ body: [UInt8], source: String) throws -> AWSCredentials {
        guard let json = try? JSONValue(parsing: body), let id = json["AccessKeyId"].stringValue,
              let secret = json["SecretAccessKey"].stringValue else {
            throw CloudError(.credentials, "\(source) answered without AccessKeyId and SecretAccessKey")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: json["Token"].stringValue,
                              expiration: json["Expiration"].stringValue.flatMap(CloudTime.parse), source: source)
    }
}
