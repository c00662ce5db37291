import Analysis
import AuditChecks
import Cloud
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// What one run produced: the summary of the engine's report, the report's parts, how long
/// it took, and the analyzer's advice. Kept by the background jobs until the next run
/// completes, so it holds no more than the status and the report objects need.
struct AuditRunOutcome: Sendable {
    var summary: AuditRunSummary?
    /// The SecurityReports' bodies (one, or the parts the findings were split over), built
    /// here, off the work queue.
    var parts: [SecurityReportBody] = []
    /// Set when the engine refused the policy (validation runs first, so only a race with a
    /// newer catalog could get here).
    var error: String?
    /// Set when the audited kinds' caches had not synced: nothing was audited, and the run
    /// is tried again later.
    var notSynced: CacheNotSynced?
    var duration: Duration
    var analysis: AnalysisResult?
    /// Whether Trivy VulnerabilityReports were part of the inventory.
    var includedVulnerabilityReports: Bool
}

/// Runs one audit from the informer caches (no API calls), then asks the analyzer to
/// prioritise the top findings. Runs as a background job, off the work queue.
struct AuditRunner: Sendable {
    let cache: InformerCache
    let analyzer: any Analyzer
    var engine = AuditEngine()
    /// The configured clouds, whose posture checks each run adds to its report; nil for none.
    var cloud: CloudClients?
    /// One run at a time takes its inventory and builds its report, the memory-heavy part of
    /// an audit (a report over a large cluster is 100k findings). The work is CPU bound, so
    /// running audits side by side only multiplied the peak. Share one runner between
    /// reconciles.
    var snapshots = AsyncSemaphore(permits: 1)

    /// A snapshot of every audited kind from the caches. Objects are parsed as the engine
    /// reaches them (see ``AuditObjects``), not all at once.
    func inventory() -> (AuditInventory, includedVulnerabilityReports: Bool) {
        var inventory = AuditInventory()
        for kind in SecurityAuditController.audited {
            let objects = cache.informer(for: kind).cache.lazyObjects()
            inventory.add(AuditObjects.Source(count: objects.count) { [name = kind.kind] index in
                let object = objects[index]
                // An object being deleted (a pod terminating after its workload was fixed) is on
                // its way out: auditing it would report what the user already fixed.
                guard object["metadata"]["deletionTimestamp"].isNull else { return nil }
                return Self.withKind(object, name)
            }, kind: kind.kind)
        }
        var included = false
        if cache.get(SecurityAuditController.crds, ObjectKey(namespace: nil, name: SecurityAuditController.trivyCRD)) != nil {
            // Opened only now that the cluster serves the kind (see SecurityAuditController).
            let informer = cache.informer(for: SecurityAuditController.vulnerabilityReports)
            if informer.hasSynced {
                included = true
                for object in informer.cache.list() {
                    var report = object
                    report["apiVersion"] = "aquasecurity.github.io/v1alpha1"
                    inventory.add(Self.withKind(report, "VulnerabilityReport"))
                }
            }
        }
        return (inventory, included)
    }

    /// List responses leave `kind` out of items; the engine sorts objects by it.
    private static func withKind(_ object: JSONValue, _ kind: String) -> JSONValue {
        if object["kind"].stringValue == kind { return object }
        var copy = object
        copy["kind"] = .string(kind)
        return copy
    }

    func run(runID: String, policy: AuditPolicy, subject: AnalysisSubject, now: Date) async -> AuditRunOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await cache.synced(SecurityAuditController.audited + [SecurityAuditController.crds],
                                   timeout: SecurityAuditController.syncTimeout)
        } catch {
            return AuditRunOutcome(summary: nil, notSynced: error, duration: clock.now - started,
                                   analysis: nil, includedVulnerabilityReports: false)
        }
        guard await snapshots.acquire() else {
            return AuditRunOutcome(summary: nil, error: "the audit was cancelled before it started", duration: clock.now - started,
                                   analysis: nil, includedVulnerabilityReports: false)
        }
        let audited: (report: Result<AuditReport, InvalidAuditPolicy>, included: Bool) = {
            defer { snapshots.release() }
            let (inventory, included) = inventory()
            return (Result { () throws(InvalidAuditPolicy) in try engine.audit(inventory, policy: policy, now: now) }, included)
        }()
        let included = audited.included
        let report: AuditReport
        switch audited.report {
        case .success(let built): report = built
        case .failure(let error):
            return AuditRunOutcome(summary: nil, error: error.description, duration: clock.now - started,
                                   analysis: nil, includedVulnerabilityReports: included)
        }
        let duration = clock.now - started
        var parts = SecurityReportBody.parts(runID: runID, report: report)
        // The cloud posture section is the run's, not its findings': it goes in the first part.
        if let cloud, !parts.isEmpty {
            let posture = await CloudPostureStep.run(cloud)
            parts[0].cloud = posture
            for i in parts.indices { parts[i].counts = CloudPostureStep.counts(parts[i].counts, adding: posture) }
        }
        let analysis = await analyze(report, subject: subject)
        return AuditRunOutcome(summary: AuditRunSummary(report), parts: parts, error: nil, duration: duration, analysis: analysis,
                               includedVulnerabilityReports: included)
    }

    /// The analysis step: the top findings as failed checks. Findings never quote a value
    /// read from an environment variable, and the analyzer redacts what it sends anyway.
    func analyze(_ report: AuditReport, subject: AnalysisSubject) async -> AnalysisResult? {
        let top = report.topFindings(10)
        guard !top.isEmpty else { return nil }
        let checks = top.map { finding in
            CheckResult(name: "\(finding.checkID) \(finding.title)", outcome: .failed,
                        detail: "\(finding.object.kind) \(finding.object.namespace)/\(finding.object.name)"
                            + (finding.container.map { " container \($0)" } ?? "") + ": \(finding.message)",
                        severity: Self.analysisSeverity(finding.severity))
        }
        let request = AnalysisRequest(
            subject: subject,
            question: "Which of these \(report.counts.total) security findings (risk score \(report.riskScore)) should be fixed first, and how?",
            facts: AnalysisFacts(checks: checks))
        return await analyzer.analyze(request)
    }

    static func analysisSeverity(_ severity: AuditChecks.Severity) -> Analysis.Severity {
        switch severity {
        case .critical: .critical
        case .high, .medium: .warning
        case .low: .info
        }
    }
}
