import Foundation
import KubeClient

/// A Compute Engine instance, as the seed lists it.
public struct GCEInstance: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The zone's short name (`us-central1-a`).
    public var zone: String
    /// The machine type's short name (`e2-medium`).
    public var machineType: String
    /// PROVISIONING, STAGING, RUNNING, STOPPING, SUSPENDED, TERMINATED…
    public var status: String
    public var internalIPs: [String]
    public var externalIPs: [String]
    public var labels: [String: String]

    init(json: JSONValue, zone: String) {
        id = json["id"].stringValue ?? json["id"].intValue.map(String.init) ?? ""
        name = json["name"].stringValue ?? ""
        self.zone = json["zone"].stringValue.map(GCEInstance.lastSegment) ?? zone
        machineType = json["machineType"].stringValue.map(GCEInstance.lastSegment) ?? ""
        status = json["status"].stringValue ?? ""
        let interfaces = json["networkInterfaces"].arrayValue ?? []
        internalIPs = interfaces.compactMap { $0["networkIP"].stringValue }
        externalIPs = interfaces.flatMap { ($0["accessConfigs"].arrayValue ?? []).compactMap { $0["natIP"].stringValue } }
        labels = (json["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    static func lastSegment(_ url: String) -> String { String(url.split(separator: "/").last ?? Substring(url)) }
}

/// A long-running operation a start or stop returns.
public struct GCPOperation: Sendable, Hashable {
    public var name: String
    public var status: String
    public var targetLink: String?
}

/// Compute Engine: instances of every zone, start and stop.
public struct ComputeEngineAPI: Sendable {
    public let client: GCPClient

    /// Every instance of the project in every zone (`aggregated/instances`), page by page.
    /// `filter` is the API's filter expression (`status = RUNNING`).
    public func listInstances(project: String? = nil, filter: String? = nil, pageSize: Int = 500) async throws(CloudError) -> [GCEInstance] {
        let project = try await resolve(project)
        var query = [("maxResults", String(pageSize)), ("returnPartialSuccess", "true")]
        if let filter { query.append(("filter", filter)) }
        var instances: [GCEInstance] = []
        try await client.pages("\(client.settings.computeURL)/projects/\(Percent.encode(project))/aggregated/instances",
                               query: query, operation: "compute.instances.aggregatedList") { page in
            for (scope, entry) in page["items"].objectValue ?? [:] {
                let zone = GCEInstance.lastSegment(scope)
                instances += (entry["instances"].arrayValue ?? []).map { GCEInstance(json: $0, zone: zone) }
            }
        }
        return instances.sorted { ($0.zone, $0.name) < ($1.zone, $1.name) }
    }

    public func start(_ name: String, zone: String, project: String? = nil) async throws(CloudError) -> GCPOperation {
        try await act("start", name, zone: zone, project: project)
    }

    public func stop(_ name: String, zone: String, project: String? = nil) async throws(CloudError) -> GCPOperation {
        try await act("stop", name, zone: zone, project: project)
    }

    private func act(_ verb: String, _ name: String, zone: String, project: String?) async throws(CloudError) -> GCPOperation {
        let project = try await resolve(project)
        let url = "\(client.settings.computeURL)/projects/\(Percent.encode(project))/zones/\(Percent.encode(zone))/instances/\(Percent.encode(name))/\(verb)"
        let json = try await client.json("POST", url, operation: "compute.instances.\(verb)")
        return GCPOperation(name: json["name"].stringValue ?? "", status: json["status"].stringValue ?? "",
                            targetLink: json["targetLink"].stringValue)
    }

    private func resolve(_ project: String?) async throws(CloudError) -> String {
        if let project { return project }
        return try await client.project()
    }
}

extension GCPClient {
    public var compute: ComputeEngineAPI { ComputeEngineAPI(client: self) }
}
