import KubeClient

extension BlueGreenDeployment {
    /// The CRD, with every field documented so `kubectl explain bgd.spec` reads as a manual.
    public static let definition = CustomResourceDefinition.opsagent(
        kind: kind, plural: plural, singular: "bluegreendeployment", shortNames: ["bgd"],
        summary: "A blue-green rollout: two colored Deployments behind an active and a preview Service; analysis gates the switch of traffic, and a failed revision rolls back automatically.", required: ["spec"],
        fields: [
            ("spec", spec),
            ("status", status),
        ],
        columns: [
            PrinterColumn("Phase", type: "string", jsonPath: ".status.phase", description: "Where the rollout is: Progressing, Paused, Analyzing, Promoting, Healthy, Degraded or RolledBack."),
            PrinterColumn("Active", type: "string", jsonPath: ".status.activeColor", description: "The color the active Service sends traffic to."),
            PrinterColumn("Ready", type: "string", jsonPath: ".status.readyText", description: "Ready pods of the active color over desired replicas."),
            PrinterColumn("Analysis", type: "string", jsonPath: ".status.analysis.phase", description: "The last analysis: Running, Successful, Failed or Inconclusive."),
            PrinterColumn("Revision", type: "string", jsonPath: ".status.activeRevision", description: "The revision serving traffic.", priority: 1),
            PrinterColumn("Message", type: "string", jsonPath: ".status.message", description: "What the controller is doing or why it stopped.", priority: 1),
        ],
        scale: ScaleSubresource(specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas",
                                labelSelectorPath: ".status.selector"))

    static let duration = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"

    static let servicePort: Schema = .object("A port of the Service.", required: ["port"], [
        ("name", .string("Name of the port; required when there are several.", maxLength: 63)),
        ("port", .integer("Port the Service listens on.", minimum: 1, maximum: 65535)),
        ("targetPort", .intOrString("Container port (number or name) traffic goes to; defaults to port.")),
        ("protocol", .string("TCP, UDP or SCTP.", enum: ["TCP", "UDP", "SCTP"], default: "TCP")),
    ])

    static func serviceRef(_ what: String) -> Schema {
        .object(what, required: ["name"], [
            ("name", .string("Name of the Service. It is created when absent; an existing Service is adopted only if it carries the label opsagent.dev/managed-by=<this rollout's name>.",
                             pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$", maxLength: 63)),
            ("ports", .array("Ports of the Service; when empty, the first container port of the template.", of: servicePort, maxItems: 32)),
        ])
    }

    static let check: Schema = .object("One measurement source and how its values are judged.", required: ["name"], [
        ("name", .string("Name of the check, unique in the list.", maxLength: 63)),
        ("prometheus", .object("A PromQL query. {{namespace}}, {{name}}, {{color}}, {{revision}} and {{pods}} (a regular expression matching the revision's pods) are substituted.", required: ["query"], [
            ("query", .string("The PromQL expression; its result must be a single number (a scalar or a one-element vector).", minLength: 1)),
            ("address", .string("Prometheus base URL; defaults to the operator's --prometheus-url.")),
        ])),
        ("builtin", .object("A check the operator measures itself, from pod states and metrics.k8s.io or Prometheus.", required: ["type"], [
            ("type", .string("PodReadiness: all preview pods ready. Restarts: container restarts at most threshold (default 0). CPU and Memory: usage over limit below threshold (0.8 and 0.9 by default).",
                             enum: ["PodReadiness", "Restarts", "CPU", "Memory"])),
            ("threshold", .number("Limit for the check (see type).", minimum: 0)),
        ])),
        ("successCondition", .string("Expression over `result` that passes a measurement, e.g. `result < 0.05`. Operators: < <= > >= == != && || and parentheses.")),
        ("failureCondition", .string("Expression over `result` that fails a measurement, e.g. `result >= 0.1`.")),
        ("thresholdRange", .object("Passes a measurement when min <= result <= max (either may be omitted).", [
            ("min", .number("Lowest passing value.")),
            ("max", .number("Highest passing value.")),
        ])),
        ("interval", .string("Time between measurements, e.g. 10s or 1m.", pattern: duration, default: "10s")),
        ("count", .integer("Measurements to take.", minimum: 1, maximum: 100, default: 3)),
        ("failureLimit", .integer("Failed measurements tolerated; one more fails the check.", minimum: 0, default: 0)),
        ("inconclusiveLimit", .integer("Inconclusive measurements tolerated; one more makes the check inconclusive, which fails the gate.", minimum: 0, default: 0)),
        ("emptyResult", .string("How an empty or NaN result is judged. Inconclusive (default) never passes silently.", enum: ["Inconclusive", "Fail", "Pass"], default: "Inconclusive")),
    ])
    .validated("has(self.prometheus) != has(self.builtin)", message: "a check has exactly one of prometheus or builtin")
    .validated("!has(self.prometheus) || has(self.successCondition) || has(self.failureCondition) || has(self.thresholdRange)",
               message: "a prometheus check needs successCondition, failureCondition or thresholdRange")

    static func analysis(_ what: String) -> Schema {
        .object(what, [
            ("checks", .array("Checks run together; all must pass.", of: check, maxItems: 20)),
            ("llm", .object("The analysis step: the built-in analyzer, or an LLM when the operator is configured with one, judges the gathered facts.", [
                ("mode", .string("advisory: record the verdict only. gate: a fail verdict fails the rollout. disabled: skip.", enum: ["advisory", "gate", "disabled"], default: "advisory")),
            ])),
        ])
    }

    static let spec: Schema = .object("What the rollout should run.", required: ["template", "activeService"], [
        ("replicas", .integer("Desired pods of the active color. The live color is never scaled down before a switch.", minimum: 0, default: 1)),
        ("selector", .preserved("Label selector of the pods (matchLabels / matchExpressions). Derived from the template's labels when absent; when set it must match them.")),
        ("template", .preserved("The PodTemplateSpec of the pods, as in a Deployment. A change to it starts a new revision.")),
        ("activeService", serviceRef("The Service that carries production traffic; its selector points at the active color.")),
        ("previewService", serviceRef("An optional Service pointing at the new color while it is analysed.")),
        ("autoPromotion", .object("Promotion without a human.", [
            ("enabled", .boolean("Promote automatically once pre-promotion analysis passes. When false the rollout pauses before the switch until `opsagent promote` or the annotation opsagent.dev/promote.", default: true)),
            ("delaySeconds", .integer("Seconds to wait after analysis passes before switching.", minimum: 0, default: 0)),
        ])),
        ("prePromotionAnalysis", analysis("Checks on the preview color before traffic switches to it.")),
        ("postPromotionAnalysis", analysis("Checks on the new active color after the switch; a failure switches back to the stable color.")),
        ("scaleDownDelaySeconds", .integer("Seconds the previous color keeps running after a switch, for a fast rollback.", minimum: 0, default: 30)),
        ("progressDeadlineSeconds", .integer("Seconds a new color may take to become ready before the rollout fails.", minimum: 1, default: 600)),
        ("revisionHistoryLimit", .integer("Revisions kept in status.history.", minimum: 1, maximum: 100, default: 10)),
        ("paused", .boolean("Stop progressing: nothing is created, scaled or switched until unpaused.", default: false)),
        ("rollbackOnFailure", .boolean("On failure, keep or return traffic on the stable color and scale the failed color down.", default: true)),
    ])
    .validated("!has(self.previewService) || self.previewService.name != self.activeService.name",
               message: "previewService.name must differ from activeService.name")

    static let condition: Schema = .object("A condition of the rollout.", required: ["type", "status"], [
        ("type", .string("Ready, Reconciling, Stalled (kstatus), Progressing, Available, Promoted, AnalysisPassed or AnalysisDegraded.")),
        ("status", .string("True, False or Unknown.", enum: ["True", "False", "Unknown"])),
        ("observedGeneration", .integer("The generation the condition was computed from.", format: "int64")),
        ("lastTransitionTime", .string("When the status last changed.", format: "date-time")),
        ("reason", .string("A CamelCase reason.")),
        ("message", .string("Details for humans.")),
    ])

    static let status: Schema = .object("What the controller observed and did.", [
        ("observedGeneration", .integer("The spec generation this status describes.", format: "int64")),
        ("phase", .string("Progressing, Paused, Analyzing, Promoting, Healthy, Degraded or RolledBack.")),
        ("activeColor", .string("blue or green: the color behind the active Service.")),
        ("activeRevision", .string("Revision (template hash) serving traffic.")),
        ("previewRevision", .string("Revision being rolled out, if any.")),
        ("stableRevision", .string("The last revision that passed analysis and served traffic.")),
        ("replicas", .integer("Pods of the active color.")),
        ("readyReplicas", .integer("Ready pods of the active color.")),
        ("availableReplicas", .integer("Available pods of the active color.")),
        ("readyText", .string("readyReplicas/replicas, for kubectl get.")),
        ("selector", .string("Label selector of the active pods (scale subresource).")),
        ("message", .string("What the controller is doing or why it stopped.")),
        ("stepStartedAt", .string("When the current step began; the progress deadline counts from it.", format: "date-time")),
        ("analysisPassedAt", .string("When the preview passed pre-promotion analysis; autoPromotion.delaySeconds counts from it.", format: "date-time")),
        ("abortedRevision", .string("A revision that was aborted or failed; it rolls out again only after retry.")),
        ("failureReason", .string("Why abortedRevision failed: ProgressDeadlineExceeded, AnalysisFailed, AnalysisInconclusive, AnalyzerGateFailed or Aborted.")),
        ("failureMessage", .string("What was seen when abortedRevision failed.")),
        ("scaleDownAt", .string("When the previous color is scaled down after a switch.", format: "date-time")),
        ("handledOperations", .map("The token of each operation annotation (promote, abort, retry, undo) already carried out.", of: .string())),
        ("analysis", .preserved("The last analysis: stage, revision, phase, each check's measurements, and the analyzer's verdict.")),
        ("conditions", .listMap("Standard conditions.", of: condition, keys: ["type"])),
        ("history", .array("Recent revisions, newest first.", of: .preserved("A revision: images, color, promotedAt, outcome."))),
    ])
}
