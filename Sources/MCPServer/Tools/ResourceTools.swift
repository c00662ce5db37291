import KubeClient

/// Generic tools over any resource type the cluster serves: `resources_list`,
/// `resources_get`, `resources_apply` (server-side apply) and `resources_delete`.
struct ResourceTools: MCPToolGroup {
    /// The field manager of `resources_apply`.
    static let fieldManager = "opsagent-mcp"

    var tools: [MCPTool] { [list, get, apply, delete] }

    static let kind = InputSchema.string(
        "Resource type: a plural (deployments), kind (Deployment) or short name (deploy), optionally with its group (deployments.apps).")

    var list: MCPTool {
        MCPTool(
            name: "resources_list",
            description: "List objects of any resource type, in a namespace or cluster-wide, filtered by label selector. "
                + "Returns name, namespace, creation time and labels of each; paged (limit, continue).",
            inputSchema: InputSchema.object([
                "kind": Self.kind, "namespace": InputSchema.namespaceOrAll, "labelSelector": InputSchema.labelSelector,
                "fieldSelector": InputSchema.string("Field selector, e.g. 'status.phase=Running'."),
                "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ], required: ["kind"])
        ) { call in
            let resource = try await call.cluster.resolve(try call.arguments.requiredString("kind"))
            let list = try await call.listPage(resource, namespace: try call.namespaceOrAll(),
                                               fieldSelector: try call.arguments.string("fieldSelector"))
            let items: [JSONValue] = list.items.map { item in
                ["name": item["metadata"]["name"], "namespace": item["metadata"]["namespace"],
                 "created": item["metadata"]["creationTimestamp"], "labels": item["metadata"]["labels"]]
            }
            var structured = TextTable.page("items", items, list)
            structured["kind"] = .string(resource.kind)
            structured["apiVersion"] = .string(resource.apiVersion)
            let rows = items.map { [$0["namespace"].stringValue ?? "", $0["name"].stringValue ?? "", $0["created"].stringValue ?? ""] }
            return ToolOutput(structured: structured,
                              text: "\(resource.plural).\(resource.group.isEmpty ? "core" : resource.group):\n"
                                + TextTable.render(["NAMESPACE", "NAME", "CREATED"], rows) + TextTable.footer(list))
        }
    }

    var get: MCPTool {
        MCPTool(
            name: "resources_get",
            description: "Get one object of any resource type as JSON. Secret values are hidden; other secrets found in it are redacted.",
            inputSchema: InputSchema.object(["kind": Self.kind, "name": InputSchema.name, "namespace": InputSchema.namespace],
                                            required: ["kind", "name"])
        ) { call in
            let resource = try await call.cluster.resolve(try call.arguments.requiredString("kind"))
            let object = try await call.cluster.get(resource, name: try call.arguments.requiredString("name"),
                                                    namespace: try call.namespace())
            return ToolOutput(structured: ["object": object], text: object.serialized(pretty: true))
        }
    }

    var apply: MCPTool {
        MCPTool(
            name: "resources_apply",
            description: "Create or update an object with server-side apply (field manager 'opsagent-mcp'). Pass the manifest "
                + "as JSON ('object') or YAML ('manifest'), with apiVersion, kind and metadata.name. Needs --allow-write.",
            inputSchema: InputSchema.object([
                "object": InputSchema.anyObject("The manifest as a JSON object."),
                "manifest": InputSchema.string("The manifest as YAML (one document), instead of 'object'."),
                "namespace": InputSchema.string("Namespace for a namespaced object without metadata.namespace."),
                "force": InputSchema.boolean("Take ownership of fields other managers own (default false)."),
            ]),
            access: .write
        ) { call in
            var object = try Self.manifest(call)
            guard let apiVersion = object["apiVersion"].stringValue, let kind = object["kind"].stringValue else {
                throw ToolError.invalidArgument(name: "object", problem: "needs apiVersion and kind")
            }
            guard let name = object["metadata"]["name"].stringValue, !name.isEmpty else {
                throw ToolError.invalidArgument(name: "object.metadata.name", problem: "required")
            }
            let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            let resource = try await call.cluster.resolve(group.isEmpty ? kind : "\(kind).\(group)", argument: "object.kind")
            var namespace: String? = nil
            if resource.namespaced {
                namespace = try object["metadata"]["namespace"].stringValue ?? call.namespace()
                object["metadata"]["namespace"] = .string(namespace!)
            }
            let applied = try await call.cluster.patch(resource, name: name, namespace: namespace, type: .apply(force: try call.arguments.bool("force") ?? false),
                                                       body: object, fieldManager: Self.fieldManager)
            let generation = applied["metadata"]["generation"].intValue.map { " (generation \($0))" } ?? ""
            return ToolOutput(structured: ["object": applied],
                              text: "\(resource.singular).\(resource.group.isEmpty ? "core" : resource.group)/\(name) applied\(generation)")
        }
    }

    /// The manifest of `resources_apply`, from `object` or YAML `manifest`.
    static func manifest(_ call: ToolCall) throws(ToolError) -> JSONValue {
        if let object = try call.arguments.object("object") { return object }
        guard let text = try call.arguments.string("manifest"), !text.isEmpty else {
            throw .invalidArgument(name: "object", problem: "pass the manifest as 'object' (JSON) or 'manifest' (YAML)")
        }
        do {
            let parsed = try YAML.decode(text)
            guard parsed.objectValue != nil else { throw ToolError.invalidArgument(name: "manifest", problem: "not a YAML mapping") }
            return parsed
        } catch let error as ToolError {
            throw error
        } catch {
            throw .invalidArgument(name: "manifest", problem: "not valid YAML: \(error)")
        }
    }

    var delete: MCPTool {
        MCPTool(
            name: "resources_delete",
            description: "Delete one object of any resource type (dependents are garbage-collected). Needs --allow-destructive.",
            inputSchema: InputSchema.object(["kind": Self.kind, "name": InputSchema.name, "namespace": InputSchema.namespace],
                                            required: ["kind", "name"]),
            access: .destructive
        ) { call in
            let resource = try await call.cluster.resolve(try call.arguments.requiredString("kind"))
            let name = try call.arguments.requiredString("name")
            let namespace = resource.namespaced ? try call.namespace() : nil
            let result = try await call.cluster.delete(resource, name: name, namespace: namespace)
            let pending: Bool = if case .pending = result { true } else { false }
            return ToolOutput(structured: ["name": .string(name), "namespace": namespace.map(JSONValue.string) ?? .null,
                                           "kind": .string(resource.kind), "finalizing": .bool(pending)],
                              text: "\(resource.singular)/\(name) \(pending ? "marked for deletion (finalizers pending)" : "deleted")")
        }
    }
}
