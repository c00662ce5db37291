import Foundation
import KubeClient

/// An EKS cluster: what the seed lists, and what the audit judges.
public struct EKSCluster: Sendable, Hashable {
    public var name: String
    public var arn: String?
    public var version: String?
    public var status: String?
    public var endpoint: String?
    public var platformVersion: String?
    public var endpointPublicAccess: Bool
    public var endpointPrivateAccess: Bool
    /// CIDRs allowed to reach a public endpoint (AWS's default is 0.0.0.0/0).
    public var publicAccessCIDRs: [String]
    /// Control-plane log types turned on (api, audit, authenticator, controllerManager, scheduler).
    public var enabledLogTypes: [String]
    /// Kubernetes Secrets are envelope-encrypted with a KMS key.
    public var secretsEncrypted: Bool
    /// The whole answer, for tools that show more.
    public var raw: JSONValue

    public init(json: JSONValue) {
        raw = json
        name = json["name"].stringValue ?? ""
        arn = json["arn"].stringValue
        version = json["version"].stringValue
        status = json["status"].stringValue
        endpoint = json["endpoint"].stringValue
        platformVersion = json["platformVersion"].stringValue
        let vpc = json["resourcesVpcConfig"]
        endpointPublicAccess = vpc["endpointPublicAccess"].boolValue ?? true
        endpointPrivateAccess = vpc["endpointPrivateAccess"].boolValue ?? false
        publicAccessCIDRs = (vpc["publicAccessCidrs"].arrayValue ?? []).compactMap(\.stringValue)
        enabledLogTypes = (json["logging"]["clusterLogging"].arrayValue ?? [])
            .filter { $0["enabled"].boolValue == true }
            .flatMap { ($0["types"].arrayValue ?? []).compactMap(\.stringValue) }
        secretsEncrypted = (json["encryptionConfig"].arrayValue ?? []).contains {
            ($0["resources"].arrayValue ?? []).contains { $0.stringValue == "secrets" }
        }
    }

    /// The public endpoint answers from anywhere.
    public var openToInternet: Bool {
        endpointPublicAccess && (publicAccessCIDRs.isEmpty || publicAccessCIDRs.contains("0.0.0.0/0"))
    }
}

/// EKS: cluster listing and description.
public struct EKSAPI: Sendable {
    public let client: AWSClient

    /// The names of every cluster in the region, page by page.
    public func listClusters(pageSize: Int = 100) async throws(CloudError) -> [String] {
        var names: [String] = []
        var token: String?
        repeat {
            var query = [("maxResults", String(min(100, max(1, pageSize))))]
            if let token { query.append(("nextToken", token)) }
            let json = try await client.json(.eks, operation: "ListClusters", method: "GET", path: "/clusters", query: query)
            names += (json["clusters"].arrayValue ?? []).compactMap(\.stringValue)
            token = json["nextToken"].stringValue
        } while token != nil
        return names
    }

    public func describeCluster(_ name: String) async throws(CloudError) -> EKSCluster {
        let json = try await client.json(.eks, operation: "DescribeCluster", method: "GET", path: "/clusters/\(Percent.encode(name))")
        guard json["cluster"].objectValue != nil else {
            throw CloudError(.malformed, "the answer has no cluster", operation: "eks:DescribeCluster")
        }
        return EKSCluster(json: json["cluster"])
    }

    /// The seed's listing: every cluster, described.
    public func describeAll() async throws(CloudError) -> [EKSCluster] {
        var clusters: [EKSCluster] = []
        for name in try await listClusters() { clusters.append(try await describeCluster(name)) }
        return clusters
    }
}

extension AWSClient {
    public var eks: EKSAPI { EKSAPI(client: self) }
}
