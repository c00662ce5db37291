import AuditChecks
import KubeClient

/// What a finished run keeps for the status, the metrics and the Event: its counts, scores,
/// top and critical findings, never its whole finding list.
///
/// A run's job result stays in memory until the next run completes (a pass whose status
/// write failed finds it again), so it must not hold the engine's report: at 10,000 pods
/// that is over a hundred thousand findings, a second copy of which the next run would
/// build beside it. The findings a user can read went into the SecurityReport parts.
struct AuditRunSummary: Sendable {
    var counts: SeverityCounts
    var waivedFindings: Int
    var frameworks: [FrameworkSummary]
    var riskScore: Int
    var objectsAudited: Int
    /// The most severe findings, in report order (at most ``topLimit``).
    var topFindings: [Finding]
    /// Every unwaived critical finding, in report order: the Event names those the
    /// previous run did not have.
    var criticalFindings: [Finding]
    var expiredWaivers: [WaiverStatus]
    var auditedAt: KubeTime

    /// How many findings a status shows.
    static let topLimit = 10

    init(_ report: AuditReport) {
        counts = report.counts
        waivedFindings = report.waivedFindings.count
        frameworks = report.frameworks
        riskScore = report.riskScore
        objectsAudited = report.objectsAudited
        topFindings = report.topFindings(Self.topLimit)
        // Report order puts the critical findings first.
        criticalFindings = Array(report.findings.prefix { $0.severity == .critical })
        expiredWaivers = report.expiredWaivers
        auditedAt = report.auditedAt
    }
}
