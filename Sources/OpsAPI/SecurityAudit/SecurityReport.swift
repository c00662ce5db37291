import AuditChecks
import KubeClient

/// The full result of one SecurityAudit run, as Trivy Operator keeps a ConfigAuditReport:
/// owned by its audit (garbage-collected with it), one per run, the oldest pruned beyond
/// `reportHistoryLimit`. Findings are kept under ``ReportBudget/defaultBytes``; what did not
/// fit is counted in ``SecurityReportBody/droppedFindings``.
public struct SecurityReport: KubeObject, Hashable {
    public static let apiVersion = "opsagent.dev/v1alpha1"
    public static let kind = "SecurityReport"
    public static let plural = "securityreports"
    public static let namespaced = true
    /// The label naming the SecurityAudit a report belongs to.
    public static let auditLabel = "opsagent.dev/security-audit"

    public var apiVersion: String? = Self.apiVersion
    public var kind: String? = Self.kind
    public var metadata: ObjectMeta
    public var report: SecurityReportBody

    public init(metadata: ObjectMeta, report: SecurityReportBody) {
        self.metadata = metadata
        self.report = report
    }
}

public struct SecurityReportBody: Codable, Sendable, Hashable {
    public var runID: String
    public var auditedAt: String
    public var riskScore: Int
    public var counts: SeverityCountsStatus
    public var frameworks: [FrameworkSummary]
    public var objectsAudited: Int
    public var checksRun: Int
    public var findings: [Finding]
    /// Findings that did not fit under the size budget (the least severe go first).
    public var droppedFindings: Int
    public var waivedFindings: Int
    public var waivers: [WaiverStatus]
    public var accessReview: [SubjectAccessReview]
    public var droppedAccessReviews: Int
    /// The cloud posture checks' results, when the operator has a cloud configured.
    public var cloud: CloudPostureReport?
    /// This object's place among the run's reports (1 for the first), when the findings
    /// were split over several objects; nil for a run with one report.
    public var part: Int?
    /// How many report objects the run's findings were split over; nil for one.
    public var parts: Int?

    public init(runID: String, auditedAt: String, riskScore: Int, counts: SeverityCountsStatus,
                frameworks: [FrameworkSummary], objectsAudited: Int, checksRun: Int, findings: [Finding],
                droppedFindings: Int, waivedFindings: Int, waivers: [WaiverStatus],
                accessReview: [SubjectAccessReview], droppedAccessReviews: Int) {
        self.runID = runID
        self.auditedAt = auditedAt
        self.riskScore = riskScore
        self.counts = counts
        self.frameworks = frameworks
        self.objectsAudited = objectsAudited
        self.checksRun = checksRun
        self.findings = findings
        self.droppedFindings = droppedFindings
        self.waivedFindings = waivedFindings
        self.waivers = waivers
        self.accessReview = accessReview
        self.droppedAccessReviews = droppedAccessReviews
    }

    /// Builds the body of `report`, findings and access reviews kept under `budget` bytes
    /// together (findings get 3/4 of it).
    public init(runID: String, report: AuditReport, budget: Int = ReportBudget.defaultBytes) {
        let findings = ReportBudget.truncate(report.findings, toBytes: budget * 3 / 4)
        let reviews = ReportBudget.truncate(report.accessReview, toBytes: budget - findings.bytes)
        let c = report.counts
        self.init(
            runID: runID, auditedAt: report.auditedAt.description, riskScore: report.riskScore,
            counts: SeverityCountsStatus(critical: c.critical, high: c.high, medium: c.medium, low: c.low,
                                         waived: report.waivedFindings.count),
            frameworks: report.frameworks, objectsAudited: report.objectsAudited, checksRun: report.checksRun.count,
            findings: findings.kept, droppedFindings: findings.dropped, waivedFindings: report.waivedFindings.count,
            waivers: report.waivers, accessReview: reviews.kept, droppedAccessReviews: reviews.dropped)
    }
}
