import AuditChecks
import Metrics

/// Prometheus gauges of the last run of each audit:
///
/// - `opsagent_security_audit_findings{namespace,audit,severity}`: unwaived findings;
/// - `opsagent_security_audit_framework_score{namespace,audit,framework}`: 0–100;
/// - `opsagent_security_audit_framework_failed_controls{namespace,audit,framework}`;
/// - `opsagent_security_audit_risk_score{namespace,audit}`;
/// - `opsagent_security_audit_runs_total{namespace,audit}`.
struct AuditMetrics: Sendable {
    static let findingsName = "opsagent_security_audit_findings"
    static let frameworkScoreName = "opsagent_security_audit_framework_score"
    static let failedControlsName = "opsagent_security_audit_framework_failed_controls"
    static let riskScoreName = "opsagent_security_audit_risk_score"
    static let runsName = "opsagent_security_audit_runs_total"

    let factory: any MetricsFactory

    func record(_ summary: AuditRunSummary, namespace: String, audit: String) {
        let labels = [("namespace", namespace), ("audit", audit)]
        for severity in Severity.descending {
            Gauge(label: Self.findingsName, dimensions: labels + [("severity", severity.rawValue)], factory: factory)
                .record(summary.counts[severity])
        }
        for summary in summary.frameworks {
            let dimensions = labels + [("framework", summary.framework.rawValue)]
            Gauge(label: Self.frameworkScoreName, dimensions: dimensions, factory: factory).record(summary.score)
            Gauge(label: Self.failedControlsName, dimensions: dimensions, factory: factory).record(summary.failed)
        }
        Gauge(label: Self.riskScoreName, dimensions: labels, factory: factory).record(summary.riskScore)
        Counter(label: Self.runsName, dimensions: labels, factory: factory).increment()
    }

    /// The audit is gone: its series go too.
    func forget(namespace: String, audit: String) {
        let labels = [("namespace", namespace), ("audit", audit)]
        for severity in Severity.descending {
            Gauge(label: Self.findingsName, dimensions: labels + [("severity", severity.rawValue)], factory: factory).destroy()
        }
        for framework in Framework.allCases {
            let dimensions = labels + [("framework", framework.rawValue)]
            Gauge(label: Self.frameworkScoreName, dimensions: dimensions, factory: factory).destroy()
            Gauge(label: Self.failedControlsName, dimensions: dimensions, factory: factory).destroy()
        }
        Gauge(label: Self.riskScoreName, dimensions: labels, factory: factory).destroy()
        Counter(label: Self.runsName, dimensions: labels, factory: factory).destroy()
    }
}
