import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// The seed's `incident-response` workflow started by a firing AlertRule's `workflow`
/// action, with the alert as its input: the assessment decides the branch.
@Suite(.serialized) struct WorkflowIncidentTests {
    func deployment(_ cluster: WorkflowCluster, _ name: String, _ ns: String, image: String) async throws {
        _ = try await cluster.client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": ["replicas": 2, "selector": ["matchLabels": ["app": .string(name)]], "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": .string(image), "ports": [["containerPort": 8080]],
                                         "resources": ["limits": ["cpu": "500m", "memory": "256Mi"]]]]]]],
        ], namespace: ns)
    }

    func rule(_ name: String, workload: String, metric: String, op: String, threshold: Double, actions: [JSONValue]) -> JSONValue {
        ["apiVersion": "opsagent.dev/v1alpha1", "kind": "AlertRule", "metadata": ["name": .string(name)],
         "spec": ["severity": "critical", "interval": "1s",
                  "condition": ["metric": .string(metric), "operator": .string(op), "threshold": .double(threshold), "duration": "1s"],
                  "target": ["selector": ["matchLabels": ["app": .string(workload)]]],
                  "actions": .array(actions)]]
    }

    /// The run the rule started (one per firing episode).
    func runOf(_ cluster: WorkflowCluster, _ ns: String) async throws -> JSONValue {
        var found: JSONValue = .null
        try await eventually("the AlertRule starts an incident-response run", timeout: .seconds(90)) {
            let runs = try await cluster.client.list(OpsWorkflowRun.groupVersionResource, namespace: ns).items
            guard runs.count == 1 else { return false }
            found = runs[0]
            return true
        }
        return found
    }

    @Test func aHealthyWorkloadIsAssessedLowAndRecoveredAutomatically() async throws {
        let cluster = try await WorkflowDeploymentTests.cluster.get()
        let ns = try await cluster.namespace("wf-low")
        try await cluster.applyWorkflowExamples(ns)
        try await deployment(cluster, "cart", ns, image: "registry.example/cart:1.0")
        // Fires while every pod is ready: nothing for the analysis to find.
        _ = try await cluster.client.create(AlertRule.groupVersionResource, rule(
            "cart-watch", workload: "cart", metric: "PodReadiness", op: ">=", threshold: 0,
            actions: [["name": "respond", "workflow": ["name": "incident-response"]]]), namespace: ns)
        let run = try await runOf(cluster, ns)
        let name = try #require(run["metadata"]["name"].stringValue)
        #expect(run["spec"]["trigger"] == "alert")
        #expect(run["spec"]["parameters"]["alertname"] == "cart-watch")
        #expect(run["spec"]["parameters"]["namespace"] == .string(ns))
        let done = try await cluster.waitForRun(name, ns, "the run finishes") { WorkflowCluster.finished($0) }
        let status = done["status"]
        #expect(status["phase"] == "Succeeded", "\(status.serialized(pretty: true))")
        #expect(WorkflowCluster.step(status, "assess-incident")["outputs"]["severity"] == "low")
        #expect(WorkflowCluster.step(status, "security-check")["phase"] == "Succeeded")
        #expect(WorkflowCluster.step(status, "execute-recovery")["phase"] == "Succeeded")
        #expect(WorkflowCluster.step(status, "manual-intervention")["phase"] == "Skipped")
        // One run per episode: the rule's repeats and re-evaluations start no other.
        try await Task.sleep(for: .seconds(2))
        #expect(try await cluster.client.list(OpsWorkflowRun.groupVersionResource, namespace: ns).items.count == 1)
        let arule = try await cluster.client.get(AlertRule.groupVersionResource, name: "cart-watch", namespace: ns)
        #expect(arule["status"]["notifications"][0]["lastError"].isNull, "\(arule["status"]["notifications"])")
    }

    @Test func aCrashLoopingWorkloadIsAssessedHighAndEscalatedThroughTheRulesNotifiers() async throws {
        let cluster = try await WorkflowDeploymentTests.cluster.get()
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        let ns = try await cluster.namespace("wf-high")
        try await cluster.applyWorkflowExamples(ns)
        _ = try await cluster.client.create(.secrets, [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "hooks"],
            "data": ["url": .string(Data((receiver.url + "/hooks/oncall").utf8).base64EncodedString())],
        ], namespace: ns)
        try await deployment(cluster, "pay", ns, image: "registry.example/pay:1.0-crash")
        _ = try await cluster.client.create(AlertRule.groupVersionResource, rule(
            "pay-restarts", workload: "pay", metric: "Restarts", op: ">", threshold: 0,
            actions: [["name": "respond", "workflow": ["name": "incident-response"]],
                      ["name": "oncall", "webhook": ["urlSecretRef": ["name": "hooks", "key": "url"]]]]), namespace: ns)
        let run = try await runOf(cluster, ns)
        let name = try #require(run["metadata"]["name"].stringValue)
        let done = try await cluster.waitForRun(name, ns, "the run finishes") { WorkflowCluster.finished($0) }
        let status = done["status"]
        #expect(status["phase"] == "Succeeded", "\(status.serialized(pretty: true))")
        #expect(WorkflowCluster.step(status, "assess-incident")["outputs"]["severity"] == "high")
        #expect(WorkflowCluster.step(status, "execute-recovery")["phase"] == "Skipped")
        let escalate = WorkflowCluster.step(status, "manual-intervention")
        #expect(escalate["phase"] == "Succeeded")
        #expect(escalate["outputs"]["notified"] == "oncall")
        // The escalation went through the rule's webhook, with the assessment, and no URL leaked.
        try await eventually("the webhook got the escalation") {
            receiver.requests(path: "/hooks/oncall").contains { ($0.json?["alert"]["description"].stringValue ?? "").contains("Escalated by workflow incident-response") }
        }
        #expect(!status.serialized(pretty: false).contains(receiver.url))
    }
}
