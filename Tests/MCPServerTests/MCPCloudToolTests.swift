import Cloud
import Foundation
import KubeClient
import MCP
@testable import MCPServer
import Testing
import TestSupport

/// The AWS and GCP tools through the official Python MCP SDK against `opsagent mcp` (the
/// real binary, configured with `--cloud-configmap` and the Secret it names), a moto server
/// and the GCP fake; and, in-process, how the server treats clouds that are missing or
/// refuse. No credential ever reaches a reply or the log.
@Suite(.serialized) struct MCPCloudToolTests {
    static let awsTools = ["ec2_list_instances", "ec2_start_instance", "ec2_stop_instance", "eks_list_clusters", "eks_describe_cluster", "cloudwatch_get_metrics"]
    static let gcpTools = ["gce_list_instances", "gce_start_instance", "gce_stop_instance", "gke_list_clusters", "gke_get_cluster", "gcp_monitoring_query"]

    @Test func theCloudToolsListStartAndStopThroughThePythonSDK() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: MCPCluster.binary), "build opsagent first (swift build)")
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let cloud = try await CloudFixture.start()
        defer { cloud.stop() }
        try await cloud.configure(cluster.admin, namespace: cluster.namespace)
        cloud.gcp.state.withLock { $0.deniedProject = "locked-project" }
        let target = cloud.opsInstances[0]

        let calls: [(String, JSONValue)] = [
            ("ec2_list_instances", [:]),
            ("ec2_list_instances", ["filters": ["tag:team": "ops"]]),
            ("ec2_list_instances", ["limit": 5]),
            ("ec2_stop_instance", ["instanceId": .string(target)]),
            ("ec2_list_instances", ["state": "stopped"]),
            ("ec2_start_instance", ["instanceId": .string(target)]),
            ("ec2_start_instance", ["instanceId": "i-0000000000000dead"]),
            ("eks_list_clusters", [:]),
            ("eks_describe_cluster", ["name": "prod"]),
            ("eks_describe_cluster", ["name": "nope"]),
            ("cloudwatch_get_metrics", ["namespace": "AWS/EC2", "metricName": "CPUUtilization", "stat": "Maximum", "period": 60,
                                        "dimensions": ["InstanceId": .string(target)]]),
            ("gce_list_instances", [:]),
            ("gce_list_instances", ["zone": "europe-west1-b"]),
            ("gce_stop_instance", ["name": "vm-1", "zone": "us-central1-a"]),
            ("gce_start_instance", ["name": "vm-2", "zone": "europe-west1-b"]),
            ("gke_list_clusters", [:]),
            ("gke_get_cluster", ["name": "gke-prod", "location": "us-central1"]),
            ("gcp_monitoring_query", ["filter": "metric.type = \"compute.googleapis.com/instance/cpu/utilization\""]),
            ("gce_list_instances", ["project": "locked-project"]),
            ("ec2_list_instances", ["filters": ["instance-state-name": 3]]),
            ("ec2_list_instances", ["limit": 5, "continue": "$from:2"]),
        ]
        let configMap = "\(cluster.namespace)/\(CloudFixture.configMap)"
        let (tools, r, log) = try await CloudFixture.callTools(cluster, ["mcp", "--allow-write", "--cloud-configmap", configMap], calls)
        #expect(Set(Self.awsTools + Self.gcpTools).isSubset(of: Set(tools.keys)), "\(tools.keys.sorted())")
        #expect(tools["ec2_stop_instance"]?["readOnly"] == false && tools["ec2_list_instances"]?["readOnly"] == true)
        #expect(tools["gce_list_instances"]?["openWorld"] == true, "cloud tools reach outside the cluster")
        for (i, call) in calls.enumerated() where ![6, 9, 18, 19].contains(i) {
            #expect(r[i]["isError"] == false, "\(call.0) \(call.1.serialized()): \(r[i]["text"].stringValue ?? "")")
        }
        let ids = { (i: Int) in Set((r[i]["structured"]["instances"].arrayValue ?? []).compactMap { $0["id"].stringValue }) }
        #expect(ids(0) == Set(cloud.opsInstances + cloud.otherInstances))
        #expect(ids(1) == Set(cloud.opsInstances), "the tag filter")
        #expect(ids(2).count == 5 && r[2]["structured"]["continue"].stringValue != nil, "a page of five with a continue token")
        #expect(ids(20).count == 2 && ids(20).isDisjoint(with: ids(2)) && r[20]["structured"]["continue"].isNull, "the last page")
        #expect(r[0]["structured"]["instances"].arrayValue?.first { $0["id"].stringValue == target }?["imdsV1Allowed"] == false)
        #expect(r[3]["structured"]["previousState"] == "running")
        #expect(ids(4) == [target], "the stopped instance, by state")
        #expect(r[5]["structured"]["previousState"] == "stopped")
        #expect(try await cloud.aws.ec2.describeInstances(instanceIDs: [target]).instances.first?.state == "running")
        #expect(r[6]["isError"] == true && r[6]["text"].stringValue?.contains("InvalidInstanceID") == true, "\(r[6]["text"])")
        #expect(r[7]["structured"]["clusters"][0]["name"] == "prod")
        #expect(r[7]["structured"]["clusters"][0]["publicAccessCidrs"] == ["0.0.0.0/0"])
        #expect(r[8]["structured"]["version"] == "1.29" && r[8]["structured"]["description"]["certificateAuthority"].isNull)
        #expect(r[9]["isError"] == true && r[9]["text"].stringValue?.contains("ResourceNotFoundException") == true, "\(r[9]["text"])")
        #expect(r[10]["structured"]["points"].arrayValue?.compactMap { $0["value"].doubleValue } == [42])
        #expect(Set((r[11]["structured"]["instances"].arrayValue ?? []).compactMap { $0["name"].stringValue }) == ["vm-1", "vm-2"])
        #expect((r[12]["structured"]["instances"].arrayValue ?? []).compactMap { $0["name"].stringValue } == ["vm-2"])
        #expect(cloud.gcp.state.withLock { $0.instances.map(\.status) } == ["TERMINATED", "RUNNING"], "vm-1 stopped, vm-2 started")
        #expect(r[15]["structured"]["clusters"][0]["legacyAbac"] == true)
        #expect(r[16]["structured"]["nodePools"][0]["autoUpgrade"] == false)
        #expect(r[17]["structured"]["series"][0]["latest"].doubleValue == 0.93)
        #expect(r[17]["structured"]["series"][0]["labels"]["resource.zone"] == "us-central1-a")
        // GCP's 403, whose message quotes the bearer token: the code reaches the agent, the token does not.
        let denied = r[18]["text"].stringValue ?? ""
        #expect(r[18]["isError"] == true && denied.contains("PERMISSION_DENIED") && denied.contains("compute.instances.aggregatedList"), "\(denied)")
        #expect(!denied.contains("ya29.fake-"), "\(denied)")
        #expect(r[19]["isError"] == true && r[19]["text"].stringValue?.contains("filters.instance-state-name") == true)
        #expect(cloud.gcp.violations.isEmpty, "\(cloud.gcp.violations)")

        // The planted credentials appear in no reply and no log line.
        #expect(!cloud.credentials.isEmpty && cloud.gcp.state.withLock { !$0.issued.isEmpty })
        #expect(cloud.leaks(in: r.map { $0.serialized() }.joined(separator: "\n")).isEmpty)
        #expect(cloud.leaks(in: log).isEmpty)
        #expect(log.contains("cloud-unauthorized") && log.contains("cloud-request"), "cloud errors are logged by their kind")
    }

    @Test func readOnlyByDefaultAndUnconfiguredCloudsAreNotOffered() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let cloud = try await CloudFixture.start()
        defer { cloud.stop() }
        try await cloud.configure(cluster.admin, namespace: cluster.namespace)
        let configMap = "\(cluster.namespace)/\(CloudFixture.configMap)"
        let target = cloud.opsInstances[0]
        let (tools, r, _) = try await CloudFixture.callTools(cluster, ["mcp", "--cloud-configmap", configMap], [
            ("ec2_stop_instance", ["instanceId": .string(target)]), ("gce_stop_instance", ["name": "vm-1", "zone": "us-central1-a"]),
        ])
        #expect(tools["ec2_list_instances"] != nil && tools["gke_get_cluster"] != nil)
        #expect(tools["ec2_stop_instance"] == nil && tools["gce_start_instance"] == nil, "read-only: start/stop are not listed")
        #expect(r.allSatisfy { $0["isError"] == true && $0["text"].stringValue?.contains("--allow-write") == true }, "\(r)")
        #expect(try await cloud.aws.ec2.describeInstances(instanceIDs: [target]).instances.first?.state == "running")
        #expect(cloud.gcp.state.withLock { $0.instances[0].status } == "RUNNING")

        // Only AWS configured by flags: the GCP tools are not listed, and calling one names what to configure.
        let (awsOnly, calls, _) = try await CloudFixture.callTools(
            cluster, ["mcp", "--allow-write", "--aws-region", "us-east-1", "--aws-endpoint-url", cloud.moto.url],
            [("gce_list_instances", [:]), ("ec2_list_instances", [:])])
        #expect(awsOnly["ec2_start_instance"] != nil && awsOnly.keys.allSatisfy { !Self.gcpTools.contains($0) })
        #expect(calls[0]["isError"] == true && calls[0]["text"].stringValue?.contains("--gcp-project") == true, "\(calls[0])")
        // No credentials anywhere (an isolated HOME, no metadata service): a clear error, not a crash.
        #expect(calls[1]["isError"] == true && calls[1]["text"].stringValue?.contains("no AWS credentials found") == true, "\(calls[1])")
    }

    @Test func withoutCloudsTheToolsAreAbsentAndSayWhatToConfigure() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions(allowWrite: true))
        #expect(server.servedTools.allSatisfy { $0.cloud == nil })
        let result = await server.call("eks_list_clusters", arguments: [:], as: CallerIdentity(name: "admin", client: cluster.admin))
        let text = MCPToolBehaviourTests.text(result)
        #expect(result.isError == true && text.contains("works on AWS") && text.contains("--aws-region") && text.contains("--cloud-configmap"), "\(text)")
    }
}
