import Foundation
import GraphQL
@testable import GraphQLAPI
import KubeClient
import OperatorKit
import Testing

/// Queries are answered by ``FastQuery`` (one pass over the cached values) rather than
/// GraphQLSwift's executor; both must give the same answer, field for field, for what
/// GraphQL lets a query say: aliases, named and inline fragments, `@skip`/`@include` with
/// variables, `__typename`, nested lists, per-caller fields and errors.
@Suite(.serialized) struct FastPathParityTests {
    static let cluster = ClusterBox()

    static let query = """
        query Board($ns: String, $withAnalysis: Boolean = true, $skipMe: Boolean!) {
          __typename
          mine: deployments(namespace: $ns) { ...Row analysis @include(if: $withAnalysis) { phase verdict checks { name } } }
          all: deployments { id __typename ... on Deployment { phase previewColor conditions { type status } } image @skip(if: $skipMe) }
          one: deployment(id: "team-a/web") { id name permissions { update delete } }
          missing: deployment(id: "team-a/none") { id }
          alerts { id status condition { metric threshold } actions { type } }
          audits { id riskScore topFindings { id severity affectedResource { type name } } }
        }
        fragment Row on Deployment { id phase activeColor replicas readyReplicas }
        """

    @Test func fastAndGeneralExecutionAnswerAlike() async throws {
        let cluster = try await Self.cluster.get()
        try await cluster.setStatus("team-a", "web", [
            "phase": "Analyzing", "activeColor": "green", "activeRevision": "r1", "previewRevision": "r2", "replicas": 2, "readyReplicas": 1,
            "analysis": ["phase": "Running", "checks": [["name": "error-rate", "phase": "Running"]], "analyzer": ["verdict": "pass", "summary": "ok", "provider": "builtin"]],
            "conditions": [["type": "Ready", "status": "False", "reason": "Analyzing", "lastTransitionTime": "2026-12-07T10:00:00Z"]],
        ])
        try await cluster.eventually("the cache has the status") {
            try await cluster.data(#"{ deployment(id: "team-a/web") { phase } }"#)["deployment"]["phase"].stringValue == "Analyzing"
        }
        let request = GraphQLRequest(query: Self.query, operationName: "Board", variables: ["ns": "team-a", "skipMe": false])
        for token in [cluster.adminToken, cluster.viewerToken] {
            let user = try #require(await Self.user(cluster, token))
            let context = cluster.service.context(for: user)
            let prepared = try #require(cluster.service.fast.prepare(ParsedRequest(request), kind: .query), "the query takes the fast path")
            let fast = try #require(try await cluster.service.fast.execute(prepared, context: context))
            let general = GraphQLService.Answer(try await cluster.service.api.execute(request: request, context: context))
            let fastJSON = try JSONValue(parsing: Array(fast.json.utf8)), generalJSON = try JSONValue(parsing: Array(general.json.utf8))
            #expect(fastJSON["data"] == generalJSON["data"], "data differ:\nfast    \(fast.json)\ngeneral \(general.json)")
            #expect(fastJSON["data"]["mine"][0]["analysis"]["checks"][0]["name"].stringValue == "error-rate")
            #expect(fastJSON["data"]["one"]["permissions"]["update"].boolValue == (token == cluster.adminToken))
            #expect(fastJSON["data"]["all"].arrayValue?.count == (token == cluster.adminToken ? 2 : 1))
            #expect(fastJSON["data"]["all"][0]["__typename"].stringValue == "Deployment")
            #expect(fastJSON["errors"].arrayValue?.map { $0["message"] } == generalJSON["errors"].arrayValue?.map { $0["message"] })
            #expect(fastJSON["errors"].arrayValue?.map { $0["path"] } == generalJSON["errors"].arrayValue?.map { $0["path"] })
        }
        let fieldOrder = try await cluster.graphql("{ deployments { readyReplicas id phase } }", token: cluster.adminToken)
        #expect(fieldOrder.status == 200)
        let raw = try await CurlTransport.shared.send(HTTPRequest(
            method: "POST", url: cluster.url + "/graphql",
            headers: ["Content-Type": "application/json", "Authorization": "Bearer \(cluster.adminToken)"],
            body: Array(#"{"query":"{ deployments { readyReplicas id phase } }"}"#.utf8)))
        #expect(raw.bodyText.hasPrefix(#"{"data":{"deployments":[{"readyReplicas":"#), "fields come in the order they were selected: \(raw.bodyText)")
    }

    static func user(_ cluster: APICluster, _ token: String) async -> TokenAuthenticator.User? {
        if case .authenticated(let user) = await cluster.service.authenticator.authenticate(authorization: "Bearer \(token)") { return user }
        return nil
    }
}
