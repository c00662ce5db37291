import Foundation
import KubeClient

/// The AWS services opsagent calls, with their signing names, endpoint hosts and the
/// suffix of their `AWS_ENDPOINT_URL_<SERVICE>` variable.
public enum AWSService: String, Sendable, Hashable, CaseIterable {
    case ec2, eks, cloudwatch, sts
    /// IAM: only for setup and diagnostics (the tests create moto users with it).
    case iam

    /// The name SigV4 signs with.
    public var signingName: String { self == .cloudwatch ? "monitoring" : rawValue }
    /// The SDKs' service id, upper-cased with spaces as underscores.
    public var environmentSuffix: String { rawValue.uppercased() }
    /// The Query-protocol API version (EKS speaks REST-JSON and has none).
    public var apiVersion: String? {
        switch self {
        case .ec2: return "2016-11-15"
        case .cloudwatch: return "2010-08-01"
        case .sts: return "2011-06-15"
        case .iam: return "2010-05-08"
        case .eks: return nil
        }
    }

    public func defaultEndpoint(region: String) -> String {
        if self == .iam { return "https://iam.amazonaws.com" }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(signingName).\(region).\(suffix)"
    }
}

/// Where and as whom to call AWS: region, endpoints and credentials, resolved like the SDKs.
///
/// Region: `region` (a flag or the ConfigMap), else `AWS_REGION`, `AWS_DEFAULT_REGION`, the
/// profile's `region`. Endpoint of a service: the per-service override (flag), the general
/// override (flag), `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
/// `endpoint_url`, else the public endpoint of the region.
public struct AWSSettings: Sendable {
    public var region: String?
    /// A general endpoint override (moto, LocalStack, a VPC endpoint).
    public var endpointURL: String?
    public var serviceEndpoints: [AWSService: String]
    /// The process environment the SDK variables are read from (injected for tests).
    public var environment: [String: String]
    public var profile: String?
    /// Fixed credentials (a Secret); nil to use the chain.
    public var staticCredentials: AWSCredentials?
    /// Where the role-session name of web identity comes from when unset.
    public var sessionName: String

    public init(region: String? = nil, endpointURL: String? = nil, serviceEndpoints: [AWSService: String] = [:],
                environment: [String: String] = ProcessInfo.processInfo.environment, profile: String? = nil,
                staticCredentials: AWSCredentials? = nil, sessionName: String = "opsagent") {
        self.region = region
        self.endpointURL = endpointURL
        self.serviceEndpoints = serviceEndpoints
        self.environment = environment
        self.profile = profile
        self.staticCredentials = staticCredentials
        self.sessionName = sessionName
    }

    var profileName: String { profile ?? AWSSharedConfig.profileName(environment: environment) }

    /// The region, or a configuration error saying where to set one.
    public func resolvedRegion(shared: AWSSharedConfig) throws(CloudError) -> String {
        let candidates = [region, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"],
                          shared.value("region", profile: profileName)]
        guard let found = candidates.compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw CloudError(.configuration, "no AWS region: set --aws-region, AWS_REGION, or region in the profile \(profileName)")
        }
        return found
    }

    /// The base URL of `service` (no trailing slash).
    public func endpoint(_ service: AWSService, region: String, shared: AWSSharedConfig) -> String {
        let candidates = [serviceEndpoints[service], endpointURL,
                          environment["AWS_ENDPOINT_URL_\(service.environmentSuffix)"], environment["AWS_ENDPOINT_URL"],
                          shared.value("endpoint_url", profile: profileName)]
        var url = candidates.compactMap({ $0 }).first(where: { !$0.isEmpty }) ?? service.defaultEndpoint(region: region)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The SDKs' default chain: environment, shared files, web identity, container endpoint,
    /// instance metadata (IMDSv2). Static credentials, when given, replace it.
    public func credentialChain(shared: AWSSharedConfig, region: String, transport: any HTTPTransport) -> any AWSCredentialProvider {
        if let staticCredentials { return StaticAWSCredentials(staticCredentials) }
        let profile = profileName
        let stsEndpoint = endpoint(.sts, region: region, shared: shared)
        return AWSCredentialChain(links: [
            EnvironmentAWSCredentials(environment: environment),
            ProfileAWSCredentials(config: shared, profile: profile),
            WebIdentityAWSCredentials(
                tokenFile: environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? shared.value("web_identity_token_file", profile: profile),
                roleARN: environment["AWS_ROLE_ARN"] ?? shared.value("role_arn", profile: profile),
                sessionName: environment["AWS_ROLE_SESSION_NAME"] ?? shared.value("role_session_name", profile: profile) ?? sessionName,
                stsEndpoint: stsEndpoint, transport: transport),
            ContainerAWSCredentials(environment: environment, transport: transport),
            InstanceMetadataAWSCredentials(environment: environment, transport: transport),
        ])
    }
}

/// Asks each link in turn; the first that has credentials wins.
public struct AWSCredentialChain: AWSCredentialProvider {
    public var links: [any AWSCredentialProvider]
    public init(links: [any AWSCredentialProvider]) { self.links = links }

    public func credentials() async throws -> AWSCredentials? {
        for link in links {
            if let found = try await link.credentials() { return found }
        }
        return nil
    }
}
