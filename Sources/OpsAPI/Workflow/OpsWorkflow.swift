import KubeClient

/// A multi-step operation across the other resources — the seed's orchestrator (§1.5) as a
/// custom resource. The object holds only the definition (GitOps-friendly: it changes when a
/// person changes it); every execution is an ``OpsWorkflowRun`` owned by it.
///
/// Runs are separate objects rather than history in this object's status because a run's
/// state (per-step phase, attempts, outputs, approvals) is written many times while it runs:
/// as its own object each run has its own resourceVersion (no conflicts between concurrent
/// runs), `kubectl get owfrun` lists runs with their step and progress, history is bounded
/// by deleting old runs (`historyLimit`), and deleting the workflow deletes its runs through
/// the owner reference.
public struct OpsWorkflow: KubeObject, Hashable {
    public static let apiVersion = "opsagent.dev/v1alpha1"
    public static let kind = "OpsWorkflow"
    public static let plural = "opsworkflows"
    public static let namespaced = true
    /// A new token here starts a run (`opsagent workflow run` without parameters sets it).
    public static let runAnnotation = "opsagent.dev/run"

    public var apiVersion: String? = Self.apiVersion
    public var kind: String? = Self.kind
    public var metadata: ObjectMeta
    public var spec: OpsWorkflowSpec
    public var status: OpsWorkflowStatus?

    public init(metadata: ObjectMeta, spec: OpsWorkflowSpec, status: OpsWorkflowStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The definition: the seed's `name` and `steps`, and what Argo Workflows users expect around them.
public struct OpsWorkflowSpec: Codable, Sendable, Hashable {
    /// A display name (the seed's `name: "Application Deployment"`).
    public var name: String?
    public var description: String?
    public var steps: [WorkflowStep]
    /// Steps that run after the main steps end, whatever their outcome (Argo's onExit).
    public var onExit: [WorkflowStep]?
    /// Defaults of the run parameters; a run's own parameters override them.
    public var parameters: [String: String]?
    /// Cron schedule of runs; absent: runs start only by hand or from an AlertRule.
    public var schedule: String?
    public var timeZone: String?
    /// No scheduled or annotation-triggered run starts while true.
    public var suspend: Bool?
    /// Allow, Forbid or Replace: what a new run does while another run is active.
    public var concurrencyPolicy: String?
    /// Finished runs kept, newest first (default 10).
    public var historyLimit: Int?
    /// A run still active after this many seconds is failed (its running steps cancelled).
    public var activeDeadlineSeconds: Int?

    public init(name: String? = nil, steps: [WorkflowStep], onExit: [WorkflowStep]? = nil) {
        self.name = name
        self.steps = steps
        self.onExit = onExit
    }

    public var effectiveHistoryLimit: Int { max(1, historyLimit ?? 10) }
    public var policy: ConcurrencyPolicy { concurrencyPolicy.flatMap(ConcurrencyPolicy.init(rawValue:)) ?? .allow }
}

public enum ConcurrencyPolicy: String, Sendable, CaseIterable {
    case allow = "Allow", forbid = "Forbid", replace = "Replace"
}

/// One step: an agent's action (the seed's fields), or an approval gate.
public struct WorkflowStep: Codable, Sendable, Hashable {
    /// Unique in the workflow; dashes allowed (`deploy-application`).
    public var name: String
    /// The seed's agent: monitoring, security, deployment, incident, kubernetes, http, llm.
    public var agent: String?
    public var action: String?
    /// The action's typed parameters (see ``WorkflowActionCatalog``); values may be numbers,
    /// booleans, strings or objects.
    public var parameters: [String: JSONValue]?
    /// Runs the step only when true; otherwise the step is Skipped and the run goes on.
    public var condition: String?
    /// Steps this one waits for; absent: the step before it (steps run in order).
    public var dependsOn: [String]?
    public var retries: StepRetries?
    public var timeoutSeconds: Int?
    /// A failure of this step does not fail the run.
    public var continueOnFailure: Bool?
    /// Makes the step an approval gate (no agent/action).
    public var approval: ApprovalGate?

    public init(name: String, agent: String? = nil, action: String? = nil, parameters: [String: JSONValue]? = nil,
                condition: String? = nil, dependsOn: [String]? = nil) {
        self.name = name
        self.agent = agent
        self.action = action
        self.parameters = parameters
        self.condition = condition
        self.dependsOn = dependsOn
    }

    /// `agent.action`, the catalog key.
    public var actionID: String? { agent.flatMap { a in action.map { "\(a).\($0)" } } }
}

public struct StepRetries: Codable, Sendable, Hashable {
    /// Attempts after the first (default 0).
    public var limit: Int?
    /// Wait before the first retry, doubled each time: `10s`, `1m` (default 5s).
    public var backoff: String?
    public init(limit: Int? = nil, backoff: String? = nil) {
        self.limit = limit
        self.backoff = backoff
    }
}

public struct ApprovalGate: Codable, Sendable, Hashable {
    /// What the approver is asked.
    public var message: String?
    /// The step fails when nobody approved within this many seconds; absent waits forever.
    public var timeoutSeconds: Int?
    public init(message: String? = nil, timeoutSeconds: Int? = nil) {
        self.message = message
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What `kubectl get owf` shows: the latest run, the active ones, and the next scheduled one.
public struct OpsWorkflowStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int?
    public var lastRun: String?
    public var lastRunPhase: String?
    public var activeRuns: [String]?
    public var nextRun: String?
    public var lastScheduledTime: String?
    /// The `opsagent.dev/run` token already turned into a run.
    public var handledRunToken: String?
    public var runsStarted: Int?
    public var message: String?
    public var conditions: [Condition]?
    public init() {}
}
