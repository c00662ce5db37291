import AuditChecks
import KubeClient

extension SecurityReportBody {
    /// The most objects one run's findings are split over; what does not fit in them is
    /// counted in `droppedFindings` (the least severe go first).
    public static let maxParts = 10

    /// A run's report, split so that every object stays under `budget` bytes of findings
    /// and access reviews (etcd refuses objects over 1.5 MiB): the first part carries the
    /// access reviews (a quarter of the budget) and the waivers, every part a consecutive
    /// run of findings in report order, each with the run's summary. One part when the
    /// findings fit in one object.
    public static func parts(runID: String, report: AuditReport, budget: Int = ReportBudget.defaultBytes,
                             maxParts: Int = SecurityReportBody.maxParts) -> [SecurityReportBody] {
        let reviews = ReportBudget.truncate(report.accessReview, toBytes: budget / 4)
        let split = ReportBudget.split(report.findings, intoChunksOf: budget - reviews.bytes, maxChunks: max(1, maxParts))
        let chunks = split.chunks
        let kept = chunks.reduce(0) { $0 + $1.count }
        let dropped = report.findings.count - kept
        let c = report.counts
        let counts = SeverityCountsStatus(critical: c.critical, high: c.high, medium: c.medium, low: c.low,
                                          waived: report.waivedFindings.count)
        let all = chunks.isEmpty ? [[]] : chunks
        return all.enumerated().map { index, findings in
            var body = SecurityReportBody(
                runID: runID, auditedAt: KubeTimestamp.format(report.auditedAt.date, fractionalDigits: 3), riskScore: report.riskScore, counts: counts,
                frameworks: report.frameworks, objectsAudited: report.objectsAudited, checksRun: report.checksRun.count,
                findings: findings, droppedFindings: dropped, waivedFindings: report.waivedFindings.count,
                waivers: index == 0 ? report.waivers : [], accessReview: index == 0 ? reviews.kept : [],
                droppedAccessReviews: reviews.dropped)
            if all.count > 1 {
                body.part = index + 1
                body.parts = all.count
            }
            return body
        }
    }

    /// The name of part `part` (from 1) of a run whose first report is `first`.
    public static func partName(_ first: String, part: Int) -> String {
        part <= 1 ? first : String(first.prefix(253 - 4)) + "-p\(part)"
    }
}
