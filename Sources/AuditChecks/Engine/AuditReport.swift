import Foundation
import KubeClient

/// The outcome of one audit. Everything in it is ordered deterministically, so two audits
/// of the same inventory with the same policy produce equal reports (and equal JSON).
///
/// Nothing in a report quotes an environment variable's value: it can be written to a
/// status, a report object, an event, a log or an LLM prompt.
public struct AuditReport: Sendable, Hashable, Codable {
    /// Unwaived findings, most severe first (see ``Finding/reportOrder(_:_:)``).
    public var findings: [Finding]
    /// Findings an active waiver hid, in the same order.
    public var waivedFindings: [Finding]
    public var counts: SeverityCounts
    public var frameworks: [FrameworkSummary]
    /// 0 (nothing found) to 100; see ``RiskScore``.
    public var riskScore: Int
    /// Every non-system subject bound to a role, riskiest first.
    public var accessReview: [SubjectAccessReview]
    /// One entry per `exceptions` item, in order: expired or not, and how many findings it matched.
    public var waivers: [WaiverStatus]
    /// IDs of the checks that ran.
    public var checksRun: [String]
    /// Objects the checks looked at (pods owned by an audited workload are not counted).
    public var objectsAudited: Int
    /// Objects that could not be read as their kind, with the reason; they were skipped.
    public var unreadable: [String]
    /// Whether an unwaived finding is at or above the policy's `failOn` severity.
    public var failed: Bool
    /// The time waivers were judged at.
    public var auditedAt: KubeTime

    /// The `limit` most severe findings: what a status shows as its top findings.
    public func topFindings(_ limit: Int = 10) -> [Finding] { Array(findings.prefix(limit)) }

    /// Waivers that had expired at ``auditedAt``.
    public var expiredWaivers: [WaiverStatus] { waivers.filter(\.expired) }
}

/// Unwaived findings per severity.
public struct SeverityCounts: Sendable, Hashable, Codable {
    public var critical = 0
    public var high = 0
    public var medium = 0
    public var low = 0

    public init() {}

    public init(_ findings: [Finding]) {
        for finding in findings { self[finding.severity] += 1 }
    }

    public subscript(severity: Severity) -> Int {
        get {
            switch severity {
            case .critical: critical
            case .high: high
            case .medium: medium
            case .low: low
            }
        }
        set {
            switch severity {
            case .critical: critical = newValue
            case .high: high = newValue
            case .medium: medium = newValue
            case .low: low = newValue
            }
        }
    }

    public var total: Int { critical + high + medium + low }
}
