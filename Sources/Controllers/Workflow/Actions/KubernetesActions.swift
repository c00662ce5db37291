import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// `kubernetes.scale {kind, name, replicas}`: sets replicas through the scale subresource
/// (BlueGreenDeployment through its spec). Setting the same count again changes nothing.
struct ScaleWorkload: StepAction {
    static let id = "kubernetes.scale"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("workload")
            guard let replicas = context.int("replicas") else { throw ActionError("parameters.replicas is required") }
            let resource = WorkloadTargets.resource(kind: context.string("kind"))
            _ = try await context.api.patch(resource.resource, name: name, namespace: context.targetNamespace, type: .merge,
                                            body: ["spec": ["replicas": .int(Int64(replicas))]])
            return .succeeded(["replicas": "\(replicas)"])
        }
    }
}

/// `kubernetes.restart {kind, name}`: `kubectl rollout restart` — the pod template's
/// `restartedAt` annotation. Its value is the step's idempotency key, so an attempt repeated
/// after a restart writes the same value and rolls nothing a second time.
struct RestartWorkload: StepAction {
    static let id = "kubernetes.restart"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("workload")
            let resource = WorkloadTargets.resource(kind: context.string("kind"))
            let body: JSONValue = ["spec": ["template": ["metadata": ["annotations": [
                "kubectl.kubernetes.io/restartedAt": .string(context.idempotencyKey)]]]]]
            _ = try await context.api.patch(resource.resource, name: name, namespace: context.targetNamespace, type: .merge, body: body)
            return .succeeded(["restartedAt": context.idempotencyKey])
        }
    }
}

/// `kubernetes.wait {kind, name}`: waits (re-checking the cache) until the workload's pods
/// are all ready and as many as it asks for. The step's timeoutSeconds bounds it.
struct WaitForWorkload: StepAction {
    static let id = "kubernetes.wait"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("workload")
            let kind = context.string("kind")
            let namespace = context.targetNamespace
            guard let workload = context.cache.get(WorkloadTargets.resource(kind: kind), ObjectKey(namespace: namespace, name: name)) else {
                return .waiting("waiting for \(kind ?? "Deployment") \(namespace)/\(name) to exist")
            }
            let wanted = workload["spec"]["replicas"].intValue ?? 1
            let pods = WorkloadTargets.pods(of: name, kind: kind, namespace: namespace, cache: context.cache)
                .filter { $0["metadata"]["deletionTimestamp"].isNull }
            let ready = pods.filter(WorkloadTargets.isReady).count
            guard ready >= wanted, ready == pods.count else { return .waiting("\(ready)/\(wanted) pods of \(namespace)/\(name) ready") }
            return .succeeded(["ready": "\(ready)/\(wanted)"])
        }
    }
}

/// `kubernetes.apply {manifest}`: server-side apply (field manager `opsagent-workflow`), so
/// applying again is a no-op. The manifest's namespace defaults to the run's.
struct ApplyManifest: StepAction {
    static let id = "kubernetes.apply"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            guard var manifest = context.step.parameters?["manifest"], let apiVersion = manifest["apiVersion"].stringValue,
                  let kind = manifest["kind"].stringValue, let name = manifest["metadata"]["name"].stringValue else {
                throw ActionError("parameters.manifest needs apiVersion, kind and metadata.name")
            }
            let resource = try Self.resource(apiVersion: apiVersion, kind: kind)
            if manifest["metadata"]["namespace"].isNull { manifest["metadata"]["namespace"] = .string(context.namespace) }
            manifest["metadata"]["annotations"][OpsWorkflowRun.idempotencyAnnotation] = .string(context.idempotencyKey)
            _ = try await context.api.patch(resource, name: name, namespace: manifest["metadata"]["namespace"].stringValue,
                                            type: .apply(force: true), body: manifest, subresource: nil,
                                            options: WriteOptions(fieldManager: "opsagent-workflow"))
            return .succeeded(["kind": kind, "name": name])
        }
    }

    /// The resource of a kind, by the usual plural (lowercase + s, -y → -ies).
    static func resource(apiVersion: String, kind: String) throws(ActionError) -> GroupVersionResource {
        let parts = apiVersion.split(separator: "/").map(String.init)
        guard parts.count == 1 || parts.count == 2 else { throw ActionError("\"\(apiVersion)\" is not an apiVersion") }
        let lower = kind.lowercased()
        let plural = lower.hasSuffix("y") ? String(lower.dropLast()) + "ies" : (lower.hasSuffix("s") ? lower + "es" : lower + "s")
        return GroupVersionResource(group: parts.count == 2 ? parts[0] : "", version: parts.last!, resource: plural)
    }
}

/// `kubernetes.patch {apiVersion, kind, name, patch}`: a merge patch; applying the same
/// patch again is a no-op.
struct PatchObject: StepAction {
    static let id = "kubernetes.patch"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("object")
            guard let apiVersion = context.string("apiVersion"), let kind = context.string("kind"),
                  let patch = context.step.parameters?["patch"] else { throw ActionError("parameters.apiVersion, kind and patch are required") }
            let resource = try ApplyManifest.resource(apiVersion: apiVersion, kind: kind)
            let written = try await context.api.patch(resource, name: name, namespace: context.targetNamespace, type: .merge, body: patch)
            return .succeeded(["resourceVersion": written["metadata"]["resourceVersion"].stringValue ?? ""])
        }
    }
}
