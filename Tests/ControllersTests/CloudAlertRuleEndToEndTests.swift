import Cloud
import Controllers
import Foundation
import KubeClient
import KubeSim
import OpsAPI
import Testing
import TestSupport

/// AlertRules whose condition reads CloudWatch (a real moto server) or Cloud Monitoring (the
/// in-process GCP fake) on the embedded cluster.
@Suite(.serialized) struct CloudAlertRuleEndToEndTests {
    /// Creates the rule `name` (`metric > threshold` for 2 s, read from `source`) while the
    /// metric is at `low`; checks it stays Inactive at that value, calls `raise` (the metric
    /// goes to `high`), then checks Pending and Firing with the value and their Events.
    static func expectFiring(_ cluster: AlertCluster, _ ns: String, _ name: String, threshold: Double, low: Double, high: Double,
                             source: [String: JSONValue], raise: () async throws -> Void) async throws {
        var condition: JSONValue = ["metric": .string(name), "operator": ">", "threshold": .double(threshold), "duration": "2s"]
        for (key, value) in source { condition[key] = value }
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule(name, spec: [
            "condition": condition, "interval": "1s", "severity": "critical",
        ]), namespace: ns)
        try await cluster.waitFor(name, ns, "Inactive at \(low)") {
            $0["state"] == "Inactive" && $0["lastEvaluation"]["value"].stringValue.flatMap(Double.init) == low
        }
        try await raise()
        let firing = try await cluster.waitFor(name, ns, "Firing at \(high)") { $0["state"] == "Firing" }
        #expect(firing["status"]["lastEvaluation"]["value"].stringValue.flatMap(Double.init) == high)
        // Events are recorded after the status write that caused them: wait for them.
        try await eventually("the Pending and Firing Events of \(name) are recorded") {
            Set(try await cluster.events(ns, about: name).compactMap { $0["reason"].stringValue }).isSuperset(of: ["Pending", "Firing"])
        }
    }

    @Test func aCloudWatchMetricDrivesARuleToFiring() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let environment = [
            "HOME": FileManager.default.temporaryDirectory.path, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        ]
        let clouds = CloudClients(aws: AWSSettings(region: "us-east-1", endpointURL: moto.url, environment: environment), gcp: nil)
        let aws = try clouds.aws()
        let instance = [CloudWatchDimension(name: "InstanceId", value: "i-0123456789abcdef0")]
        try await aws.cloudwatch.putMetricData(namespace: "AWS/EC2", metricName: "CPUUtilization", value: 42,
                                               dimensions: instance, timestamp: Date().addingTimeInterval(-120))

        let sim = try await Simulator.start(.init(port: 0))
        defer { Task { await sim.stop() } }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: nil, cloud: clouds)
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("cloudwatch")
        try await Self.expectFiring(cluster, ns, "ec2-cpu", threshold: 80, low: 42, high: 97.5, source: [
            "cloudwatch": ["namespace": "AWS/EC2", "metricName": "CPUUtilization",
                           "dimensions": ["InstanceId": "i-0123456789abcdef0"], "stat": "Maximum", "period": 60],
        ]) {
            try await aws.cloudwatch.putMetricData(namespace: "AWS/EC2", metricName: "CPUUtilization", value: 97.5,
                                                   dimensions: instance, timestamp: Date().addingTimeInterval(-5))
        }

        // A source the operator has no cloud for says so in status, and nothing crashes.
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("gce-cpu", spec: [
            "condition": ["metric": "cpu", "operator": ">", "threshold": 0.9,
                          "gcpMonitoring": ["filter": "metric.type = \"compute.googleapis.com/instance/cpu/utilization\""]],
            "interval": "1s",
        ]), namespace: ns)
        let unconfigured = try await cluster.waitFor("gce-cpu", ns, "an error naming the missing GCP configuration") {
            $0["lastEvaluation"]["error"].stringValue?.contains("GCP is not configured") == true
        }
        #expect(unconfigured["status"]["state"] == "Inactive")

        // The schema refuses a condition with two sources.
        await #expect(throws: (any Error).self) {
            _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("both", spec: [
                "condition": ["metric": "x", "operator": ">", "threshold": 1,
                              "cloudwatch": ["namespace": "A", "metricName": "B"], "gcpMonitoring": ["filter": "f"]],
            ]), namespace: ns)
        }
    }

    @Test func aCloudMonitoringSeriesDrivesARuleToFiring() async throws {
        let fake = try await FakeGoogleCloud.start()
        defer { fake.stop() }
        let metric = "compute.googleapis.com/instance/cpu/utilization"
        func setUtilization(_ value: Double) {
            fake.state.withLock { s in
                s.series = [["metric": ["type": .string(metric), "labels": ["instance_name": "vm-1"]],
                             "resource": ["type": "gce_instance", "labels": ["zone": "us-central1-a"]],
                             "points": [["interval": ["endTime": .string(CloudTime.format(Date().addingTimeInterval(-5)))],
                                         "value": ["doubleValue": .double(value)]]]]]
            }
        }
        setUtilization(0.35)
        let sim = try await Simulator.start(.init(port: 0))
        defer { Task { await sim.stop() } }
        let cluster = try await AlertCluster.start(sim: sim, prometheusURL: nil, cloud: CloudClients(aws: nil, gcp: fake.settings()))
        defer { Task { await cluster.stopOperator() } }
        let ns = try await cluster.namespace("gcpmon")
        try await Self.expectFiring(cluster, ns, "gce-cpu", threshold: 0.9, low: 0.35, high: 0.97,
                                    source: ["gcpMonitoring": ["filter": .string("metric.type = \"\(metric)\""), "alignmentPeriod": 60]]) {
            setUtilization(0.97)
        }
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let queries = fake.server.requests.filter { $0.path == "/monitoring/v3/projects/demo-project/timeSeries" }
        #expect(queries.count >= 2 && queries.allSatisfy { $0.param("filter") == "metric.type = \"\(metric)\"" })
    }
}
