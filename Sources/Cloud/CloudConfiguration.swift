import Foundation
import KubeClient

/// The operator's cloud configuration, from flags over a ConfigMap over the SDKs' variables.
///
/// ConfigMap keys: `aws.region`, `aws.profile`, `aws.endpointURL`, `aws.endpointURL.<service>`
/// (ec2, eks, cloudwatch, sts), `gcp.project`, `gcp.computeURL`, `gcp.containerURL`,
/// `gcp.monitoringURL`, `audit.eksMinimumVersion`, `secretName`. The Secret (same namespace)
/// may hold `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token` and
/// `gcp-service-account.json`; without it the credential chains apply (IRSA, Workload
/// Identity). AWS is on when a region is known; GCP when a project, a key or
/// `GOOGLE_APPLICATION_CREDENTIALS` is.
public struct CloudConfiguration: Sendable {
    public var values: [String: String]
    public var secret: [String: [UInt8]]
    public var environment: [String: String]

    public init(configMap: [String: String] = [:], flags: [String: String?] = [:], secret: [String: [UInt8]] = [:],
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        var merged = configMap
        for (key, value) in flags { if let value, !value.isEmpty { merged[key] = value } }
        values = merged
        self.secret = secret
        self.environment = environment
    }

    /// The Secret's name, when the ConfigMap names one.
    public var secretName: String? { values["secretName"] }
    public var eksMinimumVersion: String { values["audit.eksMinimumVersion"] ?? "1.30" }

    /// AWS settings, or nil when no region is known (AWS off); errors name the key to fix.
    public func aws() throws(CloudError) -> AWSSettings? {
        let region = values["aws.region"] ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
        guard let region, !region.isEmpty else { return nil }
        var endpoints: [AWSService: String] = [:]
        for service in AWSService.allCases {
            if let url = values["aws.endpointURL.\(service.rawValue)"] { endpoints[service] = try checkedURL(url, key: "aws.endpointURL.\(service.rawValue)") }
        }
        var general: String?
        if let url = values["aws.endpointURL"] { general = try checkedURL(url, key: "aws.endpointURL") }
        var settings = AWSSettings(region: region, endpointURL: general, serviceEndpoints: endpoints, environment: environment,
                                   profile: values["aws.profile"])
        let id = string("aws_access_key_id"), secretKey = string("aws_secret_access_key")
        switch (id, secretKey) {
        case (nil, nil): break
        case (let id?, let secretKey?):
            settings.staticCredentials = AWSCredentials(accessKeyID: id, secretAccessKey: secretKey, sessionToken: string("aws_session_token"),
                                                        source: "Secret \(secretName ?? "")")
        default:
            throw CloudError(.configuration, "the cloud Secret has only one of aws_access_key_id and aws_secret_access_key; set both")
        }
        return settings
    }

    /// GCP settings, or nil when nothing says GCP is wanted.
    public func gcp() throws(CloudError) -> GCPSettings? {
        let key = secret["gcp-service-account.json"]
        let wanted = values["gcp.project"] != nil || key != nil || environment["GOOGLE_APPLICATION_CREDENTIALS"] != nil
        guard wanted else { return nil }
        var settings = GCPSettings(project: values["gcp.project"], serviceAccountKey: key, environment: environment)
        if let url = values["gcp.computeURL"] { settings.computeURL = try checkedURL(url, key: "gcp.computeURL") }
        if let url = values["gcp.containerURL"] { settings.containerURL = try checkedURL(url, key: "gcp.containerURL") }
        if let url = values["gcp.monitoringURL"] { settings.monitoringURL = try checkedURL(url, key: "gcp.monitoringURL") }
        return settings
    }

    /// The clients, or nil when no cloud is configured.
    public func clients(transport: any HTTPTransport = CurlTransport.shared) throws(CloudError) -> CloudClients? {
        let aws = try aws(), gcp = try gcp()
        if aws == nil, gcp == nil { return nil }
        return CloudClients(aws: aws, gcp: gcp, transport: transport, eksMinimumVersion: eksMinimumVersion)
    }

    private func string(_ key: String) -> String? {
        secret[key].map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    private func checkedURL(_ text: String, key: String) throws(CloudError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw CloudError(.configuration, "\(key) is \"\(text)\", not an http(s) URL")
        }
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}
