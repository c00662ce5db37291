import Foundation
import KubeClient

/// A GKE cluster: what the seed lists, and what the audit judges.
public struct GKECluster: Sendable, Hashable {
    public struct NodePool: Sendable, Hashable {
        public var name: String
        public var version: String?
        public var nodeCount: Int?
        public var autoUpgrade: Bool
    }

    public var name: String
    public var location: String
    public var version: String?
    public var status: String?
    public var endpoint: String?
    public var nodePools: [NodePool]
    public var legacyABAC: Bool
    /// A static username/password (basic auth) is set on the control plane.
    public var basicAuth: Bool
    /// The control plane answers on a public address.
    public var publicEndpoint: Bool
    /// Master authorized networks restrict who reaches the public endpoint.
    public var authorizedNetworks: Bool
    public var raw: JSONValue

    public init(json: JSONValue) {
        raw = json
        name = json["name"].stringValue ?? ""
        location = json["location"].stringValue ?? json["zone"].stringValue ?? ""
        version = json["currentMasterVersion"].stringValue
        status = json["status"].stringValue
        endpoint = json["endpoint"].stringValue
        nodePools = (json["nodePools"].arrayValue ?? []).map {
            NodePool(name: $0["name"].stringValue ?? "", version: $0["version"].stringValue,
                     nodeCount: $0["initialNodeCount"].intValue, autoUpgrade: $0["management"]["autoUpgrade"].boolValue ?? false)
        }
        legacyABAC = json["legacyAbac"]["enabled"].boolValue ?? false
        basicAuth = !(json["masterAuth"]["username"].stringValue ?? "").isEmpty
        let privateConfig = json["privateClusterConfig"]
        publicEndpoint = !(privateConfig["enablePrivateEndpoint"].boolValue ?? false)
        authorizedNetworks = json["masterAuthorizedNetworksConfig"]["enabled"].boolValue ?? false
    }
}

/// GKE: clusters of a location (or every location: `-`).
public struct GKEAPI: Sendable {
    public let client: GCPClient

    public func listClusters(location: String = "-", project: String? = nil) async throws(CloudError) -> [GKECluster] {
        let project = try await resolve(project)
        let json = try await client.json("GET", "\(client.settings.containerURL)/projects/\(Percent.encode(project))/locations/\(Percent.encode(location))/clusters",
                                         operation: "container.clusters.list")
        if let missing = json["missingZones"].arrayValue, !missing.isEmpty {
            // Zones that did not answer: the list is partial, and saying so beats silence.
            throw CloudError(.request, "GKE could not list clusters in \(missing.compactMap(\.stringValue).joined(separator: ", "))",
                             operation: "container.clusters.list")
        }
        return (json["clusters"].arrayValue ?? []).map(GKECluster.init(json:))
    }

    public func getCluster(_ name: String, location: String, project: String? = nil) async throws(CloudError) -> GKECluster {
        let project = try await resolve(project)
        let json = try await client.json("GET", "\(client.settings.containerURL)/projects/\(Percent.encode(project))/locations/\(Percent.encode(location))/clusters/\(Percent.encode(name))",
                                         operation: "container.clusters.get")
        return GKECluster(json: json)
    }

    private func resolve(_ project: String?) async throws(CloudError) -> String {
        if let project { return project }
        return try await client.project()
    }
}

extension GCPClient {
    public var gke: GKEAPI { GKEAPI(client: self) }
}
