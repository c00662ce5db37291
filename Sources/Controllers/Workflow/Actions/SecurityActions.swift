import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// `security.scan-deployment {scanType}` and `security.check-security-impact`: a one-shot
/// SecurityAudit scoped to the target's namespace (and its pods' labels when a workload is
/// named), owned by the run and named after the step, so running the step again finds the
/// same audit. The step waits for the audit's first run and reports its counts; `passed`
/// says whether nothing reached `failOn` (default critical). It fails only when `failOn` is
/// given explicitly and reached — the seed's workflows read the outcome, they do not stop on it.
struct SecurityScan: StepAction {
    static let id = "security.scan-deployment"
    static let impactID = "security.check-security-impact"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let namespace = context.targetNamespace
            let name = Self.auditName(run: context.runName, step: context.step.name)
            let resource = SecurityAudit.groupVersionResource
            let audit: JSONValue
            do { audit = try await context.api.get(resource, name: name, namespace: namespace) } catch let error as KubeError where error.isNotFound {
                _ = try await context.api.create(resource, try manifest(name: name, namespace: namespace, context), namespace: namespace)
                return .waiting("SecurityAudit \(namespace)/\(name) created; waiting for its report", recheck: .milliseconds(500))
            }
            let status = audit["status"]
            guard status["lastRun"].stringValue != nil, let phase = status["phase"].stringValue, phase == "Completed" || phase == "Failed" else {
                if status["phase"] == "Invalid" { return .failed("SecurityAudit \(namespace)/\(name) is invalid: \(status["message"].stringValue ?? "")") }
                return .waiting("waiting for SecurityAudit \(namespace)/\(name)", recheck: .milliseconds(500))
            }
            let counts = status["counts"]
            let failOn = context.string("failOn")
            let order = ["critical", "high", "medium", "low"]
            let limit = order.firstIndex(of: failOn ?? "critical") ?? 0
            let reached = order.prefix(limit + 1).contains { (counts[$0].intValue ?? 0) > 0 }
            var outputs = ["passed": String(!reached), "riskScore": "\(status["riskScore"].intValue ?? 0)", "audit": name]
            for severity in order { outputs[severity] = "\(counts[severity].intValue ?? 0)" }
            if reached, failOn != nil {
                return .failed("findings at or above \(failOn!): \(order.map { "\(outputs[$0] ?? "0") \($0)" }.joined(separator: ", "))", outputs)
            }
            return .succeeded(outputs)
        }
    }

    private func manifest(name: String, namespace: String, _ context: ActionContext) throws -> JSONValue {
        var scope: JSONValue = ["namespaces": [.string(namespace)], "includeClusterScoped": false]
        if let target = context.string("name") {
            let pods = WorkloadTargets.pods(of: target, kind: context.string("kind"), namespace: namespace, cache: context.cache)
            if let labels = pods.first?["metadata"]["labels"]["app"].stringValue {
                scope["labelSelector"] = ["matchLabels": ["app": .string(labels)]]
            }
        }
        var spec: JSONValue = ["scope": scope, "reportHistoryLimit": 1]
        switch context.string("scanType") {
        case "quick": spec["checks"] = ["include": ["PodSecurity"]]
        case "comprehensive": spec["scope"]["includeClusterScoped"] = true
        default: break
        }
        return ["apiVersion": .string(SecurityAudit.apiVersion), "kind": .string(SecurityAudit.kind),
                "metadata": ["name": .string(name), "namespace": .string(namespace),
                             "labels": [.init(stringLiteral: OpsWorkflowRun.workflowLabel): .string(context.workflow)],
                             "annotations": [.init(stringLiteral: OpsWorkflowRun.idempotencyAnnotation): .string(context.idempotencyKey)],
                             "ownerReferences": namespace == context.namespace
                                ? [["apiVersion": .string(OpsWorkflowRun.apiVersion), "kind": .string(OpsWorkflowRun.kind),
                                    "name": .string(context.runName), "uid": .string(context.runUID)]] : []],
                "spec": spec]
    }

    /// `<run>-<step>`, cut to a valid name.
    static func auditName(run: String, step: String) -> String {
        let full = "\(run)-\(step)"
        guard full.count > 253 else { return full }
        return String(full.prefix(253)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
