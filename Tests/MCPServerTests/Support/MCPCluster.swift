import Foundation
import KubeClient
import KubeSim
import MCPServer
import OpsAPI
import Testing
import TestSupport

/// The embedded cluster prepared for MCP tests: the opsagent CRDs, a namespace with a
/// running Deployment, and secrets planted everywhere a careless server would leak them —
/// a Secret, a ConfigMap and a pod annotation copying its value literally, an env var with
/// it, the image tag (so the container's log line carries it), and an Event message.
final class MCPCluster: Sendable {
    static let password = "Planted-Passw0rd-7f3a9c"
    static let apiKey = "planted-api-key-q8z6w4x2v9n7m5"
    static let secretName = "planted"
    static let deployment = "leaky"

    let sim: Simulator
    let admin: KubernetesClient
    let namespace: String
    let pod: String

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String { root.appendingPathComponent(".build/debug/opsagent").path }
    static var script: String { root.appendingPathComponent("Tests/MCPServerTests/Python/mcp_e2e.py").path }

    static func start() async throws -> MCPCluster {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: 0.05)))
        let admin = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        for crd in OpsAPI.customResourceDefinitions {
            _ = try await admin.create(.customResourceDefinitions, crd.json)
        }
        let namespace = "mcp-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        let encoded = { (text: String) in JSONValue.string(Data(text.utf8).base64EncodedString()) }
        _ = try await admin.create(.secrets, [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(secretName)],
            "data": ["password": encoded(password), "api-key": encoded(apiKey)],
        ], namespace: namespace)
        _ = try await admin.create(.configmaps, [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "leaky-config"],
            "data": ["database.url": .string("postgres://app@db/app?sslmode=require&password=\(password)"), "key": .string(apiKey)],
        ], namespace: namespace)
        let labels: JSONValue = ["app": .string(deployment)]
        _ = try await admin.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(deployment), "labels": labels],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels, "annotations": ["copied/from-secret": .string(apiKey)]],
                    "spec": ["containers": [[
                        "name": "app", "image": .string("registry.example/leaky:\(password)"),
                        "env": [
                            ["name": "DB_PASSWORD", "valueFrom": ["secretKeyRef": ["name": .string(secretName), "key": "password"]]],
                            ["name": "UPSTREAM", "value": .string(apiKey)],
                            ["name": "DB_PASSWORD_COPY", "value": .string(password)],
                        ],
                    ]]],
                ],
            ],
        ], namespace: namespace)
        _ = try await admin.create(.events, [
            "apiVersion": "v1", "kind": "Event", "metadata": ["name": "leaky.planted"],
            "involvedObject": ["kind": "Deployment", "name": .string(deployment), "namespace": .string(namespace)],
            "reason": "ConfigLoaded", "message": .string("loaded config with api key \(apiKey)"), "type": "Warning",
            "firstTimestamp": .string(KubeTimestamp.format(Date())), "lastTimestamp": .string(KubeTimestamp.format(Date())), "count": 1,
        ], namespace: namespace)
        var pod = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let pods = try await admin.list(.pods, namespace: namespace, options: ListOptions(labelSelector: "app=\(deployment)"))
            if let running = pods.items.first(where: { $0["status"]["phase"].stringValue == "Running" }),
               let name = running["metadata"]["name"].stringValue,
               let log = try? await admin.logs(pod: name, namespace: namespace), !log.isEmpty {
                pod = name
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(!pod.isEmpty, "the planted Deployment's pod runs and logs")
        return MCPCluster(sim: sim, admin: admin, namespace: namespace, pod: pod)
    }

    private init(sim: Simulator, admin: KubernetesClient, namespace: String, pod: String) {
        self.sim = sim
        self.admin = admin
        self.namespace = namespace
        self.pod = pod
    }

    /// A ServiceAccount in the test namespace that may read everything and create
    /// Deployments in the test namespace only; returns its token.
    func agentToken() async throws -> String {
        _ = try await admin.create(.serviceaccounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "agent"]],
                                   namespace: namespace)
        let rbac = { (resource: String) in GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: resource) }
        let subject: JSONValue = ["kind": "ServiceAccount", "name": "agent", "namespace": .string(namespace)]
        _ = try await admin.create(rbac("clusterroles"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": .string("\(namespace)-read")],
            "rules": [["apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]],
                      ["nonResourceURLs": ["*"], "verbs": ["get"]]],
        ])
        _ = try await admin.create(rbac("clusterrolebindings"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": .string("\(namespace)-read")],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string("\(namespace)-read")],
            "subjects": [subject],
        ])
        _ = try await admin.create(rbac("roles"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "deployer"],
            "rules": [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create", "patch", "update"]]],
        ], namespace: namespace)
        _ = try await admin.create(rbac("rolebindings"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "deployer"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"],
            "subjects": [subject],
        ], namespace: namespace)
        return try sim.serviceAccountToken(namespace: namespace, name: "agent")
    }

    /// Runs the Python client script with `config`; returns its JSON report, and its standard
    /// error (where a stdio server's log goes).
    func runPythonClient(_ config: JSONValue) async throws -> (report: JSONValue, log: String) {
        var full = config
        full["namespace"] = .string(namespace)
        full["pod"] = .string(pod)
        full["deployment"] = .string(Self.deployment)
        full["secretName"] = .string(Self.secretName)
        full["secrets"] = [.string(Self.password), .string(Self.apiKey)]
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.script, full.serialized()])
        try #require(result.status == 0, "the Python MCP client's checks: \(result.stderr.suffix(3000))")
        return (try JSONValue(parsing: Array(result.stdout.utf8)), result.stderr)
    }

    func stop() async { await sim.stop() }
}
