import Foundation

/// An EC2 instance, as the seed's tools list it, with what the audit reads.
public struct EC2Instance: Sendable, Hashable, Codable {
    public var id: String
    public var type: String?
    /// pending, running, stopping, stopped, shutting-down, terminated.
    public var state: String?
    public var publicIP: String?
    public var privateIP: String?
    public var launchTime: Date?
    public var availabilityZone: String?
    public var tags: [String: String]
    /// `metadataOptions.httpTokens`: `required` (IMDSv2 only) or `optional` (IMDSv1 allowed).
    public var metadataHTTPTokens: String?
    /// `metadataOptions.httpEndpoint`: `enabled` or `disabled`.
    public var metadataEndpoint: String?

    public var name: String? { tags["Name"] }

    /// IMDSv1 is reachable: the endpoint is on and session tokens are optional.
    public var allowsIMDSv1: Bool { metadataEndpoint != "disabled" && metadataHTTPTokens != "required" }

    init(item: XMLTree) {
        id = item.string("instanceId") ?? ""
        type = item.string("instanceType")
        state = item.string("instanceState/name")
        publicIP = item.string("ipAddress")
        privateIP = item.string("privateIpAddress")
        launchTime = item.string("launchTime").flatMap(CloudTime.parse)
        availabilityZone = item.string("placement/availabilityZone")
        var tags: [String: String] = [:]
        for tag in item.list("tagSet") { if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" } }
        self.tags = tags
        metadataHTTPTokens = item.string("metadataOptions/httpTokens")
        metadataEndpoint = item.string("metadataOptions/httpEndpoint")
    }
}

/// A DescribeInstances filter: `instance-state-name` = [`running`], `tag:team` = [`ops`]…
public struct EC2Filter: Sendable, Hashable, Codable {
    public var name: String
    public var values: [String]
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// One page of DescribeInstances.
public struct EC2InstancePage: Sendable, Hashable {
    public var instances: [EC2Instance]
    /// Pass back to get the next page; nil on the last.
    public var nextToken: String?
}

/// An instance's state before and after StartInstances or StopInstances.
public struct EC2StateChange: Sendable, Hashable, Codable {
    public var instanceID: String
    public var previousState: String?
    public var currentState: String?
}

/// EC2: the seed's instance operations.
public struct EC2API: Sendable {
    public let client: AWSClient

    /// One page of instances matching `filters` (and `instanceIDs` when given). `maxResults`
    /// (5–1000) asks for pages; AWS refuses it together with instance ids.
    public func describeInstances(filters: [EC2Filter] = [], instanceIDs: [String] = [], maxResults: Int? = nil,
                                  nextToken: String? = nil) async throws(CloudError) -> EC2InstancePage {
        var parameters: [(String, String)] = []
        for (i, filter) in filters.enumerated() {
            parameters.append(("Filter.\(i + 1).Name", filter.name))
            for (j, value) in filter.values.enumerated() { parameters.append(("Filter.\(i + 1).Value.\(j + 1)", value)) }
        }
        for (i, id) in instanceIDs.enumerated() { parameters.append(("InstanceId.\(i + 1)", id)) }
        if let maxResults, instanceIDs.isEmpty { parameters.append(("MaxResults", String(min(1000, max(5, maxResults))))) }
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        let xml = try await client.query(.ec2, action: "DescribeInstances", parameters: parameters)
        let instances = xml.list("reservationSet").flatMap { $0.list("instancesSet").map(EC2Instance.init(item:)) }
        return EC2InstancePage(instances: instances, nextToken: xml.string("nextToken"))
    }

    /// Every instance matching, following `nextToken` page by page.
    public func listInstances(filters: [EC2Filter] = [], instanceIDs: [String] = [], pageSize: Int = 1000) async throws(CloudError) -> [EC2Instance] {
        var all: [EC2Instance] = []
        var token: String?
        repeat {
            let page = try await describeInstances(filters: filters, instanceIDs: instanceIDs,
                                                   maxResults: instanceIDs.isEmpty ? pageSize : nil, nextToken: token)
            all += page.instances
            token = page.nextToken
        } while token != nil
        return all
    }

    public func startInstances(_ ids: [String]) async throws(CloudError) -> [EC2StateChange] {
        try await change("StartInstances", ids, extra: [])
    }

    /// Stops instances; `force` skips the guest's orderly shutdown.
    public func stopInstances(_ ids: [String], force: Bool = false) async throws(CloudError) -> [EC2StateChange] {
        try await change("StopInstances", ids, extra: force ? [("Force", "true")] : [])
    }

    private func change(_ action: String, _ ids: [String], extra: [(String, String)]) async throws(CloudError) -> [EC2StateChange] {
        guard !ids.isEmpty else { throw CloudError(.request, "no instance ids given", operation: "ec2:\(action)") }
        let parameters = ids.enumerated().map { ("InstanceId.\($0.offset + 1)", $0.element) } + extra
        let xml = try await client.query(.ec2, action: action, parameters: parameters)
        return xml.list("instancesSet").map {
            EC2StateChange(instanceID: $0.string("instanceId") ?? "", previousState: $0.string("previousState/name"),
                           currentState: $0.string("currentState/name"))
        }
    }
}

extension AWSClient {
    public var ec2: EC2API { EC2API(client: self) }
}
