import Cloud
import Foundation
import KubeClient

/// GCP, as the seed's GCP server: Compute Engine instances of every zone
/// (`gce_list_instances`, `gce_start_instance`, `gce_stop_instance`), GKE clusters
/// (`gke_list_clusters`, `gke_get_cluster`) and Cloud Monitoring time series
/// (`gcp_monitoring_query`). Served only when GCP is configured; tokens are never shown.
struct GCPTools: MCPToolGroup {
    /// The most series `gcp_monitoring_query` returns.
    static let maxSeries = 100

    var tools: [MCPTool] { [listInstances, startInstance, stopInstance, listClusters, getCluster, query] }

    static func instance(_ i: GCEInstance) -> JSONValue {
        ["id": .string(i.id), "name": .string(i.name), "zone": .string(i.zone), "machineType": .string(i.machineType),
         "status": .string(i.status), "internalIPs": .array(i.internalIPs.map(JSONValue.string)),
         "externalIPs": .array(i.externalIPs.map(JSONValue.string)), "labels": .object(i.labels.mapValues(JSONValue.string))]
    }

    static func cluster(_ c: GKECluster) -> JSONValue {
        ["name": .string(c.name), "location": .string(c.location), "version": c.version.map(JSONValue.string) ?? .null,
         "status": c.status.map(JSONValue.string) ?? .null, "endpoint": c.endpoint.map(JSONValue.string) ?? .null,
         "nodePools": .array(c.nodePools.map {
             ["name": .string($0.name), "version": $0.version.map(JSONValue.string) ?? .null,
              "nodeCount": $0.nodeCount.map { .int(Int64($0)) } ?? .null, "autoUpgrade": .bool($0.autoUpgrade)]
         }),
         "legacyAbac": .bool(c.legacyABAC), "basicAuth": .bool(c.basicAuth), "publicEndpoint": .bool(c.publicEndpoint),
         "authorizedNetworks": .bool(c.authorizedNetworks)]
    }

    var listInstances: MCPTool {
        MCPTool(
            name: "gce_list_instances",
            description: "List Compute Engine instances of every zone (aggregated list), or of one zone: name, zone, machine type, "
                + "status, IPs and labels. `filter` is the API's filter expression (e.g. status = RUNNING).",
            inputSchema: InputSchema.object([
                "project": InputSchema.project, "zone": InputSchema.string("Only this zone, e.g. us-central1-a."),
                "filter": InputSchema.string("Compute API filter, e.g. 'status = RUNNING' or 'labels.env = prod'."),
                "limit": InputSchema.integer("At most this many instances (default 200).", minimum: 1, maximum: 2000),
            ]),
            cloud: .gcp
        ) { call in
            let (gcp, project) = try call.gcp()
            let filter = try call.arguments.string("filter").flatMap { $0.isEmpty ? nil : $0 }
            let zone = try call.arguments.string("zone").flatMap { $0.isEmpty ? nil : $0 }
            let limit = try call.arguments.int("limit", range: 1...2000) ?? 200
            let all = try await call.cloudCall { () async throws(CloudError) in
                try await gcp.compute.listInstances(project: project, filter: filter)
            }.filter { zone == nil || $0.zone == zone }
            var output = ToolOutput.cloudTable("instances", all.prefix(limit).map(Self.instance),
                                               columns: ["NAME": "name", "ZONE": "zone", "MACHINE-TYPE": "machineType", "STATUS": "status"])
            if all.count > limit {
                output.structured["truncated"] = .int(Int64(all.count - limit))
                output.text += "\n\n\(all.count - limit) more instances: narrow with zone or filter, or raise limit."
            }
            return output
        }
    }

    var startInstance: MCPTool { change("gce_start_instance", verb: "start", "Start a stopped (TERMINATED) Compute Engine instance.") }

    var stopInstance: MCPTool { change("gce_stop_instance", verb: "stop", "Stop a running Compute Engine instance.") }

    private func change(_ name: String, verb: String, _ description: String) -> MCPTool {
        MCPTool(
            name: name,
            description: description + " Returns the zone operation started; follow the instance with gce_list_instances. Needs --allow-write.",
            inputSchema: InputSchema.object([
                "name": InputSchema.string("The instance's name."), "zone": InputSchema.string("Its zone, e.g. us-central1-a."),
                "project": InputSchema.project,
            ], required: ["name", "zone"]),
            access: .write, cloud: .gcp
        ) { call in
            let (gcp, project) = try call.gcp()
            let instance = try call.arguments.requiredString("name")
            let zone = try call.arguments.requiredString("zone")
            let operation = try await call.cloudCall { () async throws(CloudError) in
                verb == "stop" ? try await gcp.compute.stop(instance, zone: zone, project: project)
                    : try await gcp.compute.start(instance, zone: zone, project: project)
            }
            return ToolOutput(structured: ["name": .string(instance), "zone": .string(zone), "operation": .string(operation.name),
                                           "status": .string(operation.status)],
                              text: "\(verb) of Compute Engine instance \(zone)/\(instance) requested: operation \(operation.name) \(operation.status)")
        }
    }

    var listClusters: MCPTool {
        MCPTool(
            name: "gke_list_clusters",
            description: "List GKE clusters of a location, or of every location: version, status, endpoint, node pools, and the "
                + "settings the security audit judges (legacy ABAC, basic auth, public endpoint, node auto-upgrade).",
            inputSchema: InputSchema.object([
                "location": InputSchema.string("A region or zone; omit (or '-') for every location."), "project": InputSchema.project,
            ]),
            cloud: .gcp
        ) { call in
            let (gcp, project) = try call.gcp()
            let location = try call.arguments.string("location").flatMap { $0.isEmpty ? nil : $0 } ?? "-"
            let clusters = try await call.cloudCall { () async throws(CloudError) in
                try await gcp.gke.listClusters(location: location, project: project)
            }
            return .cloudTable("clusters", clusters.map(Self.cluster),
                               columns: ["NAME": "name", "LOCATION": "location", "VERSION": "version", "STATUS": "status", "ENDPOINT": "endpoint"])
        }
    }

    var getCluster: MCPTool {
        MCPTool(
            name: "gke_get_cluster",
            description: "One GKE cluster: the summary of gke_list_clusters and its node pools.",
            inputSchema: InputSchema.object([
                "name": InputSchema.string("The cluster's name."), "location": InputSchema.string("Its region or zone."),
                "project": InputSchema.project,
            ], required: ["name", "location"]),
            cloud: .gcp
        ) { call in
            let (gcp, project) = try call.gcp()
            let name = try call.arguments.requiredString("name")
            let location = try call.arguments.requiredString("location")
            let cluster = try await call.cloudCall { () async throws(CloudError) in
                try await gcp.gke.getCluster(name, location: location, project: project)
            }
            let pools = cluster.nodePools.map { "\($0.name) (\($0.nodeCount.map(String.init) ?? "?") nodes, auto-upgrade \($0.autoUpgrade ? "on" : "off"))" }
            return ToolOutput(structured: Self.cluster(cluster),
                              text: "GKE cluster \(cluster.location)/\(cluster.name): \(cluster.status ?? "?"), Kubernetes \(cluster.version ?? "?"), "
                                  + "endpoint \(cluster.endpoint ?? "?"); node pools: \(pools.isEmpty ? "none" : pools.joined(separator: ", "))")
        }
    }

    var query: MCPTool {
        MCPTool(
            name: "gcp_monitoring_query",
            description: "Cloud Monitoring time series (timeSeries.list) matching a filter over the last `minutes`, aligned per "
                + "period: each series' metric and resource labels and its points, newest last.",
            inputSchema: InputSchema.object([
                "filter": InputSchema.string("Monitoring filter, e.g. metric.type = \"compute.googleapis.com/instance/cpu/utilization\"."),
                "minutes": InputSchema.minutes,
                "alignmentPeriod": InputSchema.integer("Seconds per aligned point (default 60).", minimum: 1, maximum: 86_400),
                "aligner": InputSchema.string("Per-series aligner: ALIGN_MEAN (default), ALIGN_MAX, ALIGN_RATE…"),
                "reducer": InputSchema.string("Cross-series reducer, e.g. REDUCE_MEAN (optional)."),
                "groupBy": InputSchema.stringList("Fields kept by the reducer, e.g. resource.label.zone."),
                "project": InputSchema.project,
            ], required: ["filter"]),
            cloud: .gcp
        ) { call in
            let (gcp, project) = try call.gcp()
            let query = GCPMonitoringQuery(
                filter: try call.arguments.requiredString("filter"),
                alignmentPeriod: try call.arguments.int("alignmentPeriod", range: 1...86_400) ?? 60,
                perSeriesAligner: try call.arguments.string("aligner").flatMap { $0.isEmpty ? nil : $0 } ?? "ALIGN_MEAN",
                crossSeriesReducer: try call.arguments.string("reducer").flatMap { $0.isEmpty ? nil : $0 },
                groupByFields: try call.strings("groupBy"))
            let (start, end) = try call.window()
            let series = try await call.cloudCall { () async throws(CloudError) in
                try await gcp.monitoring.listTimeSeries(query, start: start, end: end, project: project)
            }
            let shown = series.prefix(Self.maxSeries).map { s -> JSONValue in
                let points = s.points.map { ($0.end, $0.value) }
                return ["metricType": .string(s.metricType), "resourceType": .string(s.resourceType),
                        "labels": .object(s.labels.mapValues(JSONValue.string)), "points": CloudPoints.json(points),
                        "latest": points.last.map { .double($0.1) } ?? .null]
            }
            let lines = zip(series.prefix(Self.maxSeries), shown).map { s, _ in
                let labels = s.labels.filter { $0.key != "metric.type" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                return "\(s.metricType){\(labels.joined(separator: ","))}: \(CloudPoints.latest(s.points.map { ($0.end, $0.value) }))"
            }
            var structured: JSONValue = ["series": .array(shown), "count": .int(Int64(series.count))]
            if series.count > Self.maxSeries { structured["truncated"] = .int(Int64(series.count - Self.maxSeries)) }
            return ToolOutput(structured: structured, text: lines.isEmpty ? "no time series match the filter in the window" : lines.joined(separator: "\n"))
        }
    }
}
