import Foundation
import KubeClient

/// The seed's `create_deployment`, and `deployment_scale` and `deployment_restart`.
struct DeploymentTools: MCPToolGroup {
    var tools: [MCPTool] { [createDeployment, scale, restart] }

    static func summary(_ deployment: JSONValue) -> JSONValue {
        let status = deployment["status"]
        return ["name": deployment["metadata"]["name"], "namespace": deployment["metadata"]["namespace"],
                "replicas": deployment["spec"]["replicas"], "readyReplicas": .int(Int64(status["readyReplicas"].intValue ?? 0)),
                "updatedReplicas": .int(Int64(status["updatedReplicas"].intValue ?? 0)),
                "availableReplicas": .int(Int64(status["availableReplicas"].intValue ?? 0)),
                "generation": deployment["metadata"]["generation"]]
    }

    /// The Deployment `create_deployment` makes: one container, labelled `app: NAME`.
    static func deployment(call: ToolCall, namespace: String) throws(ToolError) -> JSONValue {
        let name = try call.arguments.requiredString("name")
        guard name.count <= 63, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }),
              name.first?.isLetter == true || name.first?.isNumber == true, name.last != "-" else {
            throw .invalidArgument(name: "name", problem: "must be a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters")
        }
        var container: JSONValue = ["name": .string(name), "image": .string(try call.arguments.requiredString("image"))]
        var ports: [JSONValue] = []
        for (index, port) in (try call.arguments.array("ports") ?? []).enumerated() {
            guard let number = port.intValue, (1...65_535).contains(number) else {
                throw .invalidArgument(name: "ports[\(index)]", problem: "expected a port number between 1 and 65535")
            }
            ports.append(["containerPort": .int(Int64(number))])
        }
        if !ports.isEmpty { container["ports"] = .array(ports) }
        if let env = try call.arguments.object("env"), let fields = env.objectValue, !fields.isEmpty {
            var list: [JSONValue] = []
            for key in fields.keys.sorted() {
                guard let value = fields[key]?.stringValue else {
                    throw .invalidArgument(name: "env.\(key)", problem: "expected a string value")
                }
                list.append(["name": .string(key), "value": .string(value)])
            }
            container["env"] = .array(list)
        }
        let labels: JSONValue = ["app": .string(name)]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": [
                "replicas": .int(Int64(try call.arguments.int("replicas", range: 0...1000) ?? 1)),
                "selector": ["matchLabels": labels],
                "template": ["metadata": ["labels": labels], "spec": ["containers": [container]]],
            ],
        ]
    }

    var createDeployment: MCPTool {
        MCPTool(
            name: "create_deployment",
            description: "Create a Deployment running one container image, labelled app=<name>. Needs --allow-write.",
            inputSchema: InputSchema.object([
                "name": InputSchema.string("Name of the Deployment (a DNS-1123 label)."),
                "image": InputSchema.string("Container image, e.g. nginx:1.27."),
                "replicas": InputSchema.integer("Number of pods (default 1).", minimum: 0, maximum: 1000),
                "namespace": InputSchema.namespace,
                "ports": ["type": "array", "items": ["type": "integer", "minimum": 1, "maximum": 65535],
                          "description": "Container ports to expose."],
                "env": ["type": "object", "additionalProperties": ["type": "string"],
                        "description": "Environment variables, name to value."],
            ], required: ["name", "image"]),
            access: .write, idempotent: false
        ) { call in
            let namespace = try call.namespace()
            let created = try await call.cluster.create(.deployments, try Self.deployment(call: call, namespace: namespace),
                                                        namespace: namespace)
            let summary = Self.summary(created)
            return ToolOutput(structured: ["deployment": summary],
                              text: "deployment.apps/\(summary["name"].stringValue ?? "") created in namespace \(namespace) "
                                + "with \(summary["replicas"].intValue ?? 0) replicas")
        }
    }

    var scale: MCPTool {
        MCPTool(
            name: "deployment_scale",
            description: "Set the number of replicas of a Deployment (through its scale subresource). Needs --allow-write.",
            inputSchema: InputSchema.object([
                "name": InputSchema.name, "namespace": InputSchema.namespace,
                "replicas": InputSchema.integer("The new number of replicas.", minimum: 0, maximum: 1000),
            ], required: ["name", "replicas"]),
            access: .write
        ) { call in
            let name = try call.arguments.requiredString("name")
            guard let replicas = try call.arguments.int("replicas", range: 0...1000) else {
                throw ToolError.invalidArgument(name: "replicas", problem: "required, an integer between 0 and 1000")
            }
            let namespace = try call.namespace()
            _ = try await call.cluster.patch(.deployments, name: name, namespace: namespace, type: .merge,
                                             body: ["spec": ["replicas": .int(Int64(replicas))]], subresource: "scale")
            return ToolOutput(structured: ["name": .string(name), "namespace": .string(namespace), "replicas": .int(Int64(replicas))],
                              text: "deployment.apps/\(name) scaled to \(replicas) replicas")
        }
    }

    var restart: MCPTool {
        MCPTool(
            name: "deployment_restart",
            description: "Restart a Deployment's pods with a rolling update, as 'kubectl rollout restart' does. Needs --allow-write.",
            inputSchema: InputSchema.object(["name": InputSchema.name, "namespace": InputSchema.namespace], required: ["name"]),
            access: .write, idempotent: false
        ) { call in
            let name = try call.arguments.requiredString("name")
            let namespace = try call.namespace()
            let stamp = KubeTimestamp.format(Date())
            let patch: JSONValue = ["spec": ["template": ["metadata": ["annotations": [
                "kubectl.kubernetes.io/restartedAt": .string(stamp)]]]]]
            let updated = try await call.cluster.patch(.deployments, name: name, namespace: namespace, type: .strategic, body: patch)
            return ToolOutput(structured: ["deployment": Self.summary(updated), "restartedAt": .string(stamp)],
                              text: "deployment.apps/\(name) restarted at \(stamp)")
        }
    }
}
