import Cloud
import Foundation
import KubeClient
import TestSupport

/// An environment for an ``AWSClient`` that reads nothing of the machine's: a fresh HOME,
/// no metadata service, `extra` on top.
func isolatedAWSEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("aws-home-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    var environment = ["HOME": home, "AWS_EC2_METADATA_DISABLED": "true"]
    environment.merge(extra) { _, new in new }
    return environment
}

/// A client of `moto` with moto's conventional test keys.
func motoClient(_ moto: MotoServer, region: String = "us-east-1", retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(20)),
                extra: [String: String] = [:]) throws -> AWSClient {
    let environment = isolatedAWSEnvironment(["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                              "AWS_REGION": region, "AWS_ENDPOINT_URL": moto.url].merging(extra) { _, new in new })
    return try AWSClient(settings: AWSSettings(environment: environment), retry: retry)
}

extension AWSClient {
    /// Launches `count` instances in moto (RunInstances), tagged and with the IMDS option given.
    @discardableResult
    func runInstances(_ count: Int, tags: [String: String] = [:], httpTokens: String? = nil,
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
}
