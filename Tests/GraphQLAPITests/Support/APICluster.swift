import Foundation
import GraphQLAPI
import KubeClient
import KubeSim
import Logging
import OpsAPI
import Testing
import TestSupport

/// The embedded cluster with the opsagent CRDs, two team namespaces with a rollout each,
/// and `opsagent api` serving it in-process on a free port. Tokens: the cluster admin, and
/// a ServiceAccount that may read (and watch) opsagent resources in `team-a` only.
final class APICluster: Sendable {
    let sim: Simulator
    let admin: KubernetesClient
    let url: String
    let viewerToken: String
    let service: GraphQLService
    private let server: Task<Void, any Error>

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    var adminToken: String { sim.adminToken }

    static func start(prometheusURL: String? = nil) async throws -> APICluster {
        let sim = try await Simulator.start(.init(port: 0))
        let admin = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        for crd in OpsAPI.customResourceDefinitions { _ = try await admin.create(.customResourceDefinitions, crd.json) }
        for namespace in ["team-a", "team-b"] {
            _ = try await admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
            _ = try await admin.create(BlueGreenDeployment.groupVersionResource, rollout("web", image: "shop:1.0"), namespace: namespace)
        }
        let viewerToken = try await viewer(sim: sim, admin: admin)
        var logger = Logger(label: "test.api")
        logger.logLevel = .notice  // one line per operation at info: too much for the test log
        let caches = APICaches(api: admin)
        let services = APIServices(caches: caches, serverClient: admin, prometheusURL: prometheusURL, metricsInterval: .seconds(1), logger: logger)
        let service = try GraphQLService(services: services, logger: logger)
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await caches.run() }
                _ = await caches.waitUntilSynced(timeout: .seconds(30))
                try await APIServer(service: service, logger: logger).run(host: "127.0.0.1", port: 0, handlingSignals: false) {
                    boundContinuation.yield($0)
                }
                group.cancelAll()
            }
        }
        var port = 0
        for await value in bound {
            port = value
            break
        }
        return APICluster(sim: sim, admin: admin, url: "http://127.0.0.1:\(port)", viewerToken: viewerToken, service: service, server: server)
    }

    private init(sim: Simulator, admin: KubernetesClient, url: String, viewerToken: String, service: GraphQLService,
                 server: Task<Void, any Error>) {
        self.sim = sim
        self.admin = admin
        self.url = url
        self.viewerToken = viewerToken
        self.service = service
        self.server = server
    }

    func stop() async {
        server.cancel()
        _ = await server.result
        await sim.stop()
    }

    static func rollout(_ name: String, image: String) -> JSONValue {
        ["apiVersion": .string(BlueGreenDeployment.apiVersion), "kind": .string(BlueGreenDeployment.kind), "metadata": ["name": .string(name)],
         "spec": ["replicas": 2, "template": ["metadata": ["labels": ["app": .string(name)]],
                                              "spec": ["containers": [["name": "app", "image": .string(image)]]]],
                  "activeService": ["name": .string(name)], "previewService": ["name": .string("\(name)-preview")]]]
    }

    /// `viewer` in team-a: get, list and watch on opsagent.dev resources there, nothing else.
    private static func viewer(sim: Simulator, admin: KubernetesClient) async throws -> String {
        let rbac = { (resource: String) in GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: resource) }
        _ = try await admin.create(.serviceaccounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "viewer"]], namespace: "team-a")
        _ = try await admin.create(rbac("roles"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "opsagent-viewer"],
            "rules": [["apiGroups": ["opsagent.dev"], "resources": ["*"], "verbs": ["get", "list", "watch"]]],
        ], namespace: "team-a")
        _ = try await admin.create(rbac("rolebindings"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "opsagent-viewer"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "opsagent-viewer"],
            "subjects": [["kind": "ServiceAccount", "name": "viewer", "namespace": "team-a"]],
        ], namespace: "team-a")
        return try sim.serviceAccountToken(namespace: "team-a", name: "viewer")
    }

    /// POSTs a GraphQL request; returns the HTTP status and the JSON answer.
    func graphql(_ query: String, variables: JSONValue = [:], token: String?) async throws -> (status: Int, body: JSONValue) {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.set("Authorization", "Bearer \(token)") }
        let body: JSONValue = ["query": .string(query), "variables": variables]
        let response = try await CurlTransport.shared.send(HTTPRequest(method: "POST", url: url + "/graphql", headers: headers,
                                                                       body: Array(body.serialized().utf8)))
        return (response.status, try JSONValue(parsing: response.body))
    }

    /// The `data` of a request that must succeed.
    func data(_ query: String, variables: JSONValue = [:], token: String? = nil) async throws -> JSONValue {
        let (status, body) = try await graphql(query, variables: variables, token: token ?? adminToken)
        try #require(status == 200 && body["errors"].isNull, "\(query): HTTP \(status) \(body)")
        return body["data"]
    }

    /// The first error message of a request that must fail.
    func error(_ query: String, variables: JSONValue = [:], token: String? = nil) async throws -> String {
        let (_, body) = try await graphql(query, variables: variables, token: token ?? adminToken)
        return try #require(body["errors"][0]["message"].stringValue, "\(query) must fail: \(body)")
    }

    /// Writes a rollout's status as its controller would.
    func setStatus(_ namespace: String, _ name: String, _ status: JSONValue) async throws {
        _ = try await admin.patch(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace, type: .merge,
                                  body: ["status": status], subresource: "status")
    }

    /// Waits until `condition` holds for the API's answer (the caches follow watches).
    func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting: \(what)")
    }
}
