import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// The library API over workflow runs, for the CLI, the AlertRule `workflow` action, the
/// workflow controller's triggers and MCP tools: start a run, read it, approve a step,
/// cancel it. Everything goes through the API server; the run controller does the rest.
public enum WorkflowRuns {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Creates a run of `workflow`: its steps copied, its parameter defaults overridden by
    /// `parameters`, owned by the workflow. With a `name`, starting again is idempotent (the
    /// existing run is returned): triggers pass a name derived from what triggered them.
    @discardableResult
    public static func start(api: any KubernetesAPI, namespace: String, workflow name: String, parameters: [String: String] = [:],
                             trigger: String = "manual", runName: String? = nil) async throws -> OpsWorkflowRun {
        let raw: JSONValue
        do { raw = try await api.get(OpsWorkflow.groupVersionResource, name: name, namespace: namespace) } catch let error as KubeError where error.isNotFound {
            throw Failure(description: "OpsWorkflow \(namespace)/\(name) not found")
        }
        return try await start(api: api, namespace: namespace, workflow: raw, parameters: parameters, trigger: trigger, runName: runName)
    }

    /// Starts a run of the workflow object `raw` (as read from a cache).
    @discardableResult
    public static func start(api: any KubernetesAPI, namespace: String, workflow raw: JSONValue, parameters: [String: String],
                             trigger: String, runName: String?) async throws -> OpsWorkflowRun {
        let name = raw["metadata"]["name"].stringValue ?? ""
        var specPart = raw
        specPart.removeValue(forKey: "status")
        let workflow = try specPart.decodeSpec(OpsWorkflow.self)
        let problems = WorkflowValidation.problems(of: workflow.spec)
        guard problems.isEmpty else {
            throw Failure(description: "OpsWorkflow \(namespace)/\(name) is invalid: \(problems.map(\.description).joined(separator: "; "))")
        }
        return try await create(api: api, namespace: namespace, workflow: workflow, uid: raw["metadata"]["uid"].stringValue ?? "",
                                parameters: parameters, trigger: trigger, runName: runName)
    }

    /// Creates the run object of an already decoded workflow.
    static func create(api: any KubernetesAPI, namespace: String, workflow: OpsWorkflow, uid: String, parameters: [String: String],
                       trigger: String, runName: String?) async throws -> OpsWorkflowRun {
        let name = workflow.metadata.name ?? ""
        var spec = OpsWorkflowRunSpec(
            workflowRef: name, parameters: (workflow.spec.parameters ?? [:]).merging(parameters) { _, new in new }, trigger: trigger,
            steps: workflow.spec.steps, onExit: workflow.spec.onExit, activeDeadlineSeconds: workflow.spec.activeDeadlineSeconds,
            concurrencyPolicy: workflow.spec.policy.rawValue)
        if spec.parameters?.isEmpty == true { spec.parameters = nil }
        var metadata = ObjectMeta(name: runName, namespace: namespace, labels: [OpsWorkflowRun.workflowLabel: name])
        if runName == nil { metadata.generateName = "\(name.prefix(200))-" }
        metadata.ownerReferences = [OwnerReference(apiVersion: OpsWorkflow.apiVersion, kind: OpsWorkflow.kind, name: name, uid: uid,
                                                   controller: true, blockOwnerDeletion: true)]
        let object = try JSONValue(encoding: OpsWorkflowRun(metadata: metadata, spec: spec))
        do {
            return try await api.create(OpsWorkflowRun.groupVersionResource, object, namespace: namespace).decode(OpsWorkflowRun.self)
        } catch let error as KubeError where error.isAlreadyExists && runName != nil {
            return try object.decode(OpsWorkflowRun.self)  // started before: this trigger's run exists
        }
    }

    public static func get(api: any KubernetesAPI, namespace: String, run: String) async throws -> OpsWorkflowRun {
        do {
            return try await api.get(OpsWorkflowRun.groupVersionResource, name: run, namespace: namespace).decode(OpsWorkflowRun.self)
        } catch let error as KubeError where error.isNotFound {
            throw Failure(description: "OpsWorkflowRun \(namespace)/\(run) not found")
        }
    }

    /// Approves a waiting step as `user` (the identity the API server reported for the
    /// caller): the annotation `opsagent.dev/approve.<step>` the run controller reads.
    public static func approve(api: any KubernetesAPI, namespace: String, run: String, step: String, user: String) async throws {
        let current = try await get(api: api, namespace: namespace, run: run)
        guard let status = current.status?.steps?.first(where: { $0.name == step }) else {
            throw Failure(description: "run \(run) has no step \(step)")
        }
        guard status.typedPhase == .waitingForApproval || status.typedPhase == .pending else {
            throw Failure(description: "step \(step) of \(run) is \(status.phase), not waiting for approval")
        }
        let patch: JSONValue = ["metadata": ["annotations": [.init(stringLiteral: OpsWorkflowRun.approvePrefix + step): .string(user)]]]
        _ = try await api.patch(OpsWorkflowRun.groupVersionResource, name: run, namespace: namespace, type: .merge, body: patch)
    }

    /// Cancels a run: running steps are cancelled, then its onExit steps run.
    public static func cancel(api: any KubernetesAPI, namespace: String, run: String) async throws {
        _ = try await api.patch(OpsWorkflowRun.groupVersionResource, name: run, namespace: namespace, type: .merge,
                                body: ["spec": ["cancel": true]])
    }

    /// The caller's user name as the API server sees it (`SelfSubjectReview`, `kubectl auth whoami`).
    public static func currentUser(api: any KubernetesAPI) async throws -> String {
        let review: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": .emptyObject]
        let answer = try await api.create(GroupVersionResource(group: "authentication.k8s.io", version: "v1", resource: "selfsubjectreviews"),
                                          review, namespace: nil)
        guard let user = answer["status"]["userInfo"]["username"].stringValue, !user.isEmpty else {
            throw Failure(description: "the API server did not say who you are (SelfSubjectReview)")
        }
        return user
    }
}
