import KubeClient

extension AlertRule {
    /// The CRD, every field documented so `kubectl explain arule.spec` reads as a manual.
    public static let definition = CustomResourceDefinition.opsagent(
        kind: kind, plural: plural, singular: "alertrule", shortNames: ["arule"],
        summary: "A metric condition that goes Pending, then Firing after `for`, notifies its actions, explains itself with an analysis, and resolves.", required: ["spec"],
        fields: [
            ("spec", spec),
            ("status", status),
        ],
        columns: [
            PrinterColumn("State", type: "string", jsonPath: ".status.state", description: "Inactive, Pending, Firing or Resolved."),
            PrinterColumn("Severity", type: "string", jsonPath: ".status.severity", description: "critical, warning or info."),
            PrinterColumn("Value", type: "string", jsonPath: ".status.value", description: "The last evaluated value."),
            PrinterColumn("Since", type: "date", jsonPath: ".status.since", description: "Time in the current state."),
            PrinterColumn("Message", type: "string", jsonPath: ".status.message", description: "What the rule saw last.", priority: 1),
        ])

    static let duration = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"

    static let secretRef: Schema = .object("A key of a Secret in the rule's namespace; the operator reads it and never shows its value.", required: ["name", "key"], [
        ("name", .string("Name of the Secret.", maxLength: 253, minLength: 1)),
        ("key", .string("Key in the Secret's data.", maxLength: 253, minLength: 1)),
    ])

    static let builtinNames = BuiltinMetric.allCases.map(\.rawValue)

    static let condition: Schema = .object("The seed's condition: metric, operator, threshold, and how long it must hold.", required: ["metric", "operator", "threshold"], [
        ("metric", .string("A PromQL expression (each result series is compared), a label for the metric of a cloudwatch or gcpMonitoring source, or a built-in metric of the target's pods: \(builtinNames.joined(separator: ", ")). CPU and Memory are usage over limit; CPUUsage is cores, MemoryUsage bytes; PodReadiness is ready over desired; Restarts sums container restarts; ErrorRate is the share of HTTP requests answered 5xx over 5 minutes, from Prometheus.", minLength: 1)),
        ("operator", .string("How the value is compared with the threshold.", enum: ComparisonOperator.allCases.map(\.rawValue))),
        ("threshold", .number("The value compared with.")),
        ("duration", .string("How long the condition must hold before the rule fires (the same as spec.for).", pattern: duration)),
        ("cloudwatch", cloudwatchSource),
        ("gcpMonitoring", gcpMonitoringSource),
    ])
    .validated("!(has(self.cloudwatch) && has(self.gcpMonitoring))", message: "a condition reads one source: cloudwatch or gcpMonitoring, not both")
    .validated("has(self.cloudwatch) || has(self.gcpMonitoring) || !self.metric.matches('^[A-Z][A-Za-z]*$') || self.metric in [\(builtinNames.map { "'\($0)'" }.joined(separator: ", "))]",
               message: "metric names an unknown built-in metric; use one of \(builtinNames.joined(separator: ", ")) or a PromQL expression")

    static func receiver(_ what: String, _ members: [(String, Schema)], required: [String]) -> Schema {
        .object(what, required: required, members)
    }

    static let action: Schema = .object("A receiver of the rule's notifications: exactly one of webhook, slack, pagerduty, alertmanager, email or workflow.", required: ["name"], [
        ("name", .string("Name of the action, unique in the rule; status.notifications reports by it.", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63)),
        ("webhook", receiver("POSTs JSON with the alert, its series and the analysis.", [("urlSecretRef", secretRef)], required: ["urlSecretRef"])),
        ("slack", receiver("A Slack incoming webhook.", [("urlSecretRef", secretRef), ("channel", .string("Overrides the webhook's channel."))], required: ["urlSecretRef"])),
        ("pagerduty", receiver("PagerDuty Events API v2: trigger when firing, resolve when resolved, deduplicated by the rule.", [
            ("routingKeySecretRef", secretRef),
            ("urlSecretRef", secretRef.described("The Events API URL; https://events.pagerduty.com/v2/enqueue when absent.")),
        ], required: ["routingKeySecretRef"])),
        ("alertmanager", receiver("An Alertmanager: POST /api/v2/alerts, resent while firing, resolved by an endsAt in the past.", [
            ("urlSecretRef", secretRef.described("The Alertmanager base URL, e.g. http://alertmanager:9093.")),
        ], required: ["urlSecretRef"])),
        ("email", receiver("Email over SMTP.", [
            ("urlSecretRef", secretRef.described("smtp://host:port or smtps://host:port.")),
            ("usernameSecretRef", secretRef),
            ("passwordSecretRef", secretRef),
            ("from", .string("Sender address.", minLength: 3)),
            ("to", .array("Recipient addresses.", of: .string(), maxItems: 50, minItems: 1)),
        ], required: ["urlSecretRef", "from", "to"])),
        ("workflow", receiver("Starts a run of an OpsWorkflow with the alert as its input (its labels, alertname, severity, value) once per firing episode.", [
            ("name", .string("Name of the OpsWorkflow in the rule's namespace.", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", maxLength: 253)),
            ("parameters", .map("Inputs given to the workflow besides the alert.", of: .string())),
        ], required: ["name"])),
        ("sendResolved", .boolean("Overrides spec.sendResolved for this action.")),
    ])
    .validated("[has(self.webhook), has(self.slack), has(self.pagerduty), has(self.alertmanager), has(self.email), has(self.workflow)].filter(x, x).size() == 1",
               message: "an action has exactly one of webhook, slack, pagerduty, alertmanager, email or workflow")

    static let spec: Schema = .object("What to watch, when it counts, and who to tell.", [
        ("condition", condition),
        ("expr", .string("A PromQL expression whose result series are the alerts, as in a PrometheusRule: any series means the condition holds.", minLength: 1)),
        ("for", .string("How long the condition must hold before Pending becomes Firing.", pattern: duration)),
        ("keepFiringFor", .string("How long the rule keeps firing after the condition stops holding.", pattern: duration)),
        ("interval", .string("Time between evaluations.", pattern: duration, default: "30s")),
        ("target", .object("The workload: the pods a built-in metric is measured over, and whose facts the analysis reads. {{namespace}} and {{pods}} are substituted into PromQL.", required: ["selector"], [
            ("namespace", .string("Namespace of the pods; the rule's own when absent.", maxLength: 63)),
            ("selector", .preserved("Label selector of the pods (matchLabels / matchExpressions).")),
        ])),
        ("severity", .string("How urgent the alert is.", enum: ["critical", "warning", "info"], default: "warning")),
        ("description", .string("What the alert means, for humans.")),
        ("labels", .map("Labels of the alert; values may use {{ $labels.<name> }} and {{ $value }}.", of: .string())),
        ("annotations", .map("Annotations of the alert (summary, runbook_url…), templated like labels.", of: .string())),
        ("noDataState", .string("What an empty or NaN result means: Inactive (the condition does not hold), Firing, or Unknown (nothing changes). An unreachable source never resolves a rule.", enum: NoDataState.allCases.map(\.rawValue), default: "Unknown")),
        ("prometheusAddress", .string("Prometheus base URL; the operator's --prometheus-url when absent.")),
        ("actions", .array("Who is told when the rule fires and resolves.", of: action, maxItems: 20)),
        ("repeatInterval", .string("Time between repeated notifications while firing.", pattern: duration, default: "4h")),
        ("sendResolved", .boolean("Whether actions hear that the alert resolved.", default: true)),
        ("analysis", .string("On each transition to Firing the analyzer explains the alert (advisory), or not (disabled).", enum: ["advisory", "disabled"], default: "advisory")),
    ])
    .validated("has(self.condition) != has(self.expr)", message: "a rule has exactly one of condition or expr")

    static let conditionSchema: Schema = .object("A condition of the rule.", required: ["type", "status"], [
        ("type", .string("Ready, Reconciling or Stalled (kstatus).")),
        ("status", .string("True, False or Unknown.", enum: ["True", "False", "Unknown"])),
        ("observedGeneration", .integer("The generation the condition was computed from.", format: "int64")),
        ("lastTransitionTime", .string("When the status last changed.", format: "date-time")),
        ("reason", .string("A CamelCase reason.")),
        ("message", .string("Details for humans.")),
    ])

    static let notification: Schema = .object("One action.", required: ["name"], [
        ("name", .string("The action.")),
        ("notifiedState", .string("The state last delivered: Firing or Resolved.")),
        ("notifiedEpisode", .string("The firing episode last delivered.")),
        ("sentCount", .integer("Firing deliveries in this episode, repeats included.")),
        ("lastSent", .string("When the last delivery succeeded.", format: "date-time")),
        ("attempts", .integer("Failed attempts of the delivery in progress.")),
        ("lastError", .string("Why the last attempt failed.")),
        ("retryAt", .string("When the failed delivery is tried again.", format: "date-time")),
    ])

    static let status: Schema = .object("What the rule saw and did.", [
        ("observedGeneration", .integer("The spec generation this status describes.", format: "int64")),
        ("state", .string("Inactive, Pending, Firing or Resolved.")),
        ("activeSince", .string("When the condition started to hold (the start of Pending).", format: "date-time")),
        ("since", .string("When the rule entered its current state.", format: "date-time")),
        ("firingSince", .string("When the current or last firing episode began.", format: "date-time")),
        ("lastActiveAt", .string("The last evaluation at which the condition held.", format: "date-time")),
        ("resolvedAt", .string("When the last firing episode resolved.", format: "date-time")),
        ("severity", .string("The rule's severity.")),
        ("value", .string("The last value.")),
        ("lastEvaluation", .object("The last evaluation.", [
            ("time", .string("When it ran.", format: "date-time")),
            ("value", .string("The value judged.")),
            ("duration", .string("How long it took.")),
            ("error", .string("Why there was no value: the source's own error text or the no-data reason.")),
        ])),
        ("firingSeries", .array("The series the condition holds for, the top 10 by value.", of: .object("A series.", [
            ("labels", .map("Its labels.", of: .string())),
            ("value", .number("Its value.")),
        ]), maxItems: 10)),
        ("firingSeriesCount", .integer("How many series the condition holds for.")),
        ("alerts", .array("An expr rule's alerts, one per result series (as in a PrometheusRule), each with its own state and notices; firing first, at most 50.", of: .object("One series' alert.", required: ["labels"], [
            ("labels", .map("The series' labels.", of: .string())),
            ("value", .number("Its last value.")),
            ("state", .string("Inactive, Pending, Firing or Resolved.")),
            ("activeSince", .string("When the series started to hold.", format: "date-time")),
            ("since", .string("When it entered its current state.", format: "date-time")),
            ("firingSince", .string("When its current or last firing episode began.", format: "date-time")),
            ("lastActiveAt", .string("The last evaluation at which it held.", format: "date-time")),
            ("resolvedAt", .string("When its last firing episode resolved.", format: "date-time")),
            ("notifications", .array("What each action was told about this series.", of: notification)),
        ]), maxItems: 50)),
        ("notifications", .array("What each action was told (for an expr rule, summed up over its series).", of: notification)),
        ("analysis", .object("The analyzer's advisory answer for the firing episode.", [
            ("episode", .string("The firing episode it explains.")),
            ("provider", .string("builtin or the LLM provider.")),
            ("verdict", .string("The analyzer's verdict.")),
            ("summary", .string("What is happening.")),
            ("rootCause", .string("The probable root cause.")),
            ("recommendations", .array("What to do.", of: .string())),
            ("degraded", .string("Why the configured analyzer was not used, if it was not.")),
        ])),
        ("message", .string("What the rule saw last.")),
        ("conditions", .listMap("Standard conditions.", of: conditionSchema, keys: ["type"])),
    ])
}

extension Schema {
    /// The same schema with another description.
    func described(_ text: String) -> Schema {
        var copy = self
        copy.description = text
        return copy
    }
}
