import AuditChecks
import Foundation
import KubeClient
import MCP
@testable import MCPServer
import OpsAPI
import Testing

/// The tool layer against the embedded cluster, called as the server calls it: errors that
/// say what to fix, the policy of --denied-resources, Secret masking, paging, and the
/// audit, alert and rollout tools over real custom resources.
@Suite(.serialized) struct MCPToolBehaviourTests {
    static func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
    }

    static func structured(_ result: CallTool.Result) -> JSONValue {
        result.structuredContent.map { JSONValue(mcp: $0) } ?? .null
    }

    @Test func errorsSayWhatToFixAndThePolicyHoldsAsTheCallerIdentity() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        _ = try await cluster.agentToken()
        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions(allowWrite: true))
        let admin = CallerIdentity(name: "admin", client: cluster.admin)
        var configuration = cluster.admin.configuration
        configuration.impersonation = Impersonation(user: "system:serviceaccount:\(cluster.namespace):agent",
                                                    groups: ["system:serviceaccounts", "system:authenticated"])
        let agent = CallerIdentity(name: "agent", client: KubernetesClient(configuration: configuration))

        // Forbidden: the agent's Role allows creating Deployments only in its namespace.
        let forbidden = await server.call("create_deployment", arguments: ["name": "x", "image": "nginx", "namespace": "default"], as: agent)
        #expect(forbidden.isError == true)
        let message = Self.text(forbidden)
        #expect(message.contains("forbidden") && message.contains("'create'") && message.contains("'deployments'")
                && message.contains("namespace default"), "\(message)")
        let allowed = await server.call("create_deployment", arguments: ["name": "by-agent", "image": "nginx", "namespace": .string(cluster.namespace)], as: agent)
        #expect(allowed.isError == false, "\(Self.text(allowed))")

        // Invalid arguments name the argument; unknown kinds say how to name one.
        let badReplicas = await server.call("deployment_scale", arguments: ["name": "leaky", "replicas": -1], as: admin)
        #expect(Self.text(badReplicas).contains("invalid argument 'replicas'"))
        let badKind = await server.call("resources_list", arguments: ["kind": "widgets"], as: admin)
        #expect(badKind.isError == true && Self.text(badKind).contains("invalid argument 'kind'"))
        let unknown = await server.call("drop_database", arguments: [:], as: admin)
        #expect(unknown.isError == true && Self.text(unknown).contains("tools/list"))
        let destructive = await server.call("resources_delete", arguments: ["kind": "pods", "name": .string(cluster.pod)], as: admin)
        #expect(Self.text(destructive).contains("--allow-destructive"))

        // The default policy: Secret values hidden (keys kept), opsagent-system and RBAC writes denied.
        let secret = await server.call("resources_get", arguments: ["kind": "secret", "name": .string(MCPCluster.secretName),
                                                                    "namespace": .string(cluster.namespace)], as: admin)
        #expect(Self.structured(secret)["object"]["data"]["password"].stringValue == "[hidden: \(MCPCluster.password.utf8.count) bytes]")
        let system = await server.call("resources_list", arguments: ["kind": "configmaps", "namespace": "opsagent-system"], as: admin)
        #expect(system.isError == true && Self.text(system).contains("'ns/opsagent-system'"))
        let role = await server.call("resources_apply", arguments: ["manifest": .string("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: escalate}
            rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
            """)], as: admin)
        #expect(role.isError == true && Self.text(role).contains("'rbac.authorization.k8s.io/*' with scope 'write'"), "\(Self.text(role))")
        let secretWrite = await server.call("resources_apply", arguments: ["object": [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "new", "namespace": .string(cluster.namespace)],
            "stringData": ["a": "b"]]], as: admin)
        #expect(secretWrite.isError == true && Self.text(secretWrite).contains("'Secret' with scope 'data'"), "\(Self.text(secretWrite))")

        // Server-side apply of an allowed kind works and is idempotent.
        for _ in 0..<2 {
            let applied = await server.call("resources_apply", arguments: ["object": [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["k": "v"]],
                "namespace": .string(cluster.namespace)], as: admin)
            #expect(applied.isError == false, "\(Self.text(applied))")
        }
        let configMap = try await cluster.admin.get(.configmaps, name: "applied", namespace: cluster.namespace)
        #expect(configMap["data"]["k"].stringValue == "v")
    }

    @Test func listsArePagedAndDeploymentToolsAct() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions(allowWrite: true))
        let admin = CallerIdentity(name: "admin", client: cluster.admin)
        let scaled = await server.call("deployment_scale", arguments: ["name": .string(MCPCluster.deployment), "replicas": 3,
                                                                       "namespace": .string(cluster.namespace)], as: admin)
        #expect(scaled.isError == false, "\(Self.text(scaled))")
        var names = Set<String>()
        var token: JSONValue = .null
        var pages = 0
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            names = []
            token = .null
            pages = 0
            repeat {
                var arguments: [String: JSONValue] = ["namespace": .string(cluster.namespace), "limit": 1]
                if !token.isNull { arguments["continue"] = token }
                let page = Self.structured(await server.call("list_pods", arguments: arguments, as: admin))
                #expect((page["pods"].arrayValue ?? []).count <= 1)
                names.formUnion((page["pods"].arrayValue ?? []).compactMap { $0["name"].stringValue })
                token = page["continue"]
                pages += 1
            } while !token.isNull && pages < 10
            if names.count >= 3 { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        #expect(names.count >= 3 && pages >= 3, "three pods read one page at a time")
        let restarted = await server.call("deployment_restart", arguments: ["name": .string(MCPCluster.deployment),
                                                                            "namespace": .string(cluster.namespace)], as: admin)
        #expect(restarted.isError == false)
        let deployment = try await cluster.admin.get(.deployments, name: MCPCluster.deployment, namespace: cluster.namespace)
        #expect(deployment["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].stringValue != nil)
        #expect(deployment["spec"]["replicas"].intValue == 3)
        let top = await server.call("nodes_top", arguments: [:], as: admin)
        #expect(top.isError == false && (Self.structured(top)["nodes"].arrayValue ?? []).count >= 1, "\(Self.text(top))")
    }

    @Test func auditAlertAndRolloutToolsReadTheCustomResources() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let ns = cluster.namespace
        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions(allowWrite: true))
        let admin = CallerIdentity(name: "admin", client: cluster.admin)
        // AlertRules in three states, written as the controller would (status subresource).
        for (name, state, severity) in [("quiet", "Inactive", "info"), ("disk", "Firing", "warning"), ("errors", "Firing", "critical"),
                                        ("latency", "Pending", "critical")] {
            let created = try await cluster.admin.create(AlertRule.groupVersionResource, [
                "apiVersion": "opsagent.dev/v1alpha1", "kind": "AlertRule", "metadata": ["name": .string(name)],
                "spec": ["expr": "vector(1) > 0", "severity": .string(severity)],
            ], namespace: ns)
            var withStatus = created
            withStatus["status"] = ["state": .string(state), "severity": .string(severity)]
            _ = try await cluster.admin.updateStatus(AlertRule.groupVersionResource, withStatus, namespace: ns)
        }
        let alerts = Self.structured(await server.call("alerts_list", arguments: ["namespace": .string(ns)], as: admin))
        let order = (alerts["alerts"].arrayValue ?? []).compactMap { $0["name"].stringValue }
        #expect(order == ["errors", "disk", "latency", "quiet"], "firing first, most severe first: \(order)")

        let run = await server.call("audit_run", arguments: ["name": "missing", "namespace": .string(ns)], as: admin)
        #expect(run.isError == true && Self.text(run).contains("not found"))

        // A SecurityAudit whose latest report holds findings of three severities; the filters
        // are checked against the framework catalog's own mapping.
        let findings = [
            Finding(checkID: "OPS-RBAC-001", category: .rbac, severity: .critical, title: "cluster-admin bound",
                    object: AuditObject(kind: "ClusterRoleBinding", name: "everyone"), message: "binds cluster-admin"),
            Finding(checkID: "OPS-SEC-003", category: .secretsAndIdentity, severity: .medium, title: "default service account",
                    object: AuditObject(kind: "Deployment", namespace: ns, name: "leaky"), message: "runs as default"),
            Finding(checkID: "OPS-TEST-UNMAPPED", category: .workloadHygiene, severity: .low, title: "unmapped",
                    object: AuditObject(kind: "Deployment", namespace: ns, name: "leaky"), message: "maps to no control"),
        ]
        try await cluster.admin.create(SecurityReport(metadata: ObjectMeta(name: "weekly-1", namespace: ns), report: SecurityReportBody(
            runID: "1", auditedAt: KubeTimestamp.format(Date()), riskScore: 42, counts: SeverityCountsStatus(critical: 1, medium: 1, low: 1),
            frameworks: [], objectsAudited: 3, checksRun: 3, findings: findings, droppedFindings: 0, waivedFindings: 0, waivers: [],
            accessReview: [], droppedAccessReviews: 0)))
        var audit = try await cluster.admin.create(SecurityAudit.groupVersionResource, try SecurityAudit(metadata: ObjectMeta(name: "weekly")).json(),
                                                   namespace: ns)
        audit["status"] = ["phase": "Completed", "reports": [["name": "weekly-1", "runID": "1", "createdAt": .string(KubeTimestamp.format(Date())),
                                                             "findings": 3, "droppedFindings": 0]]]
        _ = try await cluster.admin.updateStatus(SecurityAudit.groupVersionResource, audit, namespace: ns)
        func checks(_ arguments: [String: JSONValue]) async -> [String] {
            let result = await server.call("audit_findings", arguments: ["name": "weekly", "namespace": .string(ns)].merging(arguments) { $1 }, as: admin)
            return (Self.structured(result)["findings"].arrayValue ?? []).compactMap { $0["checkID"].stringValue }
        }
        #expect(await checks([:]) == ["OPS-RBAC-001", "OPS-SEC-003", "OPS-TEST-UNMAPPED"], "most severe first")
        #expect(await checks(["severity": "high"]) == ["OPS-RBAC-001"])
        let cis = findings.map(\.checkID).filter { FrameworkCatalog.controls(mappedTo: $0).contains { $0.framework == .cis } }
        #expect(!cis.isEmpty)
        #expect(await checks(["framework": "cis"]) == cis)
        let page = await server.call("audit_findings", arguments: ["name": "weekly", "namespace": .string(ns), "limit": 2], as: admin)
        #expect(Self.structured(page)["continue"].stringValue == "2")
        let badFramework = await server.call("audit_findings", arguments: ["name": "weekly", "namespace": .string(ns), "framework": "PCI"], as: admin)
        #expect(Self.text(badFramework).contains("invalid argument 'framework'"))
        let report = try await server.readResource("opsagent://audits/\(ns)/weekly/report", as: admin)
        #expect(report.contents.first?.text?.contains("OPS-RBAC-001") == true)
        let promote = await server.call("rollout_promote", arguments: ["name": "missing", "namespace": .string(ns)], as: admin)
        #expect(promote.isError == true && Self.text(promote).contains("bluegreendeployments/missing"))
    }
}
