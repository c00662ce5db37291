import Controllers
import Foundation
import KubeClient
import KubeSim
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// The seed's `deployment` workflow (examples/workflows, as a user applies it) run against
/// a BlueGreenDeployment on the embedded cluster: a good image, a bad one, and an operator
/// restart in the middle of a run.
@Suite(.serialized) struct WorkflowDeploymentTests {
    static let cluster = SharedWorkflowCluster()

    /// A Healthy rollout `shop` on 1.0 and the example workflows, in a fresh namespace.
    func prepare(_ cluster: WorkflowCluster, _ prefix: String) async throws -> String {
        let ns = try await cluster.namespace(prefix)
        try await cluster.applyWorkflowExamples(ns)
        _ = try await cluster.client.create(BlueGreenDeployment.groupVersionResource, Rollouts.manifest("shop"), namespace: ns)
        try await eventually("shop is Healthy on 1.0", timeout: .seconds(60)) {
            let rollout = try await cluster.client.get(BlueGreenDeployment.groupVersionResource, name: "shop", namespace: ns)
            return rollout["status"]["phase"] == "Healthy"
        }
        return ns
    }

    func activeColor(_ cluster: WorkflowCluster, _ ns: String) async throws -> String? {
        try await cluster.client.get(.services, name: "shop", namespace: ns)["spec"]["selector"]["opsagent.dev/color"].stringValue
    }

    @Test func aGoodImageIsDeployedAndTheRollbackIsSkipped() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await prepare(cluster, "wf-good")
        let run = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "deployment",
                                               parameters: ["name": "shop", "image": "registry.example/shop:1.1"])
        let name = try #require(run.metadata.name)
        let done = try await cluster.waitForRun(name, ns, "the run finishes") { WorkflowCluster.finished($0) }
        let status = done["status"]
        #expect(status["phase"] == "Succeeded", "\(status.serialized(pretty: true))")
        let phases = (status["steps"].arrayValue ?? []).map { "\($0["name"].stringValue ?? "")=\($0["phase"].stringValue ?? "")" }
        #expect(phases == ["pre-deployment-check=Succeeded", "security-scan=Succeeded", "deploy-application=Succeeded",
                           "post-deployment-validation=Succeeded", "rollback-if-needed=Skipped"])
        let deploy = WorkflowCluster.step(status, "deploy-application")
        #expect(deploy["outputs"]["outcome"] == "Promoted")
        #expect(deploy["outputs"]["image"] == "registry.example/shop:1.1")
        #expect(deploy["attempts"] == 1)
        #expect(WorkflowCluster.step(status, "pre-deployment-check")["outputs"]["healthy"] == "true")
        #expect(WorkflowCluster.step(status, "rollback-if-needed")["message"] == "condition is false: post-deployment-validation.failed")
        #expect(WorkflowCluster.step(status, "security-scan")["outputs"]["audit"].stringValue != nil)
        #expect(status["progress"] == "5/5")
        #expect(status.condition("Ready")?.status == .true)
        let rollout = try await cluster.client.get(BlueGreenDeployment.groupVersionResource, name: "shop", namespace: ns)
        #expect(rollout["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/shop:1.1")
        #expect(rollout["metadata"]["annotations"][OpsWorkflowRun.idempotencyAnnotation] == .string("\(run.metadata.uid ?? "")/deploy-application"))

        // kubectl shows the runs with their step and progress, and Events for each transition.
        let table = try await cluster.kubectl("-n", ns, "get", "owfrun")
        #expect(table.stdout.contains("PHASE") && table.stdout.contains("STEP") && table.stdout.contains("PROGRESS"), "\(table.stdout)")
        #expect(table.stdout.contains("Succeeded") && table.stdout.contains("5/5"), "\(table.stdout)")
        try await eventually("Events for the step transitions") {
            let events = try await cluster.client.list(.events, namespace: ns).items.filter { $0["involvedObject"]["name"].stringValue == name }
            let reasons = Set(events.compactMap { $0["reason"].stringValue })
            return reasons.isSuperset(of: ["RunStarted", "StepStarted", "StepSucceeded", "StepSkipped", "RunSucceeded"])
        }
        try await eventually("the workflow names its last run") {
            let workflow = try await cluster.client.get(OpsWorkflow.groupVersionResource, name: "deployment", namespace: ns)
            return workflow["status"]["lastRun"] == .string(name) && workflow["status"]["lastRunPhase"] == "Succeeded"
        }
    }

    @Test func aBadImageEndsInRollbackWithTrafficNeverOnIt() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await prepare(cluster, "wf-bad")
        let stable = try #require(try await activeColor(cluster, ns))
        let run = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "deployment",
                                               parameters: ["name": "shop", "image": "registry.example/shop:2.0-crash"])
        let name = try #require(run.metadata.name)
        // Watch the active Service's selector for the whole run.
        var colors: Set<String> = []
        var status: JSONValue = .null
        try await eventually("the run finishes", timeout: .seconds(180), interval: .milliseconds(50)) {
            if let color = try await activeColor(cluster, ns) { colors.insert(color) }
            status = try await cluster.run(name, ns)["status"]
            return WorkflowCluster.finished(status)
        }
        #expect(colors == [stable], "traffic went to \(colors)")
        #expect(status["phase"] == "Failed", "\(status.serialized(pretty: true))")
        let deploy = WorkflowCluster.step(status, "deploy-application")
        #expect(deploy["phase"] == "Succeeded")
        #expect(deploy["outputs"]["outcome"] == "RolledBack")
        let validation = WorkflowCluster.step(status, "post-deployment-validation")
        #expect(validation["phase"] == "Failed")
        #expect(validation["message"].stringValue?.contains("RolledBack") == true, "\(validation)")
        #expect(WorkflowCluster.step(status, "rollback-if-needed")["phase"] == "Succeeded")
        #expect(status.condition("Stalled")?.status == .true)
        // The rollout asks for the stable revision again and is Healthy on it.
        let rollout = try await cluster.client.get(BlueGreenDeployment.groupVersionResource, name: "shop", namespace: ns)
        #expect(rollout["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/shop:1.0")
        #expect(rollout["status"]["phase"] == "Healthy")
        #expect(try await activeColor(cluster, ns) == stable)
    }

    @Test func anOperatorRestartMidRunFinishesTheRunWithNoStepTwice() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await prepare(cluster, "wf-restart")
        // A slow revision (60 simulated seconds to Ready), so the kill lands mid-deploy.
        let run = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "deployment",
                                               parameters: ["name": "shop", "image": "registry.example/shop:1.2-slow60"])
        let name = try #require(run.metadata.name)
        let uid = try #require(run.metadata.uid)
        try await cluster.waitForRun(name, ns, "deploy-application is running") {
            WorkflowCluster.step($0, "deploy-application")["phase"] == "Running"
        }
        try await eventually("the rollout carries the step's key") {
            let rollout = try await cluster.client.get(BlueGreenDeployment.groupVersionResource, name: "shop", namespace: ns)
            return rollout["metadata"]["annotations"][OpsWorkflowRun.idempotencyAnnotation] == .string("\(uid)/deploy-application")
        }
        await cluster.stopOperator()
        try await Task.sleep(for: .milliseconds(500))
        try await cluster.startOperator()

        let done = try await cluster.waitForRun(name, ns, "the run finishes after the restart", timeout: .seconds(180)) { WorkflowCluster.finished($0) }
        let status = done["status"]
        #expect(status["phase"] == "Succeeded", "\(status.serialized(pretty: true))")
        for step in status["steps"].arrayValue ?? [] where step["phase"] != "Skipped" {
            #expect(step["attempts"] == 1, "\(step)")
        }
        // Each side effect happened once: one update of the rollout, one audit created.
        #expect(cluster.api.count("update", "bluegreendeployments", ns, "shop") == 1)
        #expect(cluster.api.count("create", "securityaudits", ns, "\(name)-security-scan") == 1)
        let events = try await cluster.client.list(.events, namespace: ns).items.filter { $0["involvedObject"]["name"].stringValue == name }
        #expect(events.contains { $0["reason"] == "StepResumed" && ($0["message"].stringValue ?? "").hasPrefix("deploy-application") })
    }
}

/// One workflow cluster per test process.
actor SharedWorkflowCluster {
    private var cluster: WorkflowCluster?
    func get() async throws -> WorkflowCluster {
        if let cluster { return cluster }
        let started = try await WorkflowCluster.start()
        cluster = started
        return started
    }
}
