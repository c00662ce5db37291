import Cloud
import Controllers
import Foundation
import KubeClient
import KubeSim
import OpsAPI
import Testing
import TestSupport

/// AlertRules whose condition reads CloudWatch (a real moto server) on the embedded cluster.
@Suite(.serialized) struct CloudAlertRuleEndToEndTests {
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
        _ = try await cluster.client.create(AlertRule.groupVersionResource, AlertCluster.rule("ec2-cpu", spec: [
            "condition": [
                "metric": "CPUUtilization", "operator": ">", "threshold": 80, "duration": "2s",
                "cloudwatch": ["namespace": "AWS/EC2", "metricName": "CPUUtilization",
                               "dimensions": ["InstanceId": "i-0123456789abcdef0"], "stat": "Maximum", "period": 60],
            ],
            "interval": "1s", "severity": "critical",
        ]), namespace: ns)
        try await cluster.waitFor("ec2-cpu", ns, "Inactive at 42") {
            $0["state"] == "Inactive" && $0["lastEvaluation"]["value"].stringValue.flatMap(Double.init) == 42
        }

        // The instance gets busy: Pending, then Firing after two seconds, with the value and the series' labels.
        try await aws.cloudwatch.putMetricData(namespace: "AWS/EC2", metricName: "CPUUtilization", value: 97.5,
                                               dimensions: instance, timestamp: Date().addingTimeInterval(-5))
        let firing = try await cluster.waitFor("ec2-cpu", ns, "Firing at 97.5") { $0["state"] == "Firing" }
        #expect(firing["status"]["lastEvaluation"]["value"].stringValue.flatMap(Double.init) == 97.5)
        let reasons = Set(try await cluster.events(ns, about: "ec2-cpu").compactMap { $0["reason"].stringValue })
        #expect(reasons.isSuperset(of: ["Pending", "Firing"]), "\(reasons)")

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
}
