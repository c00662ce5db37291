import KubeClient

/// The cluster around the workloads: `events_list`, `namespaces_list`, `nodes_list` and
/// `nodes_top` (metrics.k8s.io).
struct ClusterTools: MCPToolGroup {
    var tools: [MCPTool] { [events, namespaces, nodes, nodesTop] }


    var events: MCPTool {
        MCPTool(
            name: "events_list",
            description: "List Events (newest last), in a namespace or all, optionally only those about one object "
                + "(involvedKind and involvedName) or only warnings. Paged (limit, continue).",
            inputSchema: InputSchema.object([
                "namespace": InputSchema.namespaceOrAll,
                "involvedKind": InputSchema.string("Only Events about objects of this kind, e.g. Pod."),
                "involvedName": InputSchema.string("Only Events about the object with this name."),
                "type": InputSchema.string("Only Events of this type.", oneOf: ["Normal", "Warning"]),
                "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ])
        ) { call in
            var fields: [String] = []
            if let kind = try call.arguments.string("involvedKind"), !kind.isEmpty { fields.append("involvedObject.kind=\(kind)") }
            if let name = try call.arguments.string("involvedName"), !name.isEmpty { fields.append("involvedObject.name=\(name)") }
            if let type = try call.arguments.string("type"), !type.isEmpty {
                guard ["Normal", "Warning"].contains(type) else {
                    throw ToolError.invalidArgument(name: "type", problem: "must be Normal or Warning, got '\(type)'")
                }
                fields.append("type=\(type)")
            }
            let list = try await call.listPage(.events, namespace: try call.namespaceOrAll(),
                                               fieldSelector: fields.isEmpty ? nil : fields.joined(separator: ","))
            let items: [JSONValue] = list.items.map { e in
                ["namespace": e["metadata"]["namespace"], "type": e["type"], "reason": e["reason"], "message": e["message"],
                 "object": .string("\(e["involvedObject"]["kind"].stringValue ?? "")/\(e["involvedObject"]["name"].stringValue ?? "")"),
                 "count": e["count"], "lastSeen": e["lastTimestamp"].isNull ? e["eventTime"] : e["lastTimestamp"]]
            }
            return .table("events", items, list, columns: ["LAST SEEN": "lastSeen", "TYPE": "type", "REASON": "reason",
                                                           "OBJECT": "object", "MESSAGE": "message"])
        }
    }

    var namespaces: MCPTool {
        MCPTool(
            name: "namespaces_list",
            description: "List namespaces with their phase. Paged (limit, continue).",
            inputSchema: InputSchema.object(["labelSelector": InputSchema.labelSelector, "limit": InputSchema.limit,
                                             "continue": InputSchema.continueToken])
        ) { call in
            let list = try await call.listPage(.namespaces, namespace: nil)
            let items: [JSONValue] = list.items.map {
                ["name": $0["metadata"]["name"], "phase": $0["status"]["phase"], "created": $0["metadata"]["creationTimestamp"]]
            }
            return .table("namespaces", items, list, columns: ["NAME": "name", "STATUS": "phase", "CREATED": "created"])
        }
    }

    var nodes: MCPTool {
        MCPTool(
            name: "nodes_list",
            description: "List nodes with readiness, roles, kubelet version and allocatable CPU and memory. Paged (limit, continue).",
            inputSchema: InputSchema.object(["labelSelector": InputSchema.labelSelector, "limit": InputSchema.limit,
                                             "continue": InputSchema.continueToken])
        ) { call in
            let list = try await call.listPage(.nodes, namespace: nil)
            let items: [JSONValue] = list.items.map { node in
                let ready = (node["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }
                let roles = (node["metadata"]["labels"].objectValue ?? [:]).keys
                    .filter { $0.hasPrefix("node-role.kubernetes.io/") }.map { String($0.dropFirst(24)) }.sorted()
                return ["name": node["metadata"]["name"], "ready": .bool(ready?["status"].stringValue == "True"),
                        "status": .string(ready?["status"].stringValue == "True" ? "Ready" : "NotReady"),
                        "roles": .string(roles.joined(separator: ",")), "kubeletVersion": node["status"]["nodeInfo"]["kubeletVersion"],
                        "cpu": node["status"]["allocatable"]["cpu"], "memory": node["status"]["allocatable"]["memory"],
                        "unschedulable": .bool(node["spec"]["unschedulable"].boolValue ?? false)]
            }
            return .table("nodes", items, list, columns: ["NAME": "name", "STATUS": "status", "ROLES": "roles",
                                                          "VERSION": "kubeletVersion", "CPU": "cpu", "MEMORY": "memory"])
        }
    }

    var nodesTop: MCPTool {
        MCPTool(
            name: "nodes_top",
            description: "CPU and memory use of nodes (metrics.k8s.io), like 'kubectl top nodes'.",
            inputSchema: InputSchema.object(["limit": InputSchema.limit, "continue": InputSchema.continueToken])
        ) { call in
            let list = try await call.listPage(.nodeMetrics, namespace: nil)
            let rows = list.items.map { Usage.row($0, usages: [$0["usage"]]) }
            return ToolOutput(structured: TextTable.page("nodes", rows, list), text: Usage.text(rows, namespaced: false) + TextTable.footer(list))
        }
    }
}
