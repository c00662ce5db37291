import Analysis
import KubeClient

/// The seed's pod tools: `list_pods`, `get_pod`, `get_pod_logs`, and `pods_top` (metrics.k8s.io).
struct PodTools: MCPToolGroup {
    var tools: [MCPTool] { [listPods, getPod, getPodLogs, podsTop] }

    /// One pod as a list shows it (what `kubectl get pods -o wide` shows).
    static func summary(_ pod: JSONValue) -> JSONValue {
        let fact = PodFact(pod: pod)
        let status: String = {
            if pod["metadata"]["deletionTimestamp"].stringValue != nil { return "Terminating" }
            for container in fact.containers {
                if case .waiting(let reason, _) = container.state { return reason }
                if case .terminated(let end) = container.state, fact.phase != .succeeded { return end.reason }
            }
            return fact.phase.rawValue
        }()
        return [
            "name": .string(fact.name),
            "namespace": pod["metadata"]["namespace"],
            "status": .string(status),
            "ready": .string("\(fact.containers.filter(\.ready).count)/\(fact.containers.count)"),
            "restarts": .int(Int64(fact.restarts)),
            "node": pod["spec"]["nodeName"],
            "podIP": pod["status"]["podIP"],
            "created": pod["metadata"]["creationTimestamp"],
        ]
    }

    var listPods: MCPTool {
        MCPTool(
            name: "list_pods",
            description: "List pods in a namespace (or all namespaces) with their status, readiness, restarts and node. "
                + "Filter with a label selector; results are paged (limit, continue).",
            inputSchema: InputSchema.object([
                "namespace": InputSchema.namespaceOrAll, "labelSelector": InputSchema.labelSelector,
                "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ])
        ) { call in
            let list = try await call.listPage(.pods, namespace: try call.namespaceOrAll())
            return .table("pods", list.items.map(Self.summary), list, columns: [
                "NAMESPACE": "namespace", "NAME": "name", "READY": "ready", "STATUS": "status", "RESTARTS": "restarts", "NODE": "node"])
        }
    }

    var getPod: MCPTool {
        MCPTool(
            name: "get_pod",
            description: "Get one pod: its full object (spec and status) and a summary. Values of Secrets are never shown.",
            inputSchema: InputSchema.object(["name": InputSchema.name, "namespace": InputSchema.namespace], required: ["name"])
        ) { call in
            let pod = try await call.cluster.get(.pods, name: try call.arguments.requiredString("name"), namespace: try call.namespace())
            let summary = Self.summary(pod)
            return ToolOutput(structured: ["summary": summary, "pod": pod],
                              text: "pod \(summary["namespace"].stringValue ?? "")/\(summary["name"].stringValue ?? ""): "
                                + "\(summary["status"].stringValue ?? ""), ready \(summary["ready"].stringValue ?? ""), "
                                + "\(summary["restarts"].intValue ?? 0) restarts, node \(summary["node"].stringValue ?? "-")\n\n"
                                + pod.serialized(pretty: true))
        }
    }

    var getPodLogs: MCPTool {
        MCPTool(
            name: "get_pod_logs",
            description: "Read a container's log (secrets in it are redacted). Choose the container in a multi-container pod, "
                + "the last N lines, the last N seconds, or the previous (crashed) instance.",
            inputSchema: InputSchema.object([
                "name": InputSchema.string("Name of the pod."), "namespace": InputSchema.namespace,
                "container": InputSchema.string("Container name; required when the pod has several."),
                "tailLines": InputSchema.integer("Only the last N lines (default 200).", minimum: 1, maximum: 10_000),
                "sinceSeconds": InputSchema.integer("Only lines from the last N seconds.", minimum: 1),
                "previous": InputSchema.boolean("The log of the previous, terminated instance of the container."),
            ], required: ["name"])
        ) { call in
            let name = try call.arguments.requiredString("name")
            let namespace = try call.namespace()
            let options = LogOptions(container: try call.arguments.string("container"),
                                     tailLines: try call.arguments.int("tailLines", range: 1...10_000) ?? 200,
                                     sinceSeconds: try call.arguments.int("sinceSeconds", range: 1...(365 * 86_400)),
                                     previous: try call.arguments.bool("previous") ?? false, limitBytes: 1 << 20)
            let text = try await call.cluster.logs(pod: name, namespace: namespace, options: options)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let trimmed = lines.last == "" ? Array(lines.dropLast()) : lines
            return ToolOutput(structured: ["pod": .string(name), "namespace": .string(namespace),
                                           "container": options.container.map(JSONValue.string) ?? .null,
                                           "lines": .array(trimmed.map(JSONValue.string))],
                              text: trimmed.isEmpty ? "(no log lines)" : trimmed.joined(separator: "\n"))
        }
    }

    var podsTop: MCPTool {
        MCPTool(
            name: "pods_top",
            description: "CPU and memory use of pods (metrics.k8s.io), like 'kubectl top pods'.",
            inputSchema: InputSchema.object([
                "namespace": InputSchema.namespaceOrAll, "labelSelector": InputSchema.labelSelector,
                "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ])
        ) { call in
            let list = try await call.listPage(.podMetrics, namespace: try call.namespaceOrAll())
            let rows: [JSONValue] = list.items.map { item in
                Usage.row(item, usages: (item["containers"].arrayValue ?? []).map { $0["usage"] })
            }
            return ToolOutput(structured: TextTable.page("pods", rows, list),
                              text: Usage.text(rows, namespaced: true) + TextTable.footer(list))
        }
    }
}
