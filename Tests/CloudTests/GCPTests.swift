import Cloud
import Foundation
import KubeClient
import Testing
import TestSupport

/// Compute Engine, GKE and Cloud Monitoring against in-process fakes of the documented API.
struct GCPTests {
    @Test func aServiceAccountKeyBecomesACachedToken() async throws {
        let fake = try await FakeGoogleCloud.start()
        defer { fake.stop() }
        fake.state.withLock { $0.instances = [.init(zone: "us-central1-a", name: "vm-1", status: "RUNNING", id: 1)] }
        let gcp = try GCPClient(settings: fake.settings())
        #expect(try await gcp.project() == "demo-project")
        _ = try await gcp.compute.listInstances()
        _ = try await gcp.compute.listInstances()
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.tokenRequests == 1, "a token of an hour is reused")
        #expect(fake.server.requests.filter { $0.path != "/token" }.allSatisfy { $0.header("Authorization")?.hasPrefix("Bearer ya29.fake-") == true })

        // A token that expires within the margin is fetched again before the next call.
        fake.state.withLock { $0.tokenLifetime = 60 }
        await gcp.tokens.invalidate()
        _ = try await gcp.compute.listInstances()
        _ = try await gcp.compute.listInstances()
        #expect(fake.tokenRequests == 3)
    }

    @Test func aKeyThatDoesNotMatchIsRefusedWithAClearMessage() async throws {
        let fake = try await FakeGoogleCloud.start()
        defer { fake.stop() }
        // A key file whose private key is not the one the token endpoint knows.
        let other = try await FakeGoogleCloud.start()
        defer { other.stop() }
        var wrong = try JSONValue(parsing: other.keyJSON)
        wrong["token_uri"] = .string(fake.url + "/token")
        let gcp = try GCPClient(settings: GCPSettings(serviceAccountKey: wrong.serializedBytes(), environment: [:],
                                                      computeURL: fake.url + "/compute/v1"))
        let error = await #expect(throws: CloudError.self) { try await gcp.compute.listInstances() }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message.contains("signature does not verify") == true)
        #expect(error?.description.contains("PRIVATE KEY") == false)

        let notAKey = #expect(throws: CloudError.self) {
            try GCPClient(settings: GCPSettings(serviceAccountKey: Array(#"{"type":"authorized_user"}"#.utf8), environment: [:]))
        }
        #expect(notAKey?.message.contains("service_account") == true)
    }

    @Test func computeListsEveryZoneAcrossPagesAndStartsAndStops() async throws {
        let fake = try await FakeGoogleCloud.start()
        defer { fake.stop() }
        fake.state.withLock { s in
            s.instances = (1...5).map { .init(zone: $0 <= 3 ? "us-central1-a" : "europe-west1-b", name: "vm-\($0)", status: "RUNNING", id: $0) }
        }
        let gcp = try GCPClient(settings: fake.settings())
        let all = try await gcp.compute.listInstances(pageSize: 2)
        #expect(all.map(\.name) == ["vm-4", "vm-5", "vm-1", "vm-2", "vm-3"])
        #expect(all[0].zone == "europe-west1-b" && all[0].machineType == "e2-medium")
        #expect(all[0].externalIPs == ["34.1.2.4"] && all[0].labels == ["env": "prod"])
        let pages = fake.server.requests.filter { $0.path.hasSuffix("/aggregated/instances") }
        #expect(pages.map { $0.param("pageToken") } == [nil, "2", "4"])
        #expect(pages.allSatisfy { $0.param("maxResults") == "2" && $0.param("returnPartialSuccess") == "true" })

        let op = try await gcp.compute.stop("vm-2", zone: "us-central1-a")
        #expect(op.name == "operation-stop-vm-2")
        #expect(fake.state.withLock { $0.instances[1].status } == "TERMINATED")
        _ = try await gcp.compute.start("vm-2", zone: "us-central1-a")
        #expect(fake.state.withLock { $0.instances[1].status } == "RUNNING")
        let missing = await #expect(throws: CloudError.self) { try await gcp.compute.start("ghost", zone: "us-central1-a") }
        #expect(missing?.code == "NOT_FOUND" && missing?.description.contains("compute.instances.start failed") == true)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func gkeListsAndGetsClusters() async throws {
        let fake = try await FakeGoogleCloud.start()
        defer { fake.stop() }
        fake.state.withLock { s in
            s.clusters = [
                ["name": "prod", "location": "us-central1", "currentMasterVersion": "1.29.4-gke.100", "status": "RUNNING",
                 "endpoint": "34.0.0.1", "legacyAbac": ["enabled": true], "masterAuth": ["username": "admin"],
                 "nodePools": [["name": "default", "version": "1.29.4", "initialNodeCount": 3, "management": ["autoUpgrade": false]]]],
                ["name": "dev", "location": "europe-west1-b", "currentMasterVersion": "1.30.1", "status": "RUNNING",
                 "privateClusterConfig": ["enablePrivateEndpoint": true],
                 "nodePools": [["name": "default", "management": ["autoUpgrade": true]]]],
            ]
        }
        let gcp = try GCPClient(settings: fake.settings())
        let all = try await gcp.gke.listClusters()
        #expect(all.map(\.name) == ["prod", "dev"])
        let prod = try await gcp.gke.getCluster("prod", location: "us-central1")
        #expect(prod.legacyABAC && prod.basicAuth && prod.publicEndpoint && prod.nodePools.first?.autoUpgrade == false)
        #expect(prod.nodePools.first?.nodeCount == 3)
        let dev = try await gcp.gke.getCluster("dev", location: "europe-west1-b")
        #expect(!dev.legacyABAC && !dev.basicAuth && !dev.publicEndpoint)
        #expect(fake.server.requests.contains { $0.path == "/container/v1/projects/demo-project/locations/-/clusters" })
        let missing = await #expect(throws: CloudError.self) { try await gcp.gke.getCluster("prod", location: "asia-east1") }
        #expect(missing?.code == "NOT_FOUND")
    }

    @Test func monitoringReadsTimeSeriesAcrossPages() async throws {
        let fake = try await FakeGoogleCloud.start()
        defer { fake.stop() }
        let now = Date()
        fake.state.withLock { s in
            s.series = (1...3).map { i in
                ["metric": ["type": "compute.googleapis.com/instance/cpu/utilization", "labels": ["instance_name": .string("vm-\(i)")]],
                 "resource": ["type": "gce_instance", "labels": ["zone": "us-central1-a"]],
                 "points": [["interval": ["endTime": .string(CloudTime.format(now))], "value": ["doubleValue": .double(0.3 * Double(i))]],
                            ["interval": ["endTime": .string(CloudTime.format(now.addingTimeInterval(-60)))], "value": ["int64Value": "7"]]]]
            }
        }
        let gcp = try GCPClient(settings: fake.settings())
        let query = GCPMonitoringQuery(filter: #"metric.type = "compute.googleapis.com/instance/cpu/utilization""#)
        let series = try await gcp.monitoring.listTimeSeries(query, start: now.addingTimeInterval(-600), end: now)
        #expect(series.count == 3)
        #expect(series[2].points.first?.value == 7, "int64Value is a JSON string; points are oldest first")
        #expect(abs((series[2].points.last?.value ?? 0) - 0.9) < 1e-9)
        #expect(series[0].labels["instance_name"] == "vm-1" && series[0].labels["resource.zone"] == "us-central1-a")
        let requests = fake.server.requests.filter { $0.path.hasSuffix("/timeSeries") }
        #expect(requests.map { $0.param("pageToken") } == [nil, "2"])
        #expect(requests.allSatisfy { $0.param("aggregation.perSeriesAligner") == "ALIGN_MEAN" && $0.param("aggregation.alignmentPeriod") == "60s" })
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func theMetadataServerGivesTokensAndTheProject() async throws {
        let server = await ScriptedServer.start { request in
            guard request.header("Metadata-Flavor") == "Google" else { return .init(403) }
            switch request.path {
            case "/computeMetadata/v1/instance/service-accounts/default/token":
                return .json(["access_token": "ya29.metadata", "expires_in": 3599, "token_type": "Bearer"])
            case "/computeMetadata/v1/project/project-id": return .init(200, "wi-project")
            default: return .init(404)
            }
        }
        defer { server.stop() }
        let gcp = try GCPClient(settings: GCPSettings(environment: ["GCE_METADATA_HOST": "127.0.0.1:\(server.port)"]))
        #expect(try await gcp.project() == "wi-project")
        let token = try await gcp.tokens.token()
        #expect(token.value == "ya29.metadata" && token.source == "metadata server")
        #expect(!token.description.contains("ya29"))
    }
}
