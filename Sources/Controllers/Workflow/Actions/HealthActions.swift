import KubeClient
import OperatorKit
import OpsAPI

/// `monitoring.check-system-health {threshold}`: the ready ratio of the pods (the target's,
/// else the namespace's) and of the nodes, from the cache. Healthy when both reach the
/// threshold (default 0.8). Read-only.
struct CheckSystemHealth: StepAction {
    static let id = "monitoring.check-system-health"

    func run(_ context: ActionContext) async -> ActionOutcome {
        let threshold = context.double("threshold") ?? 0.8
        let pods: [JSONValue]
        if let name = context.string("name") {
            pods = WorkloadTargets.pods(of: name, kind: context.string("kind"), namespace: context.targetNamespace, cache: context.cache)
        } else {
            pods = context.cache.list(WorkloadTargets.pods, namespace: context.targetNamespace)
                .filter { $0["status"]["phase"].stringValue != "Succeeded" }
        }
        let nodes = context.cache.list(WorkloadTargets.nodes)
        let readyPods = pods.filter(WorkloadTargets.isReady).count
        let readyNodes = nodes.filter(WorkloadTargets.isNodeReady).count
        let podRatio = pods.isEmpty ? 1 : Double(readyPods) / Double(pods.count)
        let nodeRatio = nodes.isEmpty ? 1 : Double(readyNodes) / Double(nodes.count)
        let ratio = min(podRatio, nodeRatio)
        let outputs = ["healthy": String(ratio >= threshold), "ratio": WorkloadTargets.format(ratio),
                       "ready": "\(readyPods + readyNodes)", "total": "\(pods.count + nodes.count)"]
        let text = "\(readyPods)/\(pods.count) pods and \(readyNodes)/\(nodes.count) nodes ready (ratio \(WorkloadTargets.format(ratio)), threshold \(threshold))"
        return ratio >= threshold ? .succeeded(outputs) : .failed("unhealthy: \(text)", outputs)
    }
}

/// `monitoring.validate-deployment`: the analysis checks against the live revision of a
/// BlueGreenDeployment. It passes when the rollout is Healthy (so serving the revision its
/// spec asks for), every active pod is ready and none restarted more than `maxRestarts` (default 0) times.
/// A rollout that rolled back fails validation: the revision deployed is not live.
struct ValidateDeployment: StepAction {
    static let id = "monitoring.validate-deployment"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let name = try context.targetName("BlueGreenDeployment")
            let namespace = context.targetNamespace
            guard let rollout = context.cache.get(WorkloadTargets.rollouts, ObjectKey(namespace: namespace, name: name)) else {
                return .failed("BlueGreenDeployment \(namespace)/\(name) not found")
            }
            let status = rollout["status"]
            let phase = status["phase"].stringValue ?? "Unknown"
            let live = status["activeRevision"].stringValue ?? ""
            let deployed = context.priorOutputs.values.compactMap { $0["revision"] }.last
            let pods = context.cache.list(WorkloadTargets.pods, namespace: namespace)
                .filter { pod in
                    pod["metadata"]["labels"]["opsagent.dev/color"] == status["activeColor"]
                        && (WorkloadTargets.selector(rollout["spec"]["selector"])?.matches(object: pod)
                            ?? (pod["metadata"]["labels"]["app"].stringValue == name))
                }
            let ready = pods.filter(WorkloadTargets.isReady).count
            let restarts = pods.map(WorkloadTargets.restarts).reduce(0, +)
            let maxRestarts = context.int("maxRestarts") ?? 0
            var outputs = ["revision": live, "ready": "\(ready)/\(pods.count)", "restarts": "\(restarts)", "passed": "false"]
            if phase != BlueGreenPhase.healthy.rawValue {
                return .failed("the rollout is \(phase), not Healthy\(deployed.map { " (deployed revision \($0))" } ?? "")", outputs)
            }
            if pods.isEmpty || ready < pods.count { return .failed("\(ready)/\(pods.count) active pods ready", outputs) }
            if restarts > maxRestarts { return .failed("active pods restarted \(restarts) times (at most \(maxRestarts))", outputs) }
            outputs["passed"] = "true"
            return .succeeded(outputs)
        }
    }
}
