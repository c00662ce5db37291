import Cloud
import Foundation
import KubeClient

/// AWS, as the seed's AWS server: EC2 instances (`ec2_list_instances` with filters and
/// pages, `ec2_start_instance`, `ec2_stop_instance`), EKS clusters (`eks_list_clusters`,
/// `eks_describe_cluster`) and CloudWatch data points (`cloudwatch_get_metrics`). Served only
/// when AWS is configured; calls sign with the operator's credentials (never shown).
struct AWSTools: MCPToolGroup {
    var tools: [MCPTool] { [listInstances, startInstance, stopInstance, listClusters, describeCluster, getMetrics] }

    static func instance(_ i: EC2Instance) -> JSONValue {
        ["id": .string(i.id), "name": i.name.map(JSONValue.string) ?? .null, "type": i.type.map(JSONValue.string) ?? .null,
         "state": i.state.map(JSONValue.string) ?? .null, "publicIP": i.publicIP.map(JSONValue.string) ?? .null,
         "privateIP": i.privateIP.map(JSONValue.string) ?? .null,
         "availabilityZone": i.availabilityZone.map(JSONValue.string) ?? .null,
         "launchTime": i.launchTime.map { .string(CloudTime.format($0)) } ?? .null,
         "tags": .object(i.tags.mapValues(JSONValue.string)), "imdsV1Allowed": .bool(i.allowsIMDSv1)]
    }

    static func cluster(_ c: EKSCluster) -> JSONValue {
        ["name": .string(c.name), "version": c.version.map(JSONValue.string) ?? .null, "status": c.status.map(JSONValue.string) ?? .null,
         "endpoint": c.endpoint.map(JSONValue.string) ?? .null, "arn": c.arn.map(JSONValue.string) ?? .null,
         "platformVersion": c.platformVersion.map(JSONValue.string) ?? .null,
         "endpointPublicAccess": .bool(c.endpointPublicAccess), "endpointPrivateAccess": .bool(c.endpointPrivateAccess),
         "publicAccessCidrs": .array(c.publicAccessCIDRs.map(JSONValue.string)),
         "loggingEnabled": .array(c.enabledLogTypes.map(JSONValue.string)), "secretsEncrypted": .bool(c.secretsEncrypted)]
    }

    /// `filters`: `{"instance-state-name": ["running"], "tag:team": "ops"}` (a value or a list).
    static func filters(_ call: ToolCall) throws(ToolError) -> [EC2Filter] {
        var filters: [EC2Filter] = []
        for (name, value) in (try call.arguments.object("filters")?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let values = value.stringValue.map { [$0] } ?? (value.arrayValue ?? []).compactMap(\.stringValue)
            guard !values.isEmpty, values.count == (value.arrayValue?.count ?? 1) else {
                throw .invalidArgument(name: "filters.\(name)", problem: "expected a string or a list of strings, e.g. [\"running\"]")
            }
            filters.append(EC2Filter(name: name, values: values))
        }
        if let state = try call.arguments.string("state"), !state.isEmpty {
            filters.append(EC2Filter(name: "instance-state-name", values: [state]))
        }
        return filters
    }

    var listInstances: MCPTool {
        MCPTool(
            name: "ec2_list_instances",
            description: "List EC2 instances (DescribeInstances): id, name, type, state, IPs, zone, launch time, tags and whether "
                + "IMDSv1 is allowed. Filter with DescribeInstances filters or by state; paged (limit, continue).",
            inputSchema: InputSchema.object([
                "region": InputSchema.region,
                "filters": InputSchema.anyObject("DescribeInstances filters: name → value or values, e.g. "
                                                 + "{\"instance-state-name\": [\"running\"], \"tag:team\": \"ops\"}."),
                "state": InputSchema.string("Only instances in this state.", oneOf: ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"]),
                "instanceIds": InputSchema.stringList("Only these instance ids."),
                "limit": InputSchema.integer("Page size (5–1000, default 50; ignored with instanceIds).", minimum: 5, maximum: 1000),
                "continue": InputSchema.continueToken,
            ]),
            cloud: .aws
        ) { call in
            let aws = try call.aws()
            let filters = try Self.filters(call)
            let ids = try call.strings("instanceIds")
            let limit = try call.arguments.int("limit", range: 5...1000) ?? 50
            let token = try call.arguments.string("continue").flatMap { $0.isEmpty ? nil : $0 }
            let page = try await call.cloudCall { () async throws(CloudError) in
                try await aws.ec2.describeInstances(filters: filters, instanceIDs: ids, maxResults: limit, nextToken: token)
            }
            return .cloudTable("instances", page.instances.map(Self.instance), next: page.nextToken,
                               extra: ["region": .string(aws.region)],
                               columns: ["ID": "id", "NAME": "name", "TYPE": "type", "STATE": "state", "ZONE": "availabilityZone",
                                         "PRIVATE-IP": "privateIP", "PUBLIC-IP": "publicIP"])
        }
    }

    var startInstance: MCPTool { change("ec2_start_instance", verb: "Start", "Start a stopped EC2 instance (StartInstances).") }

    var stopInstance: MCPTool {
        change("ec2_stop_instance", verb: "Stop", "Stop a running EC2 instance (StopInstances); force skips the guest's orderly shutdown.")
    }

    private func change(_ name: String, verb: String, _ description: String) -> MCPTool {
        MCPTool(
            name: name,
            description: description + " Returns the previous and current state. Needs --allow-write.",
            inputSchema: InputSchema.object(verb == "Stop" ? [
                "instanceId": InputSchema.string("The instance id (i-…)."), "region": InputSchema.region,
                "force": InputSchema.boolean("Force the stop (default false)."),
            ] : ["instanceId": InputSchema.string("The instance id (i-…)."), "region": InputSchema.region],
            required: ["instanceId"]),
            access: .write, cloud: .aws
        ) { call in
            let aws = try call.aws()
            let id = try call.arguments.requiredString("instanceId")
            let force = try call.arguments.bool("force") ?? false
            let changes = try await call.cloudCall { () async throws(CloudError) in
                verb == "Stop" ? try await aws.ec2.stopInstances([id], force: force) : try await aws.ec2.startInstances([id])
            }
            let change: EC2StateChange? = changes.first { $0.instanceID == id }
            return ToolOutput(structured: ["instanceId": .string(id), "region": .string(aws.region),
                                           "previousState": change?.previousState.map(JSONValue.string) ?? .null,
                                           "currentState": change?.currentState.map(JSONValue.string) ?? .null],
                              text: "\(verb.lowercased()) requested for EC2 instance \(id) in \(aws.region): "
                                  + "\(change?.previousState ?? "?") → \(change?.currentState ?? "?")")
        }
    }

    var listClusters: MCPTool {
        MCPTool(
            name: "eks_list_clusters",
            description: "List the region's EKS clusters, each described: version, status, endpoint and its exposure, control-plane logging, secrets encryption.",
            inputSchema: InputSchema.object(["region": InputSchema.region]),
            cloud: .aws
        ) { call in
            let aws = try call.aws()
            let clusters = try await call.cloudCall { () async throws(CloudError) in try await aws.eks.describeAll() }
            return .cloudTable("clusters", clusters.map(Self.cluster), extra: ["region": .string(aws.region)],
                               columns: ["NAME": "name", "VERSION": "version", "STATUS": "status", "ENDPOINT": "endpoint"])
        }
    }

    var describeCluster: MCPTool {
        MCPTool(
            name: "eks_describe_cluster",
            description: "Describe one EKS cluster (DescribeCluster): the summary of eks_list_clusters and the full description "
                + "(networking, OIDC issuer, tags, role), without the CA certificate.",
            inputSchema: InputSchema.object(["name": InputSchema.string("The cluster's name."), "region": InputSchema.region],
                                            required: ["name"]),
            cloud: .aws
        ) { call in
            let aws = try call.aws()
            let name = try call.arguments.requiredString("name")
            let cluster = try await call.cloudCall { () async throws(CloudError) in try await aws.eks.describeCluster(name) }
            var description = cluster.raw
            description["certificateAuthority"] = .null
            var summary = Self.cluster(cluster)
            summary["description"] = description
            return ToolOutput(structured: summary, text: "EKS cluster \(cluster.name) (\(aws.region)): \(cluster.status ?? "?"), "
                              + "Kubernetes \(cluster.version ?? "?"), endpoint \(cluster.endpoint ?? "?")"
                              + (cluster.openToInternet ? ", public endpoint open to 0.0.0.0/0" : "")
                              + ", logging: \(cluster.enabledLogTypes.isEmpty ? "off" : cluster.enabledLogTypes.joined(separator: ","))")
        }
    }

    var getMetrics: MCPTool {
        MCPTool(
            name: "cloudwatch_get_metrics",
            description: "CloudWatch data points of one metric (GetMetricData) over the last `minutes`, aggregated by stat per period.",
            inputSchema: InputSchema.object([
                "namespace": InputSchema.string("The metric's namespace, e.g. AWS/EC2."),
                "metricName": InputSchema.string("The metric, e.g. CPUUtilization."),
                "dimensions": InputSchema.anyObject("Dimension name → value (strings), e.g. {\"InstanceId\": \"i-0123…\"}."),
                "stat": InputSchema.string("Average (default), Sum, Minimum, Maximum, SampleCount, or a percentile such as p99."),
                "period": InputSchema.integer("Seconds per data point (default 300).", minimum: 1, maximum: 86_400),
                "minutes": InputSchema.minutes, "region": InputSchema.region,
            ], required: ["namespace", "metricName"]),
            cloud: .aws
        ) { call in
            let aws = try call.aws()
            var dimensions: [CloudWatchDimension] = []
            for (name, value) in (try call.arguments.object("dimensions")?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let text = value.stringValue else { throw ToolError.invalidArgument(name: "dimensions.\(name)", problem: "expected a string value") }
                dimensions.append(CloudWatchDimension(name: name, value: text))
            }
            let query = CloudWatchMetricQuery(namespace: try call.arguments.requiredString("namespace"),
                                              metricName: try call.arguments.requiredString("metricName"), dimensions: dimensions,
                                              stat: try call.arguments.string("stat").flatMap { $0.isEmpty ? nil : $0 } ?? "Average",
                                              period: try call.arguments.int("period", range: 1...86_400) ?? 300)
            let (start, end) = try call.window()
            let series = try await call.cloudCall { () async throws(CloudError) in
                try await aws.cloudwatch.getMetricData([query], start: start, end: end)
            }
            let points = series.first?.points.map { ($0.timestamp, $0.value) } ?? []
            return ToolOutput(
                structured: ["namespace": .string(query.namespace), "metricName": .string(query.metricName), "stat": .string(query.stat),
                             "period": .int(Int64(query.period)), "region": .string(aws.region),
                             "statusCode": series.first?.statusCode.map(JSONValue.string) ?? .null, "points": CloudPoints.json(points)],
                text: "\(query.namespace) \(query.metricName) \(query.stat)/\(query.period)s: \(CloudPoints.latest(points))")
        }
    }
}
