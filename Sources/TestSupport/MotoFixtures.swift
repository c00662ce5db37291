import Cloud
import Foundation
import KubeClient

/// An environment for an ``AWSClient`` that reads nothing of the machine's: a fresh HOME,
/// no metadata service, `extra` on top.
public func isolatedAWSEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("aws-home-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    var environment = ["HOME": home, "AWS_EC2_METADATA_DISABLED": "true"]
    environment.merge(extra) { _, new in new }
    return environment
}

/// A client of `moto` with moto's conventional test keys.
public func motoClient(_ moto: MotoServer, region: String = "us-east-1", retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(20)),
                       extra: [String: String] = [:]) throws -> AWSClient {
    let environment = isolatedAWSEnvironment(["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                              "AWS_REGION": region, "AWS_ENDPOINT_URL": moto.url].merging(extra) { _, new in new })
    return try AWSClient(settings: AWSSettings(environment: environment), retry: retry)
}

extension AWSClient {
    /// Launches `count` instances in moto (RunInstances), tagged and with the IMDS option given.
    @discardableResult
    public func runInstances(_ count: Int, tags: [String: String] = [:], httpTokens: String? = nil,
                             type: String = "t3.micro") async throws -> [String] {
        var parameters: [(String, String)] = [("ImageId", "ami-12c6146b"), ("MinCount", String(count)), ("MaxCount", String(count)),
                                              ("InstanceType", type)]
        if !tags.isEmpty {
            parameters.append(("TagSpecification.1.ResourceType", "instance"))
            for (i, (k, v)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
                parameters += [("TagSpecification.1.Tag.\(i + 1).Key", k), ("TagSpecification.1.Tag.\(i + 1).Value", v)]
            }
        }
        if let httpTokens { parameters.append(("MetadataOptions.HttpTokens", httpTokens)) }
        let xml = try await query(.ec2, action: "RunInstances", parameters: parameters)
        return xml.list("instancesSet").compactMap { $0.string("instanceId") }
    }

    /// Creates an EKS cluster in moto (CreateCluster) with version 1.29. `publicCIDRs` nil
    /// leaves the endpoint settings to AWS's defaults (public, open to 0.0.0.0/0); `logging`
    /// lists the control-plane log types turned on (none by default).
    public func createEKSCluster(_ name: String, version: String = "1.29", publicCIDRs: [String]? = nil,
                                 logging: [String] = []) async throws {
        var vpc: JSONValue = ["subnetIds": ["subnet-1"]]
        if let publicCIDRs {
            vpc["endpointPublicAccess"] = true
            vpc["publicAccessCidrs"] = .array(publicCIDRs.map(JSONValue.string))
        }
        var body: JSONValue = ["name": .string(name), "version": .string(version), "roleArn": "arn:aws:iam::123456789012:role/eks",
                               "resourcesVpcConfig": vpc]
        if !logging.isEmpty { body["logging"] = ["clusterLogging": [["types": .array(logging.map(JSONValue.string)), "enabled": true]]] }
        _ = try await json(.eks, operation: "CreateCluster", method: "POST", path: "/clusters", body: body)
    }
}
