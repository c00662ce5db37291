import KubeClient
import OpsAPI

/// An OpsWorkflowRun: its phase and each step's progress.
public struct WorkflowRunNode: Sendable, Hashable, Encodable {
    public var id: String
    public var name: String
    public var namespace: String
    public var workflow: String
    public var phase: String
    public var trigger: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var steps: [WorkflowStepNode]

    public init(_ object: JSONValue) {
        let meta = object["metadata"], status = object["status"]
        name = meta["name"].stringValue ?? ""
        namespace = meta["namespace"].stringValue ?? ""
        id = "\(namespace)/\(name)"
        workflow = object["spec"]["workflowRef"].stringValue ?? ""
        phase = status["phase"].stringValue ?? "Pending"
        trigger = object["spec"]["trigger"].stringValue
        startedAt = status["startedAt"].stringValue
        finishedAt = status["finishedAt"].stringValue
        // Steps the controller has not reached yet are listed from the spec as Pending.
        let reported = Dictionary((status["steps"].arrayValue ?? []).map { ($0["name"].stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let declared = ((object["spec"]["steps"].arrayValue ?? []) + (object["spec"]["onExit"].arrayValue ?? [])).compactMap { $0["name"].stringValue }
        var names = declared
        for step in status["steps"].arrayValue ?? [] {
            if let name = step["name"].stringValue, !names.contains(name) { names.append(name) }
        }
        steps = names.map { name in
            let step = reported[name] ?? .null
            return WorkflowStepNode(name: name, phase: step["phase"].stringValue ?? "Pending", attempts: step["attempts"].intValue ?? 0,
                                    message: step["message"].stringValue)
        }
    }
}

public struct WorkflowStepNode: Sendable, Hashable, Encodable {
    public var name: String
    public var phase: String
    public var attempts: Int
    public var message: String?
}

/// What `executeWorkflow` answers: the run it started (`id` is the run's `namespace/name`).
public struct WorkflowResultNode: Sendable, Hashable, Encodable {
    public var id: String
    public var status: String
    public var run: WorkflowRunNode?
}
