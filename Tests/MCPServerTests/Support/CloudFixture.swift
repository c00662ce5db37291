import Cloud
import Foundation
import KubeClient
import Testing
import TestSupport

/// A moto server and the GCP fake, seeded for the cloud tools, with their configuration
/// in the cluster as a user writes it: the `opsagent-cloud` ConfigMap (region, endpoints,
/// project) naming the `cloud-credentials` Secret that holds planted credentials — an AWS
/// secret key and session token, and the fake's service-account key.
final class CloudFixture: Sendable {
    /// The AWS credentials the Secret holds: `[access key id, secret key, session token]`.
    static let planted = ["AKIAPLANTED0123456789", "Planted/AWS+secretKey0123456789abcdefGHIJ",
                          "PlantedSessionToken//FwoGZXIvYXdzEJr7example0123456789"]
    static let configMap = "opsagent-cloud"

    let moto: MotoServer
    let gcp: FakeGoogleCloud
    /// moto's client with its conventional test keys, to seed and inspect.
    let aws: AWSClient
    /// Instances launched in moto, each in its own reservation: two tagged team=ops (IMDSv2
    /// required), five more.
    let opsInstances: [String]
    let otherInstances: [String]

    static func start() async throws -> CloudFixture {
        let moto = try await MotoServer.start()
        let gcp = try await FakeGoogleCloud.start()
        let aws = try motoClient(moto)
        // One reservation each: moto pages DescribeInstances by reservation.
        var ops: [String] = [], others: [String] = []
        for _ in 0..<2 { ops += try await aws.runInstances(1, tags: ["team": "ops"], httpTokens: "required") }
        for _ in 0..<5 { others += try await aws.runInstances(1) }
        try await aws.createEKSCluster("prod", publicCIDRs: ["0.0.0.0/0"])
        try await aws.cloudwatch.putMetricData(namespace: "AWS/EC2", metricName: "CPUUtilization", value: 42,
                                               dimensions: [CloudWatchDimension(name: "InstanceId", value: ops[0])],
                                               timestamp: Date().addingTimeInterval(-120))
        gcp.state.withLock { s in
            s.instances = [.init(zone: "us-central1-a", name: "vm-1", status: "RUNNING", id: 1),
                           .init(zone: "europe-west1-b", name: "vm-2", status: "TERMINATED", id: 2)]
            s.clusters = [["name": "gke-prod", "location": "us-central1", "currentMasterVersion": "1.29.4-gke.100", "status": "RUNNING",
                           "endpoint": "34.1.1.1", "legacyAbac": ["enabled": true],
                           "nodePools": [["name": "default", "version": "1.29.4", "initialNodeCount": 3, "management": ["autoUpgrade": false]]]]]
            let now = CloudTime.format(Date().addingTimeInterval(-30))
            s.series = [["metric": ["type": "compute.googleapis.com/instance/cpu/utilization", "labels": ["instance_name": "vm-1"]],
                         "resource": ["type": "gce_instance", "labels": ["zone": "us-central1-a"]],
                         "points": [["interval": ["endTime": .string(now)], "value": ["doubleValue": 0.93]]]]]
        }
        return CloudFixture(moto: moto, gcp: gcp, aws: aws, opsInstances: ops, otherInstances: others)
    }

    private init(moto: MotoServer, gcp: FakeGoogleCloud, aws: AWSClient, opsInstances: [String], otherInstances: [String]) {
        self.moto = moto
        self.gcp = gcp
        self.aws = aws
        self.opsInstances = opsInstances
        self.otherInstances = otherInstances
    }

    func stop() {
        moto.stop()
        gcp.stop()
    }

    /// The ConfigMap and Secret `opsagent mcp --cloud-configmap NS/opsagent-cloud` reads.
    func configure(_ client: KubernetesClient, namespace: String) async throws {
        let encoded = { (bytes: [UInt8]) in JSONValue.string(Data(bytes).base64EncodedString()) }
        _ = try await client.create(.secrets, [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "cloud-credentials"],
            "data": ["aws_access_key_id": encoded(Array(Self.planted[0].utf8)), "aws_secret_access_key": encoded(Array(Self.planted[1].utf8)),
                     "aws_session_token": encoded(Array(Self.planted[2].utf8)), "gcp-service-account.json": encoded(gcp.keyJSON)],
        ], namespace: namespace)
        _ = try await client.create(.configmaps, [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(Self.configMap)],
            "data": ["aws.region": "us-east-1", "aws.endpointURL": .string(moto.url), "gcp.project": .string(gcp.project),
                     "gcp.computeURL": .string(gcp.url + "/compute/v1"), "gcp.containerURL": .string(gcp.url + "/container/v1"),
                     "gcp.monitoringURL": .string(gcp.url + "/monitoring/v3"), "secretName": "cloud-credentials"],
        ], namespace: namespace)
    }

    /// Every credential value that must never reach an agent or a log: the AWS secret and
    /// session token, each line of the GCP private key, and every access token the fake issued.
    var credentials: [String] {
        let pem = gcp.key.pkcs8PEMRepresentation.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.map(String.init)
        return Array(Self.planted.dropFirst()) + pem + gcp.state.withLock { Array($0.issued) }
    }

    /// The credentials (and their base64 forms) found in `text`.
    func leaks(in text: String) -> [String] {
        credentials.flatMap { [$0, Data($0.utf8).base64EncodedString()] }.filter { text.contains($0) }
    }

    /// Runs `opsagent` with `arguments` over stdio through the Python SDK and calls `calls` in
    /// order; returns the served tools and each call's result, and the server's log.
    static func callTools(_ cluster: MCPCluster, _ arguments: [String], _ calls: [(String, JSONValue)]) async throws
        -> (tools: [String: JSONValue], results: [JSONValue], log: String) {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("GOOGLE_") }
        environment.merge(isolatedAWSEnvironment(["KUBECONFIG": cluster.sim.kubeconfigPath])) { _, new in new }
        let script = MCPCluster.root.appendingPathComponent("Tests/MCPServerTests/Python/mcp_calls.py").path
        let config: JSONValue = [
            "command": .string(MCPCluster.binary), "args": .array(arguments.map(JSONValue.string)),
            "env": .object(environment.mapValues(JSONValue.string)),
            "calls": .array(calls.map { [.string($0.0), $0.1] }),
        ]
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, config.serialized()])
        try #require(result.status == 0, "the Python MCP client: \(result.stderr.suffix(3000))")
        let report = try JSONValue(parsing: Array(result.stdout.utf8))
        return (report["tools"].objectValue ?? [:], report["results"].arrayValue ?? [], result.stderr)
    }
}
