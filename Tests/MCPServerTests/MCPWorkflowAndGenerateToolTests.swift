import Foundation
import KubeClient
import MCP
@testable import MCPServer
import OpsAPI
import Testing

/// The workflow tools (`workflow_run`, `workflow_status`, `workflow_approve`) and
/// `generate_manifests` on the embedded cluster, called as the server calls them.
@Suite(.serialized) struct MCPWorkflowAndGenerateToolTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func workflowToolsStartReadAndApproveRunsAndNeedWriteAccess() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let ns = cluster.namespace
        let workflow: JSONValue = [
            "apiVersion": .string(OpsWorkflow.apiVersion), "kind": .string(OpsWorkflow.kind), "metadata": ["name": "triage"],
            "spec": ["parameters": ["service": "checkout"], "steps": [
                ["name": "check-health", "agent": "monitoring", "action": "check-system-health", "parameters": ["threshold": 0.5]],
                ["name": "sign-off", "approval": ["timeoutSeconds": 600]],
            ]],
        ]
        _ = try await cluster.admin.create(OpsWorkflow.groupVersionResource, workflow, namespace: ns)
        let admin = CallerIdentity(name: "admin", client: cluster.admin)

        // Read-only by default: starting a run is refused, naming the flag.
        let readOnly = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions())
        let refused = await readOnly.call("workflow_run", arguments: ["name": "triage", "namespace": .string(ns)], as: admin)
        #expect(refused.isError == true && MCPToolBehaviourTests.text(refused).contains("--allow-write"),
                "\(MCPToolBehaviourTests.text(refused))")

        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions(allowWrite: true))
        let missing = await server.call("workflow_run", arguments: ["name": "nope", "namespace": .string(ns)], as: admin)
        #expect(missing.isError == true && MCPToolBehaviourTests.text(missing).contains("not found"), "\(MCPToolBehaviourTests.text(missing))")
        let badParameter = await server.call("workflow_run", arguments: ["name": "triage", "namespace": .string(ns),
                                                                         "parameters": ["replicas": 3]], as: admin)
        #expect(MCPToolBehaviourTests.text(badParameter).contains("parameters.replicas"), "\(MCPToolBehaviourTests.text(badParameter))")

        let started = await server.call("workflow_run", arguments: ["name": "triage", "namespace": .string(ns),
                                                                    "parameters": ["service": "payments"]], as: admin)
        #expect(started.isError == false, "\(MCPToolBehaviourTests.text(started))")
        let run = try #require(MCPToolBehaviourTests.structured(started)["run"].stringValue)
        let object = try await cluster.admin.get(OpsWorkflowRun.groupVersionResource, name: run, namespace: ns)
        #expect(object["spec"]["workflowRef"] == "triage")
        #expect(object["spec"]["trigger"] == "mcp")
        #expect(object["spec"]["parameters"]["service"] == "payments", "the argument overrides the workflow's default")
        #expect(object["spec"]["steps"].arrayValue?.count == 2)

        let status = await server.call("workflow_status", arguments: ["run": .string(run), "namespace": .string(ns)], as: admin)
        #expect(status.isError == false)
        #expect(MCPToolBehaviourTests.structured(status)["workflow"] == "triage")
        let listed = await server.call("workflow_status", arguments: ["workflow": "triage", "namespace": .string(ns)], as: admin)
        let runs = MCPToolBehaviourTests.structured(listed)["runs"].arrayValue ?? []
        #expect(runs.map { $0["name"].stringValue } == [run])
        let neither = await server.call("workflow_status", arguments: ["namespace": .string(ns)], as: admin)
        #expect(neither.isError == true && MCPToolBehaviourTests.text(neither).contains("invalid argument 'run'"))

        // No controller runs here, so no step waits yet: the approval is refused, naming the step.
        let early = await server.call("workflow_approve", arguments: ["run": .string(run), "step": "sign-off", "namespace": .string(ns)], as: admin)
        #expect(early.isError == true && MCPToolBehaviourTests.text(early).contains("sign-off"), "\(MCPToolBehaviourTests.text(early))")
        // Once the run waits on the step (status as the run controller writes it), the caller approves it.
        var waiting = try await cluster.admin.get(OpsWorkflowRun.groupVersionResource, name: run, namespace: ns)
        waiting["status"] = ["phase": "WaitingForApproval", "currentStep": "sign-off", "steps": [
            ["name": "check-health", "phase": "Succeeded"], ["name": "sign-off", "phase": "WaitingForApproval"],
        ]]
        _ = try await cluster.admin.updateStatus(OpsWorkflowRun.groupVersionResource, waiting, namespace: ns)
        let approved = await server.call("workflow_approve", arguments: ["run": .string(run), "step": "sign-off", "namespace": .string(ns)], as: admin)
        #expect(approved.isError == false, "\(MCPToolBehaviourTests.text(approved))")
        let annotated = try await cluster.admin.get(OpsWorkflowRun.groupVersionResource, name: run, namespace: ns)
        let approver = annotated["metadata"]["annotations"][OpsWorkflowRun.approvePrefix + "sign-off"].stringValue
        #expect(approver != nil && approver == MCPToolBehaviourTests.structured(approved)["approvedBy"].stringValue,
                "the approval names the caller as the API server sees it: \(annotated["metadata"]["annotations"])")
    }

    @Test func generateManifestsReturnsTheHardenedYAMLAndNamesBadFields() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions())
        let admin = CallerIdentity(name: "admin", client: cluster.admin)
        let text = try String(contentsOf: Self.root.appendingPathComponent("examples/generate/web-app.yaml"), encoding: .utf8)
        let requirements = try JSONValue(yaml: text)

        // Read-only: served without --allow-write.
        let result = await server.call("generate_manifests", arguments: ["requirements": requirements, "explain": true], as: admin)
        #expect(result.isError == false, "\(MCPToolBehaviourTests.text(result))")
        let yaml = MCPToolBehaviourTests.text(result)
        for expected in ["kind: Deployment", "kind: NetworkPolicy", "kind: HorizontalPodAutoscaler", "readOnlyRootFilesystem: true",
                         "runAsNonRoot: true", "automountServiceAccountToken: false", "#"] {
            #expect(yaml.contains(expected), "generated YAML lacks \(expected)")
        }
        let kinds = (MCPToolBehaviourTests.structured(result)["objects"].arrayValue ?? []).compactMap { $0["kind"].stringValue }
        #expect(kinds.contains("Ingress") && kinds.contains("PodDisruptionBudget"), "\(kinds)")
        #expect(MCPToolBehaviourTests.structured(result)["requiredSecrets"].arrayValue?.isEmpty == false)

        var bad = requirements
        bad["replicaz"] = 3
        bad["name"] = "Store_Front"
        let refused = await server.call("generate_manifests", arguments: ["requirements": bad], as: admin)
        let message = MCPToolBehaviourTests.text(refused)
        #expect(refused.isError == true)
        #expect(message.contains("requirements.replicaz") && message.contains("requirements.name"), "\(message)")
    }
}
