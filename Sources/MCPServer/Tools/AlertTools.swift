import KubeClient
import OpsAPI

/// AlertRules: `alerts_list`, firing ones first.
struct AlertTools: MCPToolGroup {
    static let alertRules = ResourceRef(AlertRule.groupVersionResource, kind: AlertRule.kind)
    /// Order of states in the list: what needs attention first.
    static let stateOrder = ["Firing": 0, "Pending": 1, "Resolved": 2, "Inactive": 3]
    static let severityOrder = ["critical": 0, "high": 1, "warning": 2, "medium": 2, "info": 3, "low": 3]

    var tools: [MCPTool] { [list] }

    static func summary(_ rule: JSONValue) -> JSONValue {
        let status = rule["status"]
        return ["name": rule["metadata"]["name"], "namespace": rule["metadata"]["namespace"],
                "state": .string(status["state"].stringValue ?? "Inactive"), "severity": status["severity"].isNull ? rule["spec"]["severity"] : status["severity"],
                "value": status["value"], "firingSince": status["firingSince"], "firingSeriesCount": status["firingSeriesCount"],
                "message": status["message"], "analysis": status["analysis"]["summary"]]
    }

    /// Firing first, then Pending, Resolved, Inactive; within a state, by severity then name.
    static func attentionOrder(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func key(_ r: JSONValue) -> (Int, Int, String) {
            (stateOrder[r["state"].stringValue ?? ""] ?? 4, severityOrder[(r["severity"].stringValue ?? "").lowercased()] ?? 4,
             "\(r["namespace"].stringValue ?? "")/\(r["name"].stringValue ?? "")")
        }
        return key(a) < key(b)
    }

    var list: MCPTool {
        MCPTool(
            name: "alerts_list",
            description: "List AlertRules and their state, firing ones first (then pending, resolved, inactive), with severity, "
                + "current value and the root-cause summary when analysed. Filter by state. Paged (limit, continue) over rules.",
            inputSchema: InputSchema.object([
                "namespace": InputSchema.namespaceOrAll,
                "state": InputSchema.string("Only rules in this state.", oneOf: ["Firing", "Pending", "Resolved", "Inactive"]),
                "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ])
        ) { call in
            let state = try call.arguments.string("state").flatMap { $0.isEmpty ? nil : $0 }
            if let state, Self.stateOrder[state] == nil {
                throw ToolError.invalidArgument(name: "state", problem: "must be Firing, Pending, Resolved or Inactive, got '\(state)'")
            }
            let list = try await call.listPage(Self.alertRules, namespace: try call.namespaceOrAll(), defaultLimit: 200)
            let items = list.items.map(Self.summary).filter { state == nil || $0["state"].stringValue == state }
                .sorted(by: Self.attentionOrder)
            return .table("alerts", items, list, columns: ["STATE": "state", "SEVERITY": "severity", "NAMESPACE": "namespace",
                                                           "NAME": "name", "VALUE": "value", "SINCE": "firingSince"])
        }
    }
}
