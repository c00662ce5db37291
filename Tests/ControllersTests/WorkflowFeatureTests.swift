import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// What users of Argo Workflows expect beyond the seed: approvals recorded with who and
/// when, retries with backoff, onExit steps, the generic actions, concurrencyPolicy, and a
/// bad definition reported with its field path.
@Suite(.serialized) struct WorkflowFeatureTests {
    func deployment(_ cluster: WorkflowCluster, _ name: String, _ ns: String, image: String, replicas: Int = 1) async throws {
        _ = try await cluster.client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]], "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": .string(image)]]]]],
        ], namespace: ns)
    }

    func apply(_ cluster: WorkflowCluster, _ ns: String, _ yaml: String) async throws -> ProcessRunner.Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("owf-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await cluster.kubectl("-n", ns, "apply", "-f", file.path)
    }

    @Test func anApprovalRetriesOnExitAndTheGenericActions() async throws {
        let cluster = try await WorkflowDeploymentTests.cluster.get()
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        receiver.fail(next: 2, status: 503)
        let ns = try await cluster.namespace("wf-ops")
        try await deployment(cluster, "api", ns, image: "registry.example/api:1.0")
        try await deployment(cluster, "crashy", ns, image: "registry.example/crashy:1.0-crash")
        let applied = try await apply(cluster, ns, """
            apiVersion: opsagent.dev/v1alpha1
            kind: OpsWorkflow
            metadata: {name: ops}
            spec:
              steps:
                - {name: scale-up, agent: kubernetes, action: scale, parameters: {name: api, replicas: 3}}
                - {name: wait-ready, agent: kubernetes, action: wait, parameters: {name: api}, timeoutSeconds: 120}
                - name: go-ahead
                  approval: {message: "restart api?", timeoutSeconds: 300}
                - {name: restart, agent: kubernetes, action: restart, parameters: {name: api}, condition: "go-ahead.success"}
                - name: ping
                  agent: http
                  action: request
                  parameters: {url: "\(receiver.url)/hooks/ping", method: POST, body: '{"ping": true}'}
                  retries: {limit: 3, backoff: 200ms}
              onExit:
                - {name: recover, agent: incident, action: auto-recovery, parameters: {name: crashy, mode: restart}, condition: "run.phase == 'Succeeded'"}
            """)
        #expect(applied.status == 0, "\(applied.stderr)")
        try await eventually("crashy crash-loops") {
            let pods = try await cluster.client.list(.pods, namespace: ns).items.filter { $0["metadata"]["labels"]["app"] == "crashy" }
            return pods.contains { ($0["status"]["containerStatuses"][0]["restartCount"].intValue ?? 0) > 0 }
        }
        let crashyBefore = Set(try await cluster.client.list(.pods, namespace: ns).items
            .filter { $0["metadata"]["labels"]["app"] == "crashy" }.compactMap { $0["metadata"]["uid"].stringValue })

        let run = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "ops")
        let name = try #require(run.metadata.name)
        let waiting = try await cluster.waitForRun(name, ns, "the run waits for approval") { $0["phase"] == "WaitingForApproval" }
        #expect(waiting["status"]["currentStep"] == "go-ahead")
        #expect(waiting["status"]["progress"] == "2/5")
        #expect(try await cluster.client.get(.deployments, name: "api", namespace: ns)["spec"]["replicas"] == 3)
        let table = try await cluster.kubectl("-n", ns, "get", "owfrun", name)
        #expect(table.stdout.contains("WaitingForApproval") && table.stdout.contains("go-ahead") && table.stdout.contains("2/5"), "\(table.stdout)")

        let user = try await WorkflowRuns.currentUser(api: cluster.client)
        try await WorkflowRuns.approve(api: cluster.client, namespace: ns, run: name, step: "go-ahead", user: user)
        let done = try await cluster.waitForRun(name, ns, "the run finishes") { WorkflowCluster.finished($0) }
        let status = done["status"]
        #expect(status["phase"] == "Succeeded", "\(status.serialized(pretty: true))")
        let gate = WorkflowCluster.step(status, "go-ahead")
        #expect(gate["approvedBy"] == .string(user))
        #expect(gate["approvedAt"].stringValue != nil)
        let ping = WorkflowCluster.step(status, "ping")
        #expect(ping["attempts"] == 3, "two 503s, then 200: \(ping)")
        #expect(ping["outputs"]["status"] == "200")
        #expect(receiver.requests(path: "/hooks/ping").first?.headers["idempotency-key"] == "\(run.metadata.uid ?? "")/ping")
        let restarted = try await cluster.client.get(.deployments, name: "api", namespace: ns)
        #expect(restarted["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == .string("\(run.metadata.uid ?? "")/restart"))
        let recover = WorkflowCluster.step(status, "recover")
        #expect(recover["onExit"] == true && recover["phase"] == "Succeeded", "\(recover)")
        #expect((Int(recover["outputs"]["restarted"].stringValue ?? "") ?? 0) >= 1)
        try await eventually("crash-looping pods were replaced") {
            let now = Set(try await cluster.client.list(.pods, namespace: ns).items
                .filter { $0["metadata"]["labels"]["app"] == "crashy" }.compactMap { $0["metadata"]["uid"].stringValue })
            return !crashyBefore.isSubset(of: now)
        }
        let events = try await cluster.client.list(.events, namespace: ns).items.filter { $0["involvedObject"]["name"].stringValue == name }
        #expect(events.contains { $0["reason"] == "StepRetrying" })
        #expect(events.contains { $0["reason"] == "ApprovalRequested" })
    }

    @Test func theRunExampleAppliedAsAUserWouldRunsItsOwnSteps() async throws {
        let cluster = try await WorkflowDeploymentTests.cluster.get()
        let ns = try await cluster.namespace("wf-run-example")
        try await deployment(cluster, "web", ns, image: "registry.example/web:1.0")
        let dir = ExamplesTests.root.appendingPathComponent("examples/workflow-runs").path
        let applied = try await cluster.kubectl("-n", ns, "apply", "-f", dir)
        #expect(applied.status == 0, "kubectl apply examples/workflow-runs: \(applied.stderr)")
        let done = try await cluster.waitForRun("health-check", ns, "the example run finishes") { WorkflowCluster.finished($0) }
        let status = done["status"]
        #expect(status["phase"] == "Succeeded", "\(status.serialized(pretty: true))")
        #expect(WorkflowCluster.step(status, "cluster-health")["phase"] == "Succeeded")
        #expect(WorkflowCluster.step(status, "web-health")["phase"] == "Succeeded", "its condition read the first step's output")
        let table = try await cluster.kubectl("-n", ns, "get", "owfrun", "health-check")
        #expect(table.stdout.contains("Succeeded") && table.stdout.contains("2/2"), "\(table.stdout)")
    }

    @Test func forbidCancelsANewRunAndAnInvalidDefinitionNamesTheField() async throws {
        let cluster = try await WorkflowDeploymentTests.cluster.get()
        let ns = try await cluster.namespace("wf-policy")
        var applied = try await apply(cluster, ns, """
            apiVersion: opsagent.dev/v1alpha1
            kind: OpsWorkflow
            metadata: {name: gated}
            spec:
              concurrencyPolicy: Forbid
              steps:
                - name: hold
                  approval: {message: "hold"}
            """)
        #expect(applied.status == 0, "\(applied.stderr)")
        let first = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "gated")
        try await cluster.waitForRun(first.metadata.name ?? "", ns, "the first run waits") { $0["phase"] == "WaitingForApproval" }
        let second = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "gated")
        let refused = try await cluster.waitForRun(second.metadata.name ?? "", ns, "the second run is refused") { $0["phase"] == "Cancelled" }
        #expect(refused["status"]["message"].stringValue?.contains("Forbid") == true)
        try await WorkflowRuns.cancel(api: cluster.client, namespace: ns, run: first.metadata.name ?? "")
        try await cluster.waitForRun(first.metadata.name ?? "", ns, "the first run is cancelled") { $0["phase"] == "Cancelled" }

        // A condition naming a step that does not exist: InvalidSpec with the field path, no run starts.
        applied = try await apply(cluster, ns, """
            apiVersion: opsagent.dev/v1alpha1
            kind: OpsWorkflow
            metadata: {name: broken}
            spec:
              steps:
                - {name: check, agent: monitoring, action: check-system-health}
                - {name: act, agent: incident, action: auto-recovery, condition: "assess.severity == 'low'"}
            """)
        #expect(applied.status == 0, "\(applied.stderr)")
        try await eventually("broken is InvalidSpec") {
            let workflow = try await cluster.client.get(OpsWorkflow.groupVersionResource, name: "broken", namespace: ns)
            let ready = workflow["status"].condition("Ready")
            return ready?.status == .false && ready?.reason == "InvalidSpec" && (ready?.message ?? "").contains("spec.steps[1].condition")
        }
        do {
            _ = try await WorkflowRuns.start(api: cluster.client, namespace: ns, workflow: "broken")
            Issue.record("a run of an invalid workflow was started")
        } catch let failure as WorkflowRuns.Failure {
            #expect(failure.description.contains("spec.steps[1].condition"))
        }
        // The schema refuses a step that is both an approval and an action.
        applied = try await apply(cluster, ns, """
            apiVersion: opsagent.dev/v1alpha1
            kind: OpsWorkflow
            metadata: {name: both}
            spec:
              steps:
                - {name: x, agent: monitoring, action: check-system-health, approval: {message: "?"}}
            """)
        #expect(applied.status != 0 && applied.stderr.contains("either an approval"), "\(applied.stderr)")
    }
}
