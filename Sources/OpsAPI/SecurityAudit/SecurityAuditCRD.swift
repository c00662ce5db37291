import AuditChecks
import KubeClient

extension SecurityAudit {
    static let severities = Severity.descending.map(\.rawValue)
    static let frameworkIDs = Framework.allCases.map(\.rawValue)

    /// The CRD, with every field documented so `kubectl explain saudit.spec` reads as a manual.
    public static let definition = CustomResourceDefinition.opsagent(
        kind: kind, plural: plural, singular: "securityaudit", shortNames: ["saudit"],
        summary: "A scheduled audit of workloads, RBAC, network exposure and images, with compliance per framework and a risk score. Each run writes a SecurityReport.",
        fields: [
            ("spec", spec),
            ("status", status),
        ],
        columns: [
            PrinterColumn("Critical", type: "integer", jsonPath: ".status.counts.critical", description: "Unwaived critical findings of the last run."),
            PrinterColumn("High", type: "integer", jsonPath: ".status.counts.high", description: "Unwaived high findings of the last run."),
            PrinterColumn("Score", type: "integer", jsonPath: ".status.riskScore", description: "Risk score 0 (nothing found) to 100."),
            PrinterColumn("Last Run", type: "date", jsonPath: ".status.lastRun", description: "When the last run audited the cluster."),
            PrinterColumn("Phase", type: "string", jsonPath: ".status.phase", description: "Pending, Running, Completed, Failed, Suspended or Invalid.", priority: 1),
            PrinterColumn("Next Run", type: "date", jsonPath: ".status.nextRun", description: "When the next scheduled run is due.", priority: 1),
        ])

    static let checkName = Schema.string("A check ID (OPS-POD-001, or a Trivy KSV/kubescape ID the catalog names) or a category (PodSecurity, WorkloadHygiene, SecretsAndIdentity, RBAC, NetworkExposure, NamespacePosture, Vulnerabilities).", maxLength: 63, minLength: 1)

    static let waiver: Schema = .object("A waiver: findings of one check or category on matching objects are hidden until expires.", required: ["check", "reason"], [
        ("check", checkName),
        ("kind", .string("Only objects of this kind (Deployment).", maxLength: 63)),
        ("namespace", .string("Namespace pattern; * matches any run of characters.", maxLength: 253)),
        ("name", .string("Object name pattern; * matches any run of characters.", maxLength: 253)),
        ("reason", .string("Why the finding is accepted; shown in the report.", maxLength: 1024, minLength: 1)),
        ("expires", .string("RFC 3339 time after which the waiver stops applying (and the report says it expired).", format: "date-time")),
    ])

    static let spec: Schema = .object("What to audit, when, and what fails it.", [
        ("schedule", .string("Cron schedule: five fields (minute hour day-of-month month day-of-week), @hourly, @daily, @weekly or @every <duration>. Absent: run once, and again on a spec change or `opsagent audit run`.", maxLength: 128, minLength: 1)),
        ("timeZone", .string("IANA time zone of schedule, e.g. Europe/Berlin; UTC when absent.", maxLength: 64)),
        ("suspend", .boolean("Hold every run (scheduled and manual) while true.", default: false)),
        ("scope", .object("Which objects are read.", [
            ("namespaces", .array("Namespaces to audit; empty means all.", of: .string(maxLength: 63), maxItems: 1000)),
            ("labelSelector", .preserved("Label selector (matchLabels / matchExpressions) for workloads, pods, Services and Ingresses.")),
            ("kinds", .array("Kinds to audit; empty means all.", of: .string(enum: AuditInventory.supportedKinds), maxItems: 32)),
            ("includeClusterScoped", .boolean("Audit ClusterRoles and ClusterRoleBindings.", default: true)),
        ])),
        ("checks", .object("Which checks run.", [
            ("include", .array("Check IDs or categories to run; empty runs all.", of: checkName, maxItems: 200)),
            ("exclude", .array("Check IDs or categories not to run.", of: checkName, maxItems: 200)),
        ])),
        ("exceptions", .array("Waivers, each with a reason and an optional expiry.", of: waiver, maxItems: 500)),
        ("imagePolicy", .object("Rules for image references.", [
            ("allowedRegistries", .array("Registry hosts or host/path prefixes images may come from; empty allows all.", of: .string(maxLength: 253), maxItems: 100)),
            ("requireDigest", .boolean("Every image must be pinned by @sha256 digest.", default: false)),
            ("forbidLatest", .boolean("Report :latest and untagged images.", default: true)),
        ])),
        ("frameworks", .array("Frameworks to summarise in status; empty means all.", of: .string(enum: frameworkIDs), maxItems: 16)),
        ("failOn", .string("The severity at or above which an unwaived finding makes the audit Ready=False.", enum: severities)),
        ("reportHistoryLimit", .integer("SecurityReports kept, newest first.", minimum: 1, maximum: 50, default: 3)),
    ])

    static let condition: Schema = .object("A condition of the audit.", required: ["type", "status"], [
        ("type", .string("Ready, Reconciling or Stalled (kstatus).")),
        ("status", .string("True, False or Unknown.", enum: ["True", "False", "Unknown"])),
        ("observedGeneration", .integer("The generation the condition was computed from.", format: "int64")),
        ("lastTransitionTime", .string("When the status last changed.", format: "date-time")),
        ("reason", .string("A CamelCase reason.")),
        ("message", .string("Details for humans.")),
    ])

    static let finding: Schema = .object("A finding of the last run.", [
        ("checkID", .string("The check.")),
        ("severity", .string("critical, high, medium or low.")),
        ("title", .string("What the check looks for.")),
        ("kind", .string("Kind of the object.")),
        ("namespace", .string("Namespace of the object.")),
        ("name", .string("Name of the object.")),
        ("container", .string("The container, for container checks.")),
        ("message", .string("What was found; never a secret value.")),
    ])

    static let status: Schema = .object("What the last runs found.", [
        ("observedGeneration", .integer("The spec generation this status describes.", format: "int64")),
        ("phase", .string("Pending, Running, Completed, Failed, Suspended or Invalid.")),
        ("lastRun", .string("When the last run audited the cluster.", format: "date-time")),
        ("nextRun", .string("When the next scheduled run is due.", format: "date-time")),
        ("duration", .string("How long the last run took.")),
        ("lastRunID", .string("Identifier of the last completed run.")),
        ("lastScheduledTime", .string("The schedule slot the last run served.", format: "date-time")),
        ("lastRunGeneration", .integer("The spec generation the last run audited with.", format: "int64")),
        ("handledRunToken", .string("The opsagent.dev/run token already carried out.")),
        ("counts", .object("Unwaived findings per severity, and the waived ones.", [
            ("critical", .integer()), ("high", .integer()), ("medium", .integer()), ("low", .integer()), ("waived", .integer()),
        ])),
        ("frameworks", .array("Per framework: controls passed and failed, and the score.", of: .object(nil, [
            ("framework", .string()), ("passed", .integer()), ("failed", .integer()), ("score", .integer()),
        ]))),
        ("riskScore", .integer("0 (nothing found) to 100; see docs/security-frameworks.md.")),
        ("objectsAudited", .integer("Objects the checks looked at.")),
        ("topFindings", .array("The 10 most severe findings.", of: finding, maxItems: 10)),
        ("criticalKeys", .array("Critical findings of the last run, to tell new ones apart.", of: .string(), maxItems: 200)),
        ("reports", .array("SecurityReports of recent runs, the latest run (by when it started) first.", of: .object(nil, [
            ("name", .string()), ("runID", .string()), ("createdAt", .string(format: "date-time")),
            ("findings", .integer()), ("droppedFindings", .integer()),
            ("parts", .integer("SecurityReports the run's findings were split over (name, name-p2, …); absent for one.")),
        ]))),
        ("expiredWaivers", .array("Waivers that had expired at the last run.", of: .string())),
        ("analysis", .object("Advisory prioritisation of the findings by the analyzer.", [
            ("runID", .string()), ("provider", .string()), ("summary", .string()),
            ("recommendations", .array(of: .string())), ("degraded", .string()),
        ])),
        ("message", .string("What the controller is doing or why it stopped.")),
        ("conditions", .listMap("Standard conditions.", of: condition, keys: ["type"])),
    ])
}

extension SecurityReport {
    /// The CRD of the per-run reports.
    public static let definition = CustomResourceDefinition.opsagent(
        kind: kind, plural: plural, singular: "securityreport", shortNames: ["sreport"], categories: ["opsagent"],
        summary: "The full findings of one SecurityAudit run, owned by the audit.",
        fields: [
            ("report", .object("The run's results.", [
                ("runID", .string("The run.")),
                ("auditedAt", .string("When the run audited the cluster.", format: "date-time")),
                ("riskScore", .integer("0 to 100.")),
                ("counts", .preserved("Unwaived findings per severity, and the waived ones.")),
                ("frameworks", .array("Per framework summary.", of: .preserved())),
                ("objectsAudited", .integer("Objects the checks looked at.")),
                ("checksRun", .integer("Checks that ran.")),
                ("findings", .array("Unwaived findings, most severe first.", of: .preserved())),
                ("droppedFindings", .integer("Findings left out to keep the object under 1 MiB.")),
                ("waivedFindings", .integer("Findings hidden by an active waiver.")),
                ("waivers", .array("What became of each waiver.", of: .preserved())),
                ("accessReview", .array("Per subject RBAC review, riskiest first.", of: .preserved())),
                ("droppedAccessReviews", .integer("Access reviews left out to keep the object under 1 MiB.")),
                ("cloud", .preserved("Cloud posture checks (EKS, GKE, EC2 IMDSv1) when the operator has a cloud configured: resources examined, findings (OPS-CLOUD-001…009), and the APIs that could not be read.")),
                ("part", .integer("This object's place among the run's reports, when its findings were split over several.")),
                ("parts", .integer("How many reports the run's findings were split over; absent for one.")),
            ])),
        ],
        columns: [
            PrinterColumn("Critical", type: "integer", jsonPath: ".report.counts.critical", description: "Critical findings."),
            PrinterColumn("High", type: "integer", jsonPath: ".report.counts.high", description: "High findings."),
            PrinterColumn("Score", type: "integer", jsonPath: ".report.riskScore", description: "Risk score."),
        ])
}
