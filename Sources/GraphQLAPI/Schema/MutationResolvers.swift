import Controllers
import KubeClient
import OpsAPI

/// Mutations write the custom resources as the caller: the server impersonates them, so
/// the API server's RBAC and the CRD schemas decide, and their refusals come back as the
/// field's error.
extension OpsResolver {
    func createDeployment(context: APIContext, arguments: CreateDeploymentArguments) async throws -> DeploymentNode {
        let input = arguments.input
        guard let name = input.name, !name.isEmpty else { throw APIError.invalidArgument(name: "input.name", problem: "a new deployment needs a name") }
        let namespace = input.namespace ?? "default"
        var container: JSONValue = ["name": "app", "image": .string(input.image)]
        if let port = input.port { container["ports"] = [["containerPort": .int(Int64(port))]] }
        var spec: JSONValue = [
            "replicas": .int(Int64(input.replicas ?? 1)),
            "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [container]]],
            "activeService": ["name": .string(name)],
            "previewService": ["name": .string("\(name)-preview")],
        ]
        if let auto = input.autoPromotion { spec["autoPromotion"] = ["enabled": .bool(auto)] }
        let object: JSONValue = ["apiVersion": .string(BlueGreenDeployment.apiVersion), "kind": .string(BlueGreenDeployment.kind),
                                 "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec]
        return DeploymentNode(try await Self.write { try await context.client.create(BlueGreenDeployment.groupVersionResource, object, namespace: namespace) })
    }

    func updateDeployment(context: APIContext, arguments: UpdateDeploymentArguments) async throws -> DeploymentNode {
        let (namespace, name) = try APIContext.parse(id: arguments.id.value)
        let input = arguments.input
        if let other = input.name, other != name { throw APIError.invalidArgument(name: "input.name", problem: "a deployment cannot be renamed (id names \(name))") }
        // A JSON patch, so that the other containers and fields of the template stay as they are.
        var operations: [JSONValue] = [["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": .string(input.image)]]
        if let replicas = input.replicas { operations.append(["op": "add", "path": "/spec/replicas", "value": .int(Int64(replicas))]) }
        if let auto = input.autoPromotion { operations.append(["op": "add", "path": "/spec/autoPromotion", "value": ["enabled": .bool(auto)]]) }
        return DeploymentNode(try await Self.write {
            try await context.client.patch(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace, type: .json, body: .array(operations))
        })
    }

    func deleteDeployment(context: APIContext, arguments: IDArguments) async throws -> Bool {
        let (namespace, name) = try APIContext.parse(id: arguments.id.value)
        _ = try await Self.write { try await context.client.delete(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace) }
        return true
    }

    func promoteDeployment(context: APIContext, arguments: IDArguments) async throws -> DeploymentNode {
        try await operate(.promote, context, arguments)
    }

    func abortDeployment(context: APIContext, arguments: IDArguments) async throws -> DeploymentNode {
        try await operate(.abort, context, arguments)
    }

    /// Asks the controller as `opsagent promote|abort` does: an annotation set to a fresh token.
    private func operate(_ operation: BlueGreenOperation, _ context: APIContext, _ arguments: IDArguments) async throws -> DeploymentNode {
        let (namespace, name) = try APIContext.parse(id: arguments.id.value)
        let request = OperationRequest(annotation: operation.annotation)
        return DeploymentNode(try await Self.write {
            try await context.client.patch(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace, type: .merge, body: request.patch)
        })
    }

    func executeWorkflow(context: APIContext, arguments: ExecuteWorkflowArguments) async throws -> WorkflowResultNode {
        let parts = arguments.workflow.split(separator: "/").map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw APIError.invalidArgument(name: "workflow", problem: "'\(arguments.workflow)' is not NAME or NAMESPACE/NAME of an OpsWorkflow")
        }
        let (namespace, name) = parts.count == 2 ? (parts[0], parts[1]) : ("default", parts[0])
        var parameters: [String: String] = [:]
        if let given = arguments.parameters?.value, !given.isNull {
            guard let object = given.objectValue else { throw APIError.invalidArgument(name: "parameters", problem: "must be an object of parameter names to values") }
            for (key, value) in object {
                switch value {
                case .string(let text): parameters[key] = text
                case .int, .double, .bool: parameters[key] = value.description
                default: throw APIError.invalidArgument(name: "parameters.\(key)", problem: "must be a string, number or boolean")
                }
            }
        }
        let run: OpsWorkflowRun
        do {
            run = try await WorkflowRuns.start(api: context.client, namespace: namespace, workflow: name, parameters: parameters, trigger: "api")
        } catch let failure as WorkflowRuns.Failure {
            throw APIError.failed(failure.description)
        } catch {
            throw APIError.failed("\(error)")
        }
        let node = WorkflowRunNode(try JSONValue(encoding: run))
        return WorkflowResultNode(id: node.id, status: node.phase, run: node)
    }

    func createAlert(context: APIContext, arguments: CreateAlertArguments) async throws -> AlertNode {
        let input = arguments.input
        guard let name = input.name, !name.isEmpty else { throw APIError.invalidArgument(name: "input.name", problem: "a new alert needs a name") }
        let namespace = input.namespace ?? "default"
        let object: JSONValue = ["apiVersion": .string(AlertRule.apiVersion), "kind": .string(AlertRule.kind),
                                 "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": try Self.alertSpec(input)]
        return AlertNode(try await Self.write { try await context.client.create(AlertRule.groupVersionResource, object, namespace: namespace) })
    }

    func updateAlert(context: APIContext, arguments: UpdateAlertArguments) async throws -> AlertNode {
        let (namespace, name) = try APIContext.parse(id: arguments.id.value)
        if let other = arguments.input.name, other != name { throw APIError.invalidArgument(name: "input.name", problem: "an alert cannot be renamed (id names \(name))") }
        return AlertNode(try await Self.write {
            try await context.client.patch(AlertRule.groupVersionResource, name: name, namespace: namespace, type: .merge,
                                           body: ["spec": try Self.alertSpec(arguments.input)])
        })
    }

    /// The AlertRule spec fields an input sets (a merge patch leaves the others alone).
    static func alertSpec(_ input: AlertInput) throws(APIError) -> JSONValue {
        var spec: JSONValue = [:]
        if let description = input.description { spec["description"] = .string(description) }
        if let severity = input.severity { spec["severity"] = .string(severity) }
        if let expr = input.expr { spec["expr"] = .string(expr) }
        if input.metric != nil || input.operator != nil || input.threshold != nil || input.duration != nil {
            var condition: JSONValue = [:]
            if let metric = input.metric { condition["metric"] = .string(metric) }
            if let op = input.operator { condition["operator"] = .string(op) }
            if let threshold = input.threshold { condition["threshold"] = .double(threshold) }
            if let duration = input.duration { condition["duration"] = .string(duration) }
            spec["condition"] = condition
        }
        if let target = input.target {
            var labels: JSONValue = [:]
            for pair in target.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, !kv[0].isEmpty else {
                    throw .invalidArgument(name: "input.target", problem: "'\(target)' is not a selector of key=value pairs such as app=web")
                }
                labels[kv[0]] = .string(kv[1])
            }
            spec["target"] = ["selector": ["matchLabels": labels]]
        }
        return spec
    }

    /// Runs a write, turning the API server's refusal into the field's error.
    static func write<T: Sendable>(_ body: () async throws -> T) async throws(APIError) -> T {
        do { return try await body() } catch { throw .failed("\(error)") }
    }
}
