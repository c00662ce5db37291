import AuditChecks
import KubeClient

/// A scheduled (or one-shot) audit of what runs in the cluster: workloads, RBAC, network
/// exposure and images, with compliance per framework and a risk score.
public struct SecurityAudit: KubeObject, Hashable {
    public static let apiVersion = "opsagent.dev/v1alpha1"
    public static let kind = "SecurityAudit"
    public static let plural = "securityaudits"
    public static let namespaced = true
    /// The annotation whose value (any new token) asks for a run now: `opsagent audit run` sets it.
    public static let runAnnotation = "opsagent.dev/run"

    public var apiVersion: String? = Self.apiVersion
    public var kind: String? = Self.kind
    public var metadata: ObjectMeta
    public var spec: SecurityAuditSpec
    public var status: SecurityAuditStatus?

    public init(metadata: ObjectMeta, spec: SecurityAuditSpec = SecurityAuditSpec(), status: SecurityAuditStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// What the user asks for. The policy fields (`scope`, `checks`, `exceptions`,
/// `imagePolicy`, `frameworks`, `failOn`) are those of ``AuditPolicy``.
public struct SecurityAuditSpec: Codable, Sendable, Hashable {
    /// Cron (five fields, `@daily`, `@every 90s`); absent runs the audit once (and again on
    /// a spec change or a manual run).
    public var schedule: String?
    /// IANA time zone of `schedule`; UTC when absent.
    public var timeZone: String?
    /// No scheduled runs while true (manual runs are also held).
    public var suspend: Bool?
    public var scope: AuditScope?
    public var checks: CheckSelection?
    public var exceptions: [Waiver]?
    public var imagePolicy: ImagePolicy?
    public var frameworks: [String]?
    public var failOn: Severity?
    /// SecurityReports kept, newest first (default 3).
    public var reportHistoryLimit: Int?

    public init(schedule: String? = nil, timeZone: String? = nil, suspend: Bool? = nil, scope: AuditScope? = nil,
                checks: CheckSelection? = nil, exceptions: [Waiver]? = nil, imagePolicy: ImagePolicy? = nil,
                frameworks: [String]? = nil, failOn: Severity? = nil, reportHistoryLimit: Int? = nil) {
        self.schedule = schedule
        self.timeZone = timeZone
        self.suspend = suspend
        self.scope = scope
        self.checks = checks
        self.exceptions = exceptions
        self.imagePolicy = imagePolicy
        self.frameworks = frameworks
        self.failOn = failOn
        self.reportHistoryLimit = reportHistoryLimit
    }

    /// The engine's policy this spec describes.
    public var policy: AuditPolicy {
        AuditPolicy(scope: scope ?? AuditScope(), checks: checks ?? CheckSelection(), exceptions: exceptions ?? [],
                    imagePolicy: imagePolicy ?? ImagePolicy(), frameworks: frameworks ?? [], failOn: failOn)
    }

    public var historyLimit: Int { max(1, reportHistoryLimit ?? 3) }
}

/// What the platform team reads: bounded, whatever the size of the cluster.
public struct SecurityAuditStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int?
    /// Pending, Running, Completed, Failed (failOn reached), Suspended or Invalid.
    public var phase: String?
    /// When the last run audited the cluster (RFC 3339).
    public var lastRun: String?
    /// When the next scheduled run is due; absent for a one-shot audit.
    public var nextRun: String?
    /// How long the last run took, e.g. `0.042s`.
    public var duration: String?
    /// The run identifier of the last completed run (generation, schedule slot, manual token).
    public var lastRunID: String?
    /// The schedule slot the last run served (RFC 3339); the next slot is computed from it.
    public var lastScheduledTime: String?
    /// The spec generation the last run audited with.
    public var lastRunGeneration: Int?
    /// The manual-run token (`opsagent.dev/run`) already carried out.
    public var handledRunToken: String?
    public var counts: SeverityCountsStatus?
    public var frameworks: [FrameworkStatus]?
    public var riskScore: Int?
    public var objectsAudited: Int?
    public var topFindings: [FindingSummary]?
    /// Keys (`checkID|kind|namespace|name|container`) of the critical findings of the last
    /// run, so the next run can say which are new. Bounded to 200.
    public var criticalKeys: [String]?
    /// The SecurityReport objects of recent runs, newest first.
    public var reports: [ReportReference]?
    /// Waivers that had expired at the last run.
    public var expiredWaivers: [String]?
    public var analysis: AuditAnalysisStatus?
    public var message: String?
    public var conditions: [Condition]?

    public init() {}
}

public struct SeverityCountsStatus: Codable, Sendable, Hashable {
    public var critical: Int
    public var high: Int
    public var medium: Int
    public var low: Int
    public var waived: Int

    public init(critical: Int = 0, high: Int = 0, medium: Int = 0, low: Int = 0, waived: Int = 0) {
        self.critical = critical
        self.high = high
        self.medium = medium
        self.low = low
        self.waived = waived
    }
}

public struct FrameworkStatus: Codable, Sendable, Hashable {
    public var framework: String
    public var passed: Int
    public var failed: Int
    public var score: Int

    public init(framework: String, passed: Int, failed: Int, score: Int) {
        self.framework = framework
        self.passed = passed
        self.failed = failed
        self.score = score
    }
}

/// One finding as the status lists it: no more than a user needs to find the object.
public struct FindingSummary: Codable, Sendable, Hashable {
    public var checkID: String
    public var severity: String
    public var title: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var container: String?
    public var message: String

    public init(checkID: String, severity: String, title: String, kind: String, namespace: String?, name: String,
                container: String?, message: String) {
        self.checkID = checkID
        self.severity = severity
        self.title = title
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.container = container
        self.message = message
    }
}

public struct ReportReference: Codable, Sendable, Hashable {
    public var name: String
    public var runID: String
    public var createdAt: String
    public var findings: Int
    public var droppedFindings: Int
    /// How many SecurityReports the run's findings fill (`name`, then `name-p2`, …); nil for one.
    public var parts: Int?

    public init(name: String, runID: String, createdAt: String, findings: Int, droppedFindings: Int, parts: Int? = nil) {
        self.name = name
        self.runID = runID
        self.createdAt = createdAt
        self.findings = findings
        self.droppedFindings = droppedFindings
        self.parts = parts
    }
}

/// The analyzer's advice on the last run's findings. Advisory: it never changes Ready.
public struct AuditAnalysisStatus: Codable, Sendable, Hashable {
    public var runID: String?
    public var provider: String?
    public var summary: String?
    public var recommendations: [String]?
    /// Set when the configured LLM failed and the built-in analyzer answered.
    public var degraded: String?

    public init() {}
}
