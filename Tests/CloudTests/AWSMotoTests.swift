import Cloud
import Foundation
import KubeClient
import Testing
import TestSupport

/// The AWS operations against a real moto server.
@Suite(.serialized)
struct AWSMotoTests {
    @Test func ec2ListsFiltersStopsAndStartsInstances() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let aws = try motoClient(moto)
        let ops = try await aws.runInstances(2, tags: ["team": "ops", "Name": "web"])
        let other = try await aws.runInstances(1, tags: ["team": "data"], httpTokens: "required")

        let all = try await aws.ec2.listInstances()
        #expect(Set(all.map(\.id)) == Set(ops + other))
        let filtered = try await aws.ec2.listInstances(filters: [EC2Filter(name: "tag:team", values: ["ops"])])
        #expect(Set(filtered.map(\.id)) == Set(ops))
        #expect(filtered.allSatisfy { $0.name == "web" && $0.type == "t3.micro" && $0.state == "running" && $0.privateIP != nil })
        let secured = try #require(all.first { $0.id == other[0] })
        #expect(!secured.allowsIMDSv1)
        #expect(try #require(all.first { $0.id == ops[0] }).allowsIMDSv1)

        let stopped = try await aws.ec2.stopInstances([ops[0]])
        #expect(stopped.map(\.instanceID) == [ops[0]])
        #expect(stopped[0].previousState == "running")
        let stoppedNow = try await aws.ec2.listInstances(filters: [EC2Filter(name: "instance-state-name", values: ["stopped"])])
        #expect(stoppedNow.map(\.id) == [ops[0]])

        let started = try await aws.ec2.startInstances([ops[0]])
        #expect(started[0].previousState == "stopped")
        let byID = try await aws.ec2.listInstances(instanceIDs: [ops[0]])
        #expect(byID.map(\.state) == ["running"])
    }

    @Test func ec2FollowsPagination() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let aws = try motoClient(moto)
        // Twelve launches, one reservation each: EC2's pages hold reservations (moto counts them too).
        var ids: [String] = []
        for _ in 0..<12 { ids += try await aws.runInstances(1) }
        let first = try await aws.ec2.describeInstances(maxResults: 5)
        #expect(first.instances.count == 5)
        #expect(first.nextToken != nil)
        let before = aws.requestsSent
        let all = try await aws.ec2.listInstances(pageSize: 5)
        #expect(Set(all.map(\.id)) == Set(ids))
        #expect(all.count == 12)
        #expect(aws.requestsSent - before == 3)
    }

    @Test func ec2ErrorsAreClearMessages() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let aws = try motoClient(moto)
        let error = await #expect(throws: CloudError.self) { try await aws.ec2.startInstances(["i-0000000000000dead"]) }
        #expect(error?.code == "InvalidInstanceID.NotFound")
        #expect(error?.kind == .request)
        #expect(error?.description.contains("ec2:StartInstances failed (InvalidInstanceID.NotFound)") == true)
    }

    @Test func eksListsAndDescribesClusters() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let aws = try motoClient(moto, region: "eu-west-1")
        try await aws.createEKSCluster("prod", publicCIDRs: ["0.0.0.0/0"], logging: ["api", "audit"])
        try await aws.createEKSCluster("staging", publicCIDRs: ["0.0.0.0/0"])
        let before = aws.requestsSent
        let names = try await aws.eks.listClusters(pageSize: 1)
        #expect(Set(names) == ["prod", "staging"])
        #expect(aws.requestsSent - before >= 2, "one cluster per page takes at least two pages")
        let prod = try await aws.eks.describeCluster("prod")
        #expect(prod.name == "prod")
        #expect(prod.version == "1.29")
        #expect(prod.arn?.hasPrefix("arn:aws:eks:eu-west-1:") == true)
        #expect(prod.openToInternet)
        #expect(prod.enabledLogTypes == ["api", "audit"])
        #expect(try await aws.eks.describeCluster("staging").enabledLogTypes.isEmpty)
        let missing = await #expect(throws: CloudError.self) { try await aws.eks.describeCluster("nope") }
        #expect(missing?.code == "ResourceNotFoundException")
    }

    @Test func cloudWatchReadsPutMetricData() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let aws = try motoClient(moto)
        let now = Date()
        let dimension = [CloudWatchDimension(name: "InstanceId", value: "i-abc")]
        for value in [10.0, 20.0, 60.0] {
            try await aws.cloudwatch.putMetricData(namespace: "Custom/App", metricName: "Latency", value: value,
                                                   dimensions: dimension, timestamp: now.addingTimeInterval(-30))
        }
        try await aws.cloudwatch.putMetricData(namespace: "Custom/App", metricName: "Latency", value: 999,
                                               dimensions: [CloudWatchDimension(name: "InstanceId", value: "i-other")], timestamp: now)
        let queries = [CloudWatchMetricQuery(namespace: "Custom/App", metricName: "Latency", dimensions: dimension, stat: "Average", period: 300),
                       CloudWatchMetricQuery(namespace: "Custom/App", metricName: "Latency", dimensions: dimension, stat: "Maximum", period: 300)]
        let series = try await aws.cloudwatch.getMetricData(queries, start: now.addingTimeInterval(-600), end: now.addingTimeInterval(60))
        #expect(series.count == 2)
        #expect(series[0].points.map(\.value).reduce(0, +) == 30)
        #expect(series[1].latest?.value == 60)
    }
}
