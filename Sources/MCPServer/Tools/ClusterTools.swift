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
            let (limit, token) = try call.arguments.page()
            let list = try await call.cluster.list(.events, namespace: try call.namespaceOrAll(), options: ListOptions(
                fieldSelector: fields.isEmpty ? nil : fields.joined(separator: ","), limit: limit, continueToken: token))
            let items: [JSONValue] = list.items.map { e in
                ["namespace": e["metadata"]["namespace"], "type": e["type"], "reason": e["reason"], "message": e["message"],
                 "object": .string("\(e["involvedObject"]["kind"].stringValue ?? "")/\(e["involvedObject"]["name"].stringValue ?? "")"),
                 "count": e["count"], "lastSeen": e["lastTimestamp"].isNull ? e["eventTime"] : e["lastTimestamp"]]
            }
            let rows = items.map { [$0["lastSeen"].stringValue ?? "", $0["type"].stringValue ?? "", $0["reason"].stringValue ?? "",
                                    $0["object"].stringValue ?? "", $0["message"].stringValue ?? ""] }
            return ToolOutput(structured: TextTable.page("events", items, list),
                              text: TextTable.render(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], rows) + TextTable.footer(list))
        }
    }

    var namespaces: MCPTool {
        MCPTool(
            name: "namespaces_list",
            description: "List namespaces with their phase. Paged (limit, continue).",
            inputSchema: InputSchema.object(["labelSelector": InputSchema.labelSelector, "limit": InputSchema.limit,
                                             "continue": InputSchema.continueToken])
        ) { call in
            let (limit, token) = try call.arguments.page()
            let list = try await call.cluster.list(.namespaces, namespace: nil, options: ListOptions(
                labelSelector: try call.arguments.labelSelector(), limit: limit, continueToken: token))
            let items: [JSONValue] = list.items.map {
                ["name": $0["metadata"]["name"], "phase": $0["status"]["phase"], "created": $0["metadata"]["creationTimestamp"]]
            }
            return ToolOutput(structured: TextTable.page("namespaces", items, list),
                              text: TextTable.render(["NAME", "STATUS", "CREATED"], items.map {
                                  [$0["name"].stringValue ?? "", $0["phase"].stringValue ?? "", $0["created"].stringValue ?? ""]
                              }) + TextTable.footer(list))
        }
    }

    var nodes: MCPTool {
        MCPTool(
            name: "nodes_list",
            description: "List nodes with readiness, roles, kubelet version and allocatable CPU and memory. Paged (limit, continue).",
            inputSchema: InputSchema.object(["labelSelector": InputSchema.labelSelector, "limit": InputSchema.limit,
                                             "continue": InputSchema.continueToken])
        ) { call in
            let (limit, token) = try call.arguments.page()
            let list = try await call.cluster.list(.nodes, namespace: nil, options: ListOptions(
                labelSelector: try call.arguments.labelSelector(), limit: limit, continueToken: token))
            let items: [JSONValue] = list.items.map { node in
                let ready = (node["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }
                let roles = (node["metadata"]["labels"].objectValue ?? [:]).keys
                    .filter { $0.hasPrefix("node-role.kubernetes.io/") }.map { String($0.dropFirst(24)) }.sorted()
                return ["name": node["metadata"]["name"], "ready": .bool(ready?["status"].stringValue == "True"),
                        "roles": .array(roles.map(JSONValue.string)), "kubeletVersion": node["status"]["nodeInfo"]["kubeletVersion"],
                        "allocatable": node["status"]["allocatable"], "unschedulable": .bool(node["spec"]["unschedulable"].boolValue ?? false)]
            }
            return ToolOutput(structured: TextTable.page("nodes", items, list),
                              text: TextTable.render(["NAME", "READY", "ROLES", "VERSION", "CPU", "MEMORY"], items.map { n in
                                  [n["name"].stringValue ?? "", n["ready"].boolValue == true ? "Ready" : "NotReady",
                                   (n["roles"].arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","),
                                   n["kubeletVersion"].stringValue ?? "", n["allocatable"]["cpu"].stringValue ?? "",
                                   n["allocatable"]["memory"].stringValue ?? ""]
                              }) + TextTable.footer(list))
        }
    }

    var nodesTop: MCPTool {
        MCPTool(
            name: "nodes_top",
            description: "CPU and memory use of nodes (metrics.k8s.io), like 'kubectl top nodes'.",
            inputSchema: InputSchema.object(["limit": InputSchema.limit, "continue": InputSchema.continueToken])
        ) { call in
            let (limit, token) = try call.arguments.page()
            let list = try await call.cluster.list(.nodeMetrics, namespace: nil, options: ListOptions(limit: limit, continueToken: token))
            let rows = list.items.map { Usage.row($0, usages: [$0["usage"]]) }
            return ToolOutput(structured: TextTable.page("nodes", rows, list), text: Usage.text(rows, namespaced: false) + TextTable.footer(list))
        }
    }
}
