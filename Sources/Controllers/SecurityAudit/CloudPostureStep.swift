import Cloud
import OpsAPI

/// The cloud step of an audit run: the posture checks of the configured clouds, as the
/// SecurityReport's `cloud` section. A cloud API that fails is listed in `errors`; the
/// cluster's findings are never held back by it.
enum CloudPostureStep {
    static let maxFindings = 500

    static func run(_ clients: CloudClients) async -> CloudPostureReport {
        let scan = await CloudPostureChecks.scan(clients)
        let severityOrder = ["critical": 0, "high": 1, "medium": 2, "low": 3]
        let all = scan.findings
            .sorted { (severityOrder[$0.severity] ?? 9, $0.checkID, $0.name) < (severityOrder[$1.severity] ?? 9, $1.checkID, $1.name) }
            .map {
                CloudPostureFinding(checkID: $0.checkID, severity: $0.severity, title: $0.title, kind: $0.kind, name: $0.name,
                                    location: $0.location, message: $0.message, remediation: $0.remediation)
            }
        // Bounded like the cluster's findings: the report object stays well under 1 MiB.
        let findings = Array(all.prefix(maxFindings))
        var errors = scan.errors
        if all.count > maxFindings { errors.append("\(all.count - maxFindings) less severe cloud findings left out to bound the report") }
        return CloudPostureReport(examined: scan.examined, findings: findings, errors: errors)
    }

    /// `counts` with the cloud findings added by severity: the status and the report count
    /// the cloud's findings with the cluster's (so `failOn` and the printer columns see them).
    static func counts(_ counts: SeverityCountsStatus, adding cloud: CloudPostureReport?) -> SeverityCountsStatus {
        var total = counts
        for finding in cloud?.findings ?? [] {
            switch finding.severity {
            case "critical": total.critical += 1
            case "high": total.high += 1
            case "medium": total.medium += 1
            default: total.low += 1
            }
        }
        return total
    }
}
