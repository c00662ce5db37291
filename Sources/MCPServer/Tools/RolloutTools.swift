import KubeClient
import OpsAPI

/// BlueGreenDeployment rollouts: `rollouts_list`, `rollout_get` (status and analysis), and
/// `rollout_promote`, `rollout_abort`, `rollout_undo`, which ask the controller exactly as
/// `opsagent promote|abort|undo` do (an ``OperationRequest`` annotation token).
struct RolloutTools: MCPToolGroup {
    static let rollouts = ResourceRef(BlueGreenDeployment.groupVersionResource, kind: BlueGreenDeployment.kind)

    var tools: [MCPTool] {
        [list, get,
         operation(.promote, name: "rollout_promote",
                   description: "Switch traffic to the preview color now, skipping any remaining wait or pre-promotion analysis."),
         operation(.abort, name: "rollout_abort",
                   description: "Stop the rollout in progress: traffic stays on (or returns to) the stable color and the preview scales down."),
         operation(.undo, name: "rollout_undo",
                   description: "Set the template back to the previous revision; while that color still runs, traffic switches back without re-analysis.")]
    }

    /// What a platform team reads about a rollout.
    static func summary(_ object: JSONValue) -> JSONValue {
        let status = object["status"]
        let ready = (status["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }
        return ["name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"],
                "phase": status["phase"], "activeColor": status["activeColor"], "ready": status["readyText"],
                "activeRevision": status["activeRevision"], "previewRevision": status["previewRevision"],
                "stableRevision": status["stableRevision"], "message": status["message"],
                "readyCondition": ready.map { ["status": $0["status"], "reason": $0["reason"], "message": $0["message"]] } ?? .null]
    }

    var list: MCPTool {
        MCPTool(
            name: "rollouts_list",
            description: "List BlueGreenDeployment rollouts with phase, active color, readiness and revisions. Paged (limit, continue).",
            inputSchema: InputSchema.object(["namespace": InputSchema.namespaceOrAll, "limit": InputSchema.limit,
                                             "continue": InputSchema.continueToken])
        ) { call in
            let list = try await call.listPage(Self.rollouts, namespace: try call.namespaceOrAll())
            return .table("rollouts", list.items.map(Self.summary), list, columns: [
                "NAMESPACE": "namespace", "NAME": "name", "PHASE": "phase", "ACTIVE": "activeColor", "READY": "ready", "MESSAGE": "message"])
        }
    }

    var get: MCPTool {
        MCPTool(
            name: "rollout_get",
            description: "Get one rollout's status: phase, colors, revisions, conditions, history and the analysis "
                + "(checks with their measurements, and the analyzer's verdict).",
            inputSchema: InputSchema.object(["name": InputSchema.name, "namespace": InputSchema.namespace], required: ["name"])
        ) { call in
            let object = try await call.cluster.get(Self.rollouts, name: try call.arguments.requiredString("name"),
                                                    namespace: try call.namespace())
            let summary = Self.summary(object)
            let structured: JSONValue = ["summary": summary, "analysis": object["status"]["analysis"],
                                         "conditions": object["status"]["conditions"], "history": object["status"]["history"]]
            let analysis = object["status"]["analysis"]
            var text = "bluegreendeployment \(summary["namespace"].stringValue ?? "")/\(summary["name"].stringValue ?? ""): "
                + "phase \(summary["phase"].stringValue ?? "unknown"), active \(summary["activeColor"].stringValue ?? "-"), "
                + "ready \(summary["ready"].stringValue ?? "-")"
            if let message = summary["message"].stringValue { text += "\n\(message)" }
            if !analysis.isNull {
                text += "\nanalysis (\(analysis["stage"].stringValue ?? "")): \(analysis["phase"].stringValue ?? "")"
                for check in analysis["checks"].arrayValue ?? [] {
                    text += "\n  - \(check["name"].stringValue ?? ""): \(check["phase"].stringValue ?? "") \(check["message"].stringValue ?? "")"
                }
                if let verdict = analysis["analyzer"]["summary"].stringValue { text += "\n  analyzer: \(verdict)" }
            }
            return ToolOutput(structured: structured, text: text)
        }
    }

    func operation(_ operation: BlueGreenOperation, name: String, description: String) -> MCPTool {
        MCPTool(
            name: name,
            description: description + " The controller acts once per request; read rollout_get to follow it. Needs --allow-write.",
            inputSchema: InputSchema.object(["name": InputSchema.string("Name of the BlueGreenDeployment."),
                                             "namespace": InputSchema.namespace], required: ["name"]),
            access: .write, idempotent: false
        ) { call in
            let target = try call.arguments.requiredString("name")
            let namespace = try call.namespace()
            let request = OperationRequest(annotation: operation.annotation)
            _ = try await call.cluster.patch(Self.rollouts, name: target, namespace: namespace, type: .merge, body: request.patch)
            return ToolOutput(structured: ["name": .string(target), "namespace": .string(namespace),
                                           "operation": .string(operation.rawValue), "token": .string(request.token)],
                              text: "bluegreendeployment.opsagent.dev/\(target) \(operation.rawValue) requested "
                                + "(\(operation.annotation)=\(request.token)); follow it with rollout_get")
        }
    }
}
