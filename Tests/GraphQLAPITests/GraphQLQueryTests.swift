import Foundation
import GraphQLAPI
import KubeClient
import OpsAPI
import Testing

/// The GraphQL API over HTTP against the embedded cluster: authentication, RBAC on every
/// read, writes as the caller, and the bounds on what a query may cost. One cluster and
/// server for the suite.
@Suite(.serialized) struct GraphQLQueryTests {
    static let cluster = ClusterBox()

    @Test func anonymousAndUnknownTokensAreRefused() async throws {
        let cluster = try await Self.cluster.get()
        let anonymous = try await cluster.graphql("{ deployments { id } }", token: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.body["errors"][0]["message"].stringValue?.contains("Bearer") == true)
        let forged = try await cluster.graphql("{ deployments { id } }", token: "not-a-token")
        #expect(forged.status == 401)
        #expect(forged.body["errors"][0]["message"].stringValue?.contains("did not accept the token") == true)
    }

    @Test func readsShowWhatRBACAllowsEachCaller() async throws {
        let cluster = try await Self.cluster.get()
        try await cluster.setStatus("team-a", "web", ["phase": "Healthy", "activeColor": "blue", "activeRevision": "r1", "replicas": 2,
                                                      "readyReplicas": 2])
        try await cluster.eventually("the cache has the status") {
            try await cluster.data(#"{ deployment(id: "team-a/web") { phase } }"#)["deployment"]["phase"].stringValue == "Healthy"
        }
        let all = try await cluster.data("{ deployments { id image phase activeColor replicas readyReplicas permissions { update delete } } }")
        #expect(all["deployments"].arrayValue?.compactMap { $0["id"].stringValue } == ["team-a/web", "team-b/web"])
        #expect(all["deployments"][0]["image"].stringValue == "shop:1.0")
        #expect(all["deployments"][0]["activeColor"].stringValue == "blue")
        #expect(all["deployments"][0]["permissions"]["update"].boolValue == true)

        let mine = try await cluster.data("{ deployments { id permissions { update } } }", token: cluster.viewerToken)
        #expect(mine["deployments"].arrayValue?.compactMap { $0["id"].stringValue } == ["team-a/web"], "team-b is not the viewer's")
        #expect(mine["deployments"][0]["permissions"]["update"].boolValue == false, "the viewer may not promote")

        let denied = try await cluster.error(#"{ deployments(namespace: "team-b") { id } }"#, token: cluster.viewerToken)
        #expect(denied.contains("cannot list bluegreendeployments.opsagent.dev in namespace team-b"), "\(denied)")
        let single = try await cluster.error(#"{ deployment(id: "team-b/web") { id } }"#, token: cluster.viewerToken)
        #expect(single.contains("forbidden"), "\(single)")
        let badID = try await cluster.error(#"{ deployment(id: "web") { id } }"#)
        #expect(badID.contains("ids are namespace/name"), "\(badID)")
    }

    @Test func mutationsWriteAsTheCallerAndTheAPIServerDecides() async throws {
        let cluster = try await Self.cluster.get()
        let refused = try await cluster.error(#"mutation { createDeployment(input: {name: "api", namespace: "team-a", image: "api:1"}) { id } }"#,
                                              token: cluster.viewerToken)
        #expect(refused.contains("forbidden"), "impersonated as the viewer, the API server refuses: \(refused)")

        let created = try await cluster.data(#"mutation { createDeployment(input: {name: "api", namespace: "team-a", image: "api:1", replicas: 3, port: 8080}) { id image replicas phase } }"#)
        #expect(created["createDeployment"]["id"].stringValue == "team-a/api")
        let object = try await cluster.admin.get(BlueGreenDeployment.groupVersionResource, name: "api", namespace: "team-a")
        #expect(object["spec"]["replicas"].intValue == 3)
        #expect(object["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"].intValue == 8080)
        #expect(object["spec"]["previewService"]["name"].stringValue == "api-preview")

        let updated = try await cluster.data(#"mutation { updateDeployment(id: "team-a/api", input: {image: "api:2"}) { image } }"#)
        #expect(updated["updateDeployment"]["image"].stringValue == "api:2")
        _ = try await cluster.data(#"mutation { promoteDeployment(id: "team-a/api") { id } }"#)
        let promoted = try await cluster.admin.get(BlueGreenDeployment.groupVersionResource, name: "api", namespace: "team-a")
        #expect(promoted["metadata"]["annotations"][BlueGreenOperation.promote.annotation].stringValue != nil,
                "promote asks the controller with the annotation token, as opsagent promote does")

        let invalid = try await cluster.error(#"mutation { updateDeployment(id: "team-a/api", input: {image: "api:3", replicas: -2}) { id } }"#)
        #expect(invalid.contains("replicas"), "the CRD schema's refusal names the field: \(invalid)")

        #expect(try await cluster.data(#"mutation { deleteDeployment(id: "team-a/api") }"#)["deleteDeployment"].boolValue == true)
        await #expect(throws: (any Error).self) {
            _ = try await cluster.admin.get(BlueGreenDeployment.groupVersionResource, name: "api", namespace: "team-a")
        }
    }

    @Test func alertsAreCreatedUpdatedAndListedFiringFirst() async throws {
        let cluster = try await Self.cluster.get()
        _ = try await cluster.admin.create(.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "hook"],
                                                      "stringData": ["url": "https://hooks.example/planted-secret-9xq"]], namespace: "team-a")
        let created = try await cluster.data(#"""
            mutation { createAlert(input: {name: "cpu", namespace: "team-a", severity: "critical", description: "CPU high",
                metric: "cpu_usage", operator: ">", threshold: 0.8, duration: "5m", target: "app=web"}) {
              id status severity condition { metric operator threshold duration } } }
            """#)
        #expect(created["createAlert"]["status"].stringValue == "INACTIVE")
        #expect(created["createAlert"]["condition"]["threshold"].doubleValue == 0.8)
        _ = try await cluster.admin.patch(AlertRule.groupVersionResource, name: "cpu", namespace: "team-a", type: .merge,
                                          body: ["spec": ["actions": [["name": "page", "webhook": ["urlSecretRef": ["name": "hook", "key": "url"]]]]]])
        let updated = try await cluster.data(#"mutation { updateAlert(id: "team-a/cpu", input: {threshold: 0.9}) { condition { metric threshold } } }"#)
        #expect(updated["updateAlert"]["condition"]["threshold"].doubleValue == 0.9)
        #expect(updated["updateAlert"]["condition"]["metric"].stringValue == "cpu_usage", "a merge patch keeps the other fields")

        _ = try await cluster.data(#"mutation { createAlert(input: {name: "quiet", namespace: "team-a", expr: "vector(0) > 1"}) { id } }"#)
        _ = try await cluster.admin.patch(AlertRule.groupVersionResource, name: "cpu", namespace: "team-a", type: .merge, body: [
            "status": ["state": "Firing", "value": "0.93", "firingSince": "2026-12-07T10:00:00Z",
                       "analysis": ["episode": "e1", "rootCause": "web pods CPU-throttled after release 1.4", "summary": "CPU above 90%"]],
        ], subresource: "status")
        var answer: JSONValue = .null
        try await cluster.eventually("the firing alert is listed first") {
            answer = try await cluster.data("{ alerts { id status value rootCause actions { name type } } }")
            return answer["alerts"][0]["id"].stringValue == "team-a/cpu" && answer["alerts"][0]["status"].stringValue == "FIRING"
        }
        #expect(answer["alerts"][0]["rootCause"].stringValue?.contains("throttled") == true)
        #expect(answer["alerts"][0]["actions"][0]["type"].stringValue == "webhook")
        #expect(!answer.serialized().contains("planted-secret-9xq"), "where an action sends is a Secret and never shown")
        let firing = try await cluster.data("{ alerts(status: FIRING) { id } }")
        #expect(firing["alerts"].arrayValue?.count == 1)
    }

    @Test func anExpensiveQueryIsRefusedAndIntrospectionIsServed() async throws {
        let cluster = try await Self.cluster.get()
        let aliases = (0..<60).map { "a\($0): deployments { id name phase analysis { checks { name phase message } } }" }.joined(separator: " ")
        let refused = try await cluster.error("{ \(aliases) }")
        #expect(refused.contains("costs") && refused.contains("at most"), "\(refused)")
        let types = try await cluster.data("{ __schema { queryType { name } types { name kind fields { name type { name ofType { name ofType { name } } } } } } }")
        let names = types["__schema"]["types"].arrayValue?.compactMap { $0["name"].stringValue } ?? []
        #expect(names.contains("Deployment") && names.contains("Vulnerability") && names.contains("ComplianceCheck"))
        let syntax = try await cluster.error("{ deployments { id ")
        #expect(syntax.contains("Syntax Error") || syntax.contains("Expected"), "\(syntax)")
        let unknown = try await cluster.error("{ deployments { colour } }")
        #expect(unknown.contains("colour"), "\(unknown)")
    }

    @Test func theCheckedInSchemaIsTheServedOne() throws {
        let checkedIn = try String(contentsOf: APICluster.root.appendingPathComponent("api/schema.graphql"), encoding: .utf8)
        #expect(checkedIn == (try OpsGraphQLAPI().sdl), "api/schema.graphql is stale: run `opsagent api --print-schema > api/schema.graphql`")
        // The fields, with descriptions dropped and arguments on one line.
        let flat = checkedIn.replacingOccurrences(of: #"\"\"\"[\s\S]*?\"\"\""#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
            .replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")").replacingOccurrences(of: ", ", with: " ")
        for field in ["deployments(namespace: String): [Deployment!]!", "deployment(id: ID!): Deployment",
                      "metrics(resource: String!, timeRange: TimeRange!): [Metric!]!", "alerts(status: AlertStatus): [Alert!]!",
                      "compliance(standard: String): [ComplianceCheck!]!", "createDeployment(input: DeploymentInput!): Deployment!",
                      "updateDeployment(id: ID!, input: DeploymentInput!): Deployment!", "deleteDeployment(id: ID!): Boolean!",
                      "executeWorkflow(workflow: String!, parameters: JSON): WorkflowResult!", "createAlert(input: AlertInput!): Alert!",
                      "updateAlert(id: ID!, input: AlertInput!): Alert!", "deploymentStatusChanged: Deployment!", "alertCreated: Alert!"] {
            #expect(flat.contains(field.replacingOccurrences(of: ", ", with: " ")), "the seed's field \(field)")
        }
    }
}

/// Starts the suite's cluster once, on first use.
actor ClusterBox {
    private var cluster: APICluster?

    func get() async throws -> APICluster {
        if let cluster { return cluster }
        let started = try await APICluster.start()
        cluster = started
        return started
    }
}
