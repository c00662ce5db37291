import Controllers
import KubeClient
import OpsAPI

/// OpsWorkflows: `workflow_run` (starts a run, as `opsagent workflow run` does),
/// `workflow_status` (a run's phase and per-step state, or a workflow's recent runs) and
/// `workflow_approve` (approves a waiting step as the caller, as `opsagent workflow approve`).
/// Everything goes through the API server as the caller's identity; the run controller does the rest.
struct WorkflowTools: MCPToolGroup {
    static let runs = ResourceRef(OpsWorkflowRun.groupVersionResource, kind: OpsWorkflowRun.kind)

    var tools: [MCPTool] { [run, status, approve] }

    /// What an agent reads about a run: its phase, progress and each step.
    static func summary(_ object: JSONValue) -> JSONValue {
        let status = object["status"]
        let steps = (status["steps"].arrayValue ?? []).map { step -> JSONValue in
            ["name": step["name"], "phase": step["phase"], "attempts": step["attempts"], "message": step["message"],
             "outputs": step["outputs"], "approvedBy": step["approvedBy"], "startedAt": step["startedAt"], "finishedAt": step["finishedAt"]]
        }
        return ["name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"],
                "workflow": object["spec"]["workflowRef"], "trigger": object["spec"]["trigger"],
                "phase": .string(status["phase"].stringValue ?? "Pending"), "currentStep": status["currentStep"],
                "progress": status["progress"], "message": status["message"], "startedAt": status["startedAt"],
                "finishedAt": status["finishedAt"], "steps": .array(steps)]
    }

    static func text(_ summary: JSONValue) -> String {
        var lines = ["opsworkflowrun \(summary["namespace"].stringValue ?? "")/\(summary["name"].stringValue ?? ""): "
            + "\(summary["phase"].stringValue ?? "Pending") \(summary["progress"].stringValue ?? "")"]
        if let message = summary["message"].stringValue { lines.append(message) }
        let rows = (summary["steps"].arrayValue ?? []).map { step in
            [step["name"].stringValue ?? "", step["phase"].stringValue ?? "", step["attempts"].intValue.map(String.init) ?? "",
             step["message"].stringValue ?? ""]
        }
        if !rows.isEmpty { lines.append(TextTable.render(["STEP", "PHASE", "ATTEMPTS", "MESSAGE"], rows)) }
        return lines.joined(separator: "\n")
    }

    /// The library's errors as tool errors: a missing workflow, run or step is not-found.
    static func toolError(_ error: any Error, _ call: ToolCall, verb: String, resource: String, name: String?, namespace: String) -> ToolError {
        if let failure = error as? WorkflowRuns.Failure {
            if failure.description.contains("not found") || failure.description.contains(" has no step ") {
                return .notFound(what: failure.description, hint: "List workflows with resources_list kind=opsworkflows, runs with workflow_status.")
            }
            return .failed(failure.description)
        }
        return ToolError.from(error, verb: verb, resource: resource, name: name, namespace: namespace, identity: call.cluster.identity)
    }

    var run: MCPTool {
        MCPTool(
            name: "workflow_run",
            description: "Start a run of an OpsWorkflow (the seed's deployment or incident-response workflows, or any other), "
                + "with parameters overriding the workflow's defaults. Returns the run's name; follow it with workflow_status. "
                + "Needs --allow-write.",
            inputSchema: InputSchema.object([
                "name": InputSchema.string("Name of the OpsWorkflow."), "namespace": InputSchema.namespace,
                "parameters": ["type": "object", "description": "Run parameters (string values), e.g. {\"image\": \"shop:2.0\"}.",
                               "additionalProperties": ["type": "string"]],
            ], required: ["name"]),
            access: .write, idempotent: false
        ) { call in
            let name = try call.arguments.requiredString("name")
            let namespace = try call.namespace()
            var parameters: [String: String] = [:]
            for (key, value) in try call.arguments.object("parameters")?.objectValue ?? [:] {
                guard let text = value.stringValue else {
                    throw ToolError.invalidArgument(name: "parameters.\(key)", problem: "expected a string value")
                }
                parameters[key] = text
            }
            let started: OpsWorkflowRun
            do {
                started = try await WorkflowRuns.start(api: call.cluster.client, namespace: namespace, workflow: name,
                                                       parameters: parameters, trigger: "mcp")
            } catch {
                throw Self.toolError(error, call, verb: "create", resource: "opsworkflowruns", name: nil, namespace: namespace)
            }
            let run = started.metadata.name ?? ""
            return ToolOutput(structured: ["run": .string(run), "namespace": .string(namespace), "workflow": .string(name)],
                              text: "opsworkflowrun \(namespace)/\(run) started from opsworkflow \(name); follow it with workflow_status run=\(run)")
        }
    }

    var status: MCPTool {
        MCPTool(
            name: "workflow_status",
            description: "A workflow run's phase (Pending, Running, WaitingForApproval, Succeeded, Failed, Cancelled), progress and "
                + "each step's phase, attempts, message and outputs. Give `run`, or `workflow` for its most recent runs.",
            inputSchema: InputSchema.object([
                "run": InputSchema.string("Name of the OpsWorkflowRun."),
                "workflow": InputSchema.string("Name of the OpsWorkflow: lists its runs, newest first."),
                "namespace": InputSchema.namespace, "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ])
        ) { call in
            let namespace = try call.namespace()
            if let run = try call.arguments.string("run"), !run.isEmpty {
                let summary = Self.summary(try await call.cluster.get(Self.runs, name: run, namespace: namespace))
                return ToolOutput(structured: summary, text: Self.text(summary))
            }
            guard let workflow = try call.arguments.string("workflow"), !workflow.isEmpty else {
                throw ToolError.invalidArgument(name: "run", problem: "give run (a run's name) or workflow (to list its runs)")
            }
            let (limit, token) = try call.arguments.page(defaultLimit: 20)
            let list = try await call.cluster.list(Self.runs, namespace: namespace, options: ListOptions(
                labelSelector: "\(OpsWorkflowRun.workflowLabel)=\(workflow)", limit: limit, continueToken: token))
            let items = list.items.sorted {
                ($0["metadata"]["creationTimestamp"].stringValue ?? "", $0["metadata"]["name"].stringValue ?? "")
                    > ($1["metadata"]["creationTimestamp"].stringValue ?? "", $1["metadata"]["name"].stringValue ?? "")
            }.map(Self.summary)
            return .table("runs", items, list, columns: ["NAME": "name", "PHASE": "phase", "STEP": "currentStep",
                                                         "PROGRESS": "progress", "TRIGGER": "trigger", "STARTED": "startedAt"])
        }
    }

    var approve: MCPTool {
        MCPTool(
            name: "workflow_approve",
            description: "Approve a step of a run that waits for approval. The approval is recorded with the caller's identity as "
                + "the API server sees it. Needs --allow-write.",
            inputSchema: InputSchema.object([
                "run": InputSchema.string("Name of the OpsWorkflowRun."), "step": InputSchema.string("Name of the approval step."),
                "namespace": InputSchema.namespace,
            ], required: ["run", "step"]),
            access: .write
        ) { call in
            let run = try call.arguments.requiredString("run")
            let step = try call.arguments.requiredString("step")
            let namespace = try call.namespace()
            let user: String
            do {
                user = try await WorkflowRuns.currentUser(api: call.cluster.client)
                try await WorkflowRuns.approve(api: call.cluster.client, namespace: namespace, run: run, step: step, user: user)
            } catch {
                throw Self.toolError(error, call, verb: "patch", resource: "opsworkflowruns", name: run, namespace: namespace)
            }
            return ToolOutput(structured: ["run": .string(run), "step": .string(step), "approvedBy": .string(user)],
                              text: "step \(step) of opsworkflowrun \(namespace)/\(run) approved by \(user)")
        }
    }
}
