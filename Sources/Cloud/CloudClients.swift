import Foundation
import KubeClient
import Synchronization

/// The operator's configured clouds: one AWS client per region and one GCP client, made on
/// first use and shared by every consumer (AlertRule sources, SecurityAudit checks, tools).
public final class CloudClients: Sendable {
    /// nil when AWS is not configured.
    public let awsSettings: AWSSettings?
    /// nil when GCP is not configured.
    public let gcpSettings: GCPSettings?
    public let retry: RetryPolicy
    /// The oldest EKS version in standard support, for the posture checks.
    public let eksMinimumVersion: String
    private let transport: any HTTPTransport
    let awsClients = Mutex<[String: AWSClient]>([:])
    let gcpClient = Mutex<GCPClient?>(nil)

    public init(aws: AWSSettings?, gcp: GCPSettings?, transport: any HTTPTransport = CurlTransport.shared,
                retry: RetryPolicy = RetryPolicy(), eksMinimumVersion: String = "1.30") {
        self.eksMinimumVersion = eksMinimumVersion
        awsSettings = aws
        gcpSettings = gcp
        self.transport = transport
        self.retry = retry
    }

    /// The AWS client of `region` (the configured region when nil).
    public func aws(region: String? = nil) throws(CloudError) -> AWSClient {
        guard var settings = awsSettings else {
            throw CloudError(.configuration, "AWS is not configured: run the operator with --aws-region (and credentials), or set aws.region in the opsagent-cloud ConfigMap")
        }
        let key = region ?? ""
        if let existing = awsClients.withLock({ $0[key] }) { return existing }
        if let region { settings.region = region }
        let client = try AWSClient(settings: settings, transport: transport, retry: retry)
        return awsClients.withLock { table in
            if let raced = table[key] { return raced }
            table[key] = client
            return client
        }
    }

    public func gcp() throws(CloudError) -> GCPClient {
        guard let settings = gcpSettings else {
            throw CloudError(.configuration, "GCP is not configured: run the operator with --gcp-project (and credentials), or set gcp.project in the opsagent-cloud ConfigMap")
        }
        if let existing = gcpClient.withLock({ $0 }) { return existing }
        let client = try GCPClient(settings: settings, transport: transport, retry: retry)
        return gcpClient.withLock { current in
            if let current { return current }
            current = client
            return client
        }
    }
}
