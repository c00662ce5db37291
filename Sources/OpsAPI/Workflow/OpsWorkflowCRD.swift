import KubeClient

extension OpsWorkflow {
    /// The CRD, every field documented so `kubectl explain owf.spec` reads as a manual.
    public static let definition = CustomResourceDefinition.opsagent(
        kind: kind, plural: plural, singular: "opsworkflow", shortNames: ["owf"],
        summary: "Steps across the other capabilities, with conditions (the seed's orchestrator). Each execution is an OpsWorkflowRun.", required: ["spec"],
        fields: [
            ("spec", spec),
            ("status", status),
        ],
        columns: [
            PrinterColumn("Last Run", type: "string", jsonPath: ".status.lastRun", description: "The newest OpsWorkflowRun."),
            PrinterColumn("Phase", type: "string", jsonPath: ".status.lastRunPhase", description: "Phase of the newest run."),
            PrinterColumn("Schedule", type: "string", jsonPath: ".spec.schedule", description: "Cron schedule of runs."),
            PrinterColumn("Next Run", type: "date", jsonPath: ".status.nextRun", description: "When the next scheduled run starts.", priority: 1),
        ])

    static let stepName = Schema.string("Unique in the workflow: lowercase letters, digits and '-'.", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63, minLength: 1)

    static let step: Schema = .object("A step: an agent's action (agent, action, parameters) or an approval gate.", required: ["name"], [
        ("name", stepName),
        ("agent", .string("The seed's agent.", enum: Array(Set(WorkflowActionCatalog.actions.map { String($0.id.split(separator: ".")[0]) })).sorted())),
        ("action", .string("The agent's action; agent.action must be one of the catalog's (kubectl explain owf.spec.steps.action lists them in the message of a rejected step).", maxLength: 63)),
        ("parameters", .preserved("The action's typed parameters; each action validates its own (numbers, booleans, strings, objects). name and namespace default to the run's parameters.")),
        ("condition", .string("Runs the step only when true, else it is Skipped and the run goes on: `deploy-application.success`, `assess-incident.severity == 'low'`, `params.env == 'prod'`.", maxLength: 1024)),
        ("dependsOn", .array("Steps this one waits for; absent, the step before it.", of: stepName, maxItems: 50)),
        ("retries", .object("Attempts after a failure.", [
            ("limit", .integer("Retries after the first attempt.", minimum: 0, maximum: 20, default: 0)),
            ("backoff", .string("Wait before the first retry, doubled each time (10s, 1m).", maxLength: 32)),
        ])),
        ("timeoutSeconds", .integer("An attempt still running after this long fails.", minimum: 1)),
        ("continueOnFailure", .boolean("A failure of this step does not fail the run.")),
        ("approval", .object("Makes the step wait for `opsagent workflow approve RUN STEP` (or the annotation opsagent.dev/approve.STEP on the run).", [
            ("message", .string("What the approver is asked.", maxLength: 1024)),
            ("timeoutSeconds", .integer("The step fails when nobody approved within this long.", minimum: 1)),
        ])),
    ]).validated("has(self.approval) ? !(has(self.agent) || has(self.action)) : (has(self.agent) && has(self.action))",
                 message: "a step is either an approval (approval) or an action (agent and action)")

    static let spec: Schema = .object("The definition; each run copies its steps.", required: ["steps"], [
        ("name", .string("Display name (the seed's `name`).", maxLength: 253)),
        ("description", .string("What the workflow is for.", maxLength: 4096)),
        ("steps", .array("The steps, in order unless dependsOn says otherwise.", of: step, maxItems: 50, minItems: 1)),
        ("onExit", .array("Steps that run after the main steps, whatever their outcome; they may read run.phase.", of: step, maxItems: 20)),
        ("parameters", .map("Defaults of the run parameters (params.<name>); a run's own override them.", of: .string(maxLength: 4096))),
        ("schedule", .string("Cron schedule of runs: five fields, @hourly, @daily or @every <duration>.", maxLength: 128, minLength: 1)),
        ("timeZone", .string("IANA time zone of schedule; UTC when absent.", maxLength: 64)),
        ("suspend", .boolean("No scheduled or annotation-triggered run starts while true.", default: false)),
        ("concurrencyPolicy", .string("What a new run does while another is active: Allow (run both), Forbid (the new run is cancelled) or Replace (the older runs are cancelled).", enum: ConcurrencyPolicy.allCases.map(\.rawValue), default: "Allow")),
        ("historyLimit", .integer("Finished runs kept, newest first.", minimum: 1, maximum: 100, default: 10)),
        ("activeDeadlineSeconds", .integer("A run still active after this long fails.", minimum: 1)),
    ])

    static let status: Schema = .object("The runs.", [
        ("observedGeneration", .integer("The spec generation this status describes.", format: "int64")),
        ("lastRun", .string("The newest run.")),
        ("lastRunPhase", .string("Its phase.")),
        ("activeRuns", .array("Runs not finished.", of: .string())),
        ("nextRun", .string("When the next scheduled run starts.", format: "date-time")),
        ("lastScheduledTime", .string("The schedule slot of the last scheduled run.", format: "date-time")),
        ("handledRunToken", .string("The opsagent.dev/run token already turned into a run.")),
        ("runsStarted", .integer("Runs this controller started.")),
        ("message", .string("What the controller is doing or why it stopped.")),
        ("conditions", .listMap("Standard conditions.", of: condition, keys: ["type"])),
    ])

    static let condition: Schema = .object("A condition (kstatus).", required: ["type", "status"], [
        ("type", .string("Ready, Reconciling or Stalled (kstatus).")),
        ("status", .string("True, False or Unknown.", enum: ["True", "False", "Unknown"])),
        ("observedGeneration", .integer("The generation the condition was computed from.", format: "int64")),
        ("lastTransitionTime", .string("When the status last changed.", format: "date-time")),
        ("reason", .string("A CamelCase reason.")),
        ("message", .string("Details for humans.")),
    ])
}

extension OpsWorkflowRun {
    public static let definition = CustomResourceDefinition.opsagent(
        kind: kind, plural: plural, singular: "opsworkflowrun", shortNames: ["owfrun"], categories: ["opsagent"],
        summary: "One execution of an OpsWorkflow, owned by it: its steps (copied at creation), parameters, and per-step state.", required: ["spec"],
        fields: [
            ("spec", .object("What the run executes; only `cancel` may change.", required: ["workflowRef", "steps"], [
                ("workflowRef", .string("The OpsWorkflow.", maxLength: 253, minLength: 1)),
                ("parameters", .map("The run's inputs (params.<name>): the workflow's defaults and the trigger's, such as an alert's labels.", of: .string(maxLength: 4096))),
                ("trigger", .string("manual, schedule, alert, mcp (an AI agent through the MCP server's workflow_run tool) or api (the GraphQL executeWorkflow mutation).", enum: ["manual", "schedule", "alert", "mcp", "api"])),
                ("steps", .array("The steps, copied from the workflow.", of: OpsWorkflow.step, maxItems: 50, minItems: 1)),
                ("onExit", .array("The onExit steps, copied from the workflow.", of: OpsWorkflow.step, maxItems: 20)),
                ("activeDeadlineSeconds", .integer("The run fails when still active after this long.", minimum: 1)),
                ("concurrencyPolicy", .string("Copied from the workflow.", enum: ConcurrencyPolicy.allCases.map(\.rawValue))),
                ("cancel", .boolean("Cancels the run: running steps are cancelled, onExit steps run.")),
            ])),
            ("status", .object("The run's state.", [
                ("observedGeneration", .integer("The spec generation this status describes.", format: "int64")),
                ("phase", .string("Pending, Running, WaitingForApproval, Succeeded, Failed or Cancelled.")),
                ("currentStep", .string("The step running or waiting now.")),
                ("progress", .string("Finished main steps / all main steps.")),
                ("startedAt", .string("When the run started.", format: "date-time")),
                ("finishedAt", .string("When the run finished.", format: "date-time")),
                ("message", .string("What the run is doing, or why it ended.")),
                ("steps", .array("Every step, main then onExit.", of: .object(nil, [
                    ("name", .string()), ("phase", .string()), ("onExit", .boolean()), ("attempts", .integer()),
                    ("startedAt", .string(format: "date-time")), ("finishedAt", .string(format: "date-time")),
                    ("retryAt", .string(format: "date-time")), ("message", .string()),
                    ("outputs", .map("Outputs, bounded.", of: .string())),
                    ("approvedBy", .string("The user who approved, as the API server identified them.")),
                    ("approvedAt", .string(format: "date-time")),
                ]), maxItems: 70)),
                ("conditions", .listMap("Standard conditions.", of: OpsWorkflow.condition, keys: ["type"])),
            ])),
        ],
        columns: [
            PrinterColumn("Workflow", type: "string", jsonPath: ".spec.workflowRef", description: "The OpsWorkflow."),
            PrinterColumn("Phase", type: "string", jsonPath: ".status.phase", description: "Pending, Running, WaitingForApproval, Succeeded, Failed or Cancelled."),
            PrinterColumn("Step", type: "string", jsonPath: ".status.currentStep", description: "The step running or waiting now."),
            PrinterColumn("Progress", type: "string", jsonPath: ".status.progress", description: "Finished steps / steps."),
            PrinterColumn("Trigger", type: "string", jsonPath: ".spec.trigger", description: "manual, schedule or alert.", priority: 1),
        ])
}
