import KubeClient

/// One execution of an ``OpsWorkflow``: a copy of the workflow's steps taken when the run
/// was created (an edit of the workflow never changes a run in flight), the run's
/// parameters and trigger, and in status the state of every step.
public struct OpsWorkflowRun: KubeObject, Hashable {
    public static let apiVersion = "opsagent.dev/v1alpha1"
    public static let kind = "OpsWorkflowRun"
    public static let plural = "opsworkflowruns"
    public static let namespaced = true
    /// Label with the workflow's name, on every run.
    public static let workflowLabel = "opsagent.dev/workflow"
    /// `opsagent.dev/approve.<step>`: a value (the approver) approves the waiting step.
    public static let approvePrefix = "opsagent.dev/approve."
    /// The key of whatever a step creates: `<run uid>/<step>`.
    public static let idempotencyAnnotation = "opsagent.dev/idempotency-key"

    public var apiVersion: String? = Self.apiVersion
    public var kind: String? = Self.kind
    public var metadata: ObjectMeta
    public var spec: OpsWorkflowRunSpec
    public var status: OpsWorkflowRunStatus?

    public init(metadata: ObjectMeta, spec: OpsWorkflowRunSpec, status: OpsWorkflowRunStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct OpsWorkflowRunSpec: Codable, Sendable, Hashable {
    /// The workflow this run executes.
    public var workflowRef: String
    /// The run's inputs: the workflow's defaults merged with the trigger's (`params.<name>` in conditions).
    public var parameters: [String: String]?
    /// manual, schedule or alert.
    public var trigger: String?
    /// The steps, copied from the workflow when the run was created.
    public var steps: [WorkflowStep]
    public var onExit: [WorkflowStep]?
    public var activeDeadlineSeconds: Int?
    /// Allow, Forbid or Replace, copied from the workflow.
    public var concurrencyPolicy: String?
    /// Set to true to cancel the run (Replace sets it on older runs).
    public var cancel: Bool?

    public init(workflowRef: String, parameters: [String: String]? = nil, trigger: String? = nil, steps: [WorkflowStep],
                onExit: [WorkflowStep]? = nil, activeDeadlineSeconds: Int? = nil, concurrencyPolicy: String? = nil) {
        self.workflowRef = workflowRef
        self.parameters = parameters
        self.trigger = trigger
        self.steps = steps
        self.onExit = onExit
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.concurrencyPolicy = concurrencyPolicy
    }
}

public struct OpsWorkflowRunStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int?
    /// Pending, Running, WaitingForApproval, Succeeded, Failed or Cancelled.
    public var phase: String?
    /// The step running (or waiting) now, for the STEP column.
    public var currentStep: String?
    /// Finished main steps over all main steps (`3/5`), for the PROGRESS column.
    public var progress: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var message: String?
    /// Every step of `spec.steps` then `spec.onExit`, in order.
    public var steps: [StepStatus]?
    public var conditions: [Condition]?
    public init() {}
}

public struct StepStatus: Codable, Sendable, Hashable {
    public var name: String
    /// Pending, Running, Retrying, WaitingForApproval, Succeeded, Failed, Skipped or Cancelled.
    public var phase: String
    /// True for the onExit steps.
    public var onExit: Bool?
    public var attempts: Int?
    public var startedAt: String?
    public var finishedAt: String?
    /// When the next attempt starts (Retrying).
    public var retryAt: String?
    public var message: String?
    /// The action's outputs: at most ``StepStatus/maxOutputs`` entries of ``StepStatus/maxOutputLength`` characters.
    public var outputs: [String: String]?
    /// Who approved an approval step, as the API server identified them, and when.
    public var approvedBy: String?
    public var approvedAt: String?

    public static let maxOutputs = 16
    public static let maxOutputLength = 512

    public init(name: String, phase: StepPhase, onExit: Bool = false) {
        self.name = name
        self.phase = phase.rawValue
        self.onExit = onExit ? true : nil
    }

    public var typedPhase: StepPhase { StepPhase(rawValue: phase) ?? .pending }

    /// Outputs cut to the bounds.
    public static func bounded(_ outputs: [String: String]) -> [String: String]? {
        guard !outputs.isEmpty else { return nil }
        let kept = outputs.sorted { $0.key < $1.key }.prefix(maxOutputs)
        return Dictionary(uniqueKeysWithValues: kept.map { key, value in
            (key, value.count > maxOutputLength ? String(value.prefix(maxOutputLength - 1)) + "…" : value)
        })
    }
}

public enum StepPhase: String, Sendable, CaseIterable {
    case pending = "Pending", running = "Running", retrying = "Retrying", waitingForApproval = "WaitingForApproval"
    case succeeded = "Succeeded", failed = "Failed", skipped = "Skipped", cancelled = "Cancelled"

    public var isFinished: Bool { [.succeeded, .failed, .skipped, .cancelled].contains(self) }
}

public enum RunPhase: String, Sendable, CaseIterable {
    case pending = "Pending", running = "Running", waitingForApproval = "WaitingForApproval"
    case succeeded = "Succeeded", failed = "Failed", cancelled = "Cancelled"

    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
