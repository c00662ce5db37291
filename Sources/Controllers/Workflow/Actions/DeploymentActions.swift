import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// `deployment.blue-green-deploy {strategy, healthCheck, image|template}`: creates or updates
/// a BlueGreenDeployment and waits for its verdict.
///
/// The change is written once per step: the rollout then carries the step's idempotency key
/// (`opsagent.dev/idempotency-key`), and a later attempt (after a restart) that finds its key
/// only observes. `healthCheck: true` gives a rollout without pre-promotion analysis the
/// built-in readiness and restart checks, so a bad revision is caught before traffic moves.
///
/// The step succeeds when the rollout reaches a verdict: Healthy (`outcome=Promoted`) or
/// RolledBack (`outcome=RolledBack`: the bad revision never took traffic). The verdict is
/// for the next steps to judge (the seed's post-deployment-validation); the step fails only
/// when the rollout cannot be written or ends Degraded.
struct BlueGreenDeploy: StepAction {
    static let id = "deployment.blue-green-deploy"
    static let resource = BlueGreenDeployment.groupVersionResource

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("BlueGreenDeployment")
            let namespace = context.targetNamespace
            let current: JSONValue?
            do { current = try await context.api.get(Self.resource, name: name, namespace: namespace) } catch let error as KubeError where error.isNotFound {
                current = nil
            }
            guard let current, current["metadata"]["annotations"][OpsWorkflowRun.idempotencyAnnotation].stringValue == context.idempotencyKey else {
                try await write(current, name: name, namespace: namespace, context)
                return .waiting("the BlueGreenDeployment \(namespace)/\(name) was written; waiting for its rollout")
            }
            return Self.verdict(current)
        }
    }

    /// Healthy or RolledBack once the rollout controller has seen the current spec.
    static func verdict(_ rollout: JSONValue) -> ActionOutcome {
        let status = rollout["status"]
        guard status["observedGeneration"].intValue == rollout["metadata"]["generation"].intValue,
              let phase = status["phase"].stringValue else {
            return .waiting("waiting for the rollout controller to see generation \(rollout["metadata"]["generation"].intValue ?? 0)")
        }
        var outputs = ["revision": status["activeRevision"].stringValue ?? "", "activeColor": status["activeColor"].stringValue ?? "",
                       "image": rollout["spec"]["template"]["spec"]["containers"][0]["image"].stringValue ?? ""]
        switch BlueGreenPhase(rawValue: phase) {
        case .healthy?:
            outputs["outcome"] = "Promoted"
            outputs["promoted"] = "true"
            return .succeeded(outputs)
        case .rolledBack?:
            outputs["outcome"] = "RolledBack"
            outputs["promoted"] = "false"
            return .succeeded(outputs)
        case .degraded?:
            return .failed("the rollout is Degraded: \(status["message"].stringValue ?? "")", outputs)
        default:
            return .waiting("the rollout is \(phase)")
        }
    }

    private func write(_ current: JSONValue?, name: String, namespace: String, _ context: ActionContext) async throws {
        let image = context.string("image")
        let template = context.parameter("template").flatMap { $0.objectValue != nil ? $0 : nil }
        var object: JSONValue
        if let current {
            object = current
            object.removeValue(forKey: "status")
        } else {
            guard image != nil || template != nil else {
                throw ActionError("BlueGreenDeployment \(namespace)/\(name) does not exist; give parameters.template or image (or --param image=…) to create it")
            }
            object = ["apiVersion": .string(BlueGreenDeployment.apiVersion), "kind": .string(BlueGreenDeployment.kind),
                      "metadata": ["name": .string(name), "namespace": .string(namespace)],
                      "spec": ["replicas": .int(Int64(context.int("replicas") ?? 2)), "activeService": ["name": .string(name)],
                               "previewService": ["name": .string("\(name)-preview")],
                               "template": ["metadata": ["labels": ["app": .string(name)]],
                                            "spec": ["containers": [["name": "app", "image": .string(image ?? ""),
                                                                     "ports": [["name": "http", "containerPort": 8080]]]]]]]]
        }
        if let template { object["spec"]["template"] = template }
        if let image {
            guard var containers = object["spec"]["template"]["spec"]["containers"].arrayValue, !containers.isEmpty else {
                throw ActionError("BlueGreenDeployment \(namespace)/\(name) has no container to set the image of")
            }
            containers[0]["image"] = .string(image)
            object["spec"]["template"]["spec"]["containers"] = .array(containers)
        }
        if let replicas = context.int("replicas") { object["spec"]["replicas"] = .int(Int64(replicas)) }
        if context.bool("healthCheck") == true, object["spec"]["prePromotionAnalysis"]["checks"].arrayValue?.isEmpty ?? true {
            object["spec"]["prePromotionAnalysis"] = ["checks": [
                ["name": "ready", "builtin": ["type": "PodReadiness"], "interval": "1s", "count": 3],
                ["name": "restarts", "builtin": ["type": "Restarts"], "interval": "1s", "count": 3],
            ]]
        }
        object["metadata"]["annotations"][OpsWorkflowRun.idempotencyAnnotation] = .string(context.idempotencyKey)
        if current == nil {
            _ = try await context.api.create(Self.resource, object, namespace: namespace)
        } else {
            _ = try await context.api.update(Self.resource, object, namespace: namespace)
        }
    }
}

/// `deployment.rollback`: the BlueGreenDeployment goes back to its stable revision.
///
/// A rollout that rolled back by itself still asks for the bad revision in its spec: the
/// spec's template is set back to the template the active (stable) color runs, so the
/// object is Healthy again and GitOps sees the revert. A Healthy rollout is undone with its
/// `opsagent.dev/undo` operation, the token being the step's idempotency key (the rollout
/// acts once per token). The step succeeds when the rollout is Healthy again.
struct Rollback: StepAction {
    static let id = "deployment.rollback"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("BlueGreenDeployment")
            let namespace = context.targetNamespace
            let rollout = try await context.api.get(BlueGreenDeploy.resource, name: name, namespace: namespace)
            let status = rollout["status"]
            let marked = rollout["metadata"]["annotations"][OpsWorkflowRun.idempotencyAnnotation].stringValue == context.idempotencyKey
            if !marked {
                var patch: JSONValue = ["metadata": ["annotations": [.init(stringLiteral: OpsWorkflowRun.idempotencyAnnotation): .string(context.idempotencyKey)]]]
                if status["phase"] == "RolledBack" {
                    let active = status["activeColor"].stringValue ?? "blue"
                    let deployment = try await context.api.get(.deployments, name: "\(name)-\(active)", namespace: namespace)
                    guard let text = deployment["metadata"]["annotations"]["opsagent.dev/template"].stringValue,
                          let template = try? JSONValue(parsing: text) else {
                        throw ActionError("the stable color \(active) of \(namespace)/\(name) does not record its template")
                    }
                    let replace: JSONValue = [["op": "replace", "path": "/spec/template", "value": template]]
                    _ = try await context.api.patch(BlueGreenDeploy.resource, name: name, namespace: namespace, type: .json, body: replace)
                } else {
                    patch["metadata"]["annotations"][BlueGreenOperation.undo.annotation] = .string(context.idempotencyKey)
                }
                _ = try await context.api.patch(BlueGreenDeploy.resource, name: name, namespace: namespace, type: .merge, body: patch)
                return .waiting("rollback of \(namespace)/\(name) requested")
            }
            switch BlueGreenDeploy.verdict(rollout) {
            case .succeeded(let outputs) where outputs["outcome"] == "Promoted":
                return .succeeded(["revision": outputs["revision"] ?? "", "activeColor": outputs["activeColor"] ?? ""])
            case .failed(let message, let outputs): return .failed(message, outputs)
            default: return .waiting("waiting for \(namespace)/\(name) to be Healthy on its stable revision")
            }
        }
    }
}
