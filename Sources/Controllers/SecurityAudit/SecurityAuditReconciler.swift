import Analysis
import AuditChecks
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// Reconciles one SecurityAudit: decides whether a run is due (first run, spec change,
/// `opsagent.dev/run` token, schedule slot), runs it as a background job keyed by the run,
/// and on completion writes a SecurityReport child, the bounded status, metrics and an
/// Event for new critical findings; then sleeps until the next slot.
struct SecurityAuditReconciler: ObjectReconciler {
    typealias Object = SecurityAudit
    typealias Status = SecurityAuditStatus

    let kit: ControllerContext
    let runner: AuditRunner
    let metrics: AuditMetrics

    func validate(_ audit: SecurityAudit) -> [SpecError] {
        var problems: [SpecError] = []
        if let schedule = audit.spec.schedule {
            do { _ = try Schedule(schedule, timeZone: audit.spec.timeZone) } catch { problems.append(error) }
        } else if audit.spec.timeZone != nil {
            problems.append(SpecError(field: "spec.timeZone", message: "is set without spec.schedule"))
        }
        problems += runner.engine.validate(audit.spec.policy).map { SpecError(field: $0.fieldPath, message: $0.message) }
        return problems
    }

    func reconcile(_ audit: SecurityAudit, _ pass: inout Reconciliation<SecurityAuditStatus>) async throws -> ReconcileResult {
        let generation = Int64(audit.metadata.generation ?? 0)
        if audit.spec.suspend == true {
            pass.status.phase = "Suspended"
            pass.status.nextRun = nil
            pass.status.message = "suspended: no run starts until spec.suspend is false"
            pass.conditions.ready(reason: "Suspended", message: pass.status.message ?? "")
            return .done
        }
        let schedule = try audit.spec.schedule.map { schedule throws(SpecError) in try Schedule(schedule, timeZone: audit.spec.timeZone) }
        let token = audit.metadata.annotations?[SecurityAudit.runAnnotation]
        let decision = RunDecision.decide(schedule: schedule, generation: generation, token: token, status: pass.status, now: pass.now)

        guard let run = decision.run, let runID = decision.runID(generation: generation) else {
            settle(&pass, failOn: audit.spec.failOn)
            pass.status.nextRun = decision.nextRun.map { KubeTime($0).description }
            if let next = decision.nextRun { return .requeue(at: next, now: pass.now) }
            return .done
        }

        let jobID = Self.jobPrefix(pass.key) + runID
        let policy = audit.spec.policy
        let subject = AnalysisSubject(kind: SecurityAudit.kind, namespace: pass.namespace, name: pass.name)
        let started = pass.now
        guard let outcome = kit.jobs.result(of: jobID, as: AuditRunOutcome.self, start: { [runner] in
            await runner.run(runID: runID, policy: policy, subject: subject, now: started)
        }, then: pass.wake) else {
            pass.status.phase = "Running"
            pass.status.message = "auditing (\(run.reason.rawValue))"
            pass.conditions.reconciling(reason: "Auditing", message: "run \(runID) in progress (\(run.reason.rawValue))")
            return .done
        }
        if let notSynced = outcome.notSynced {
            // Nothing was audited; the informers keep retrying, and so does the run.
            kit.jobs.forget(jobID)
            pass.status.message = notSynced.description
            pass.conditions.stalled(reason: "CachesNotSynced", message: notSynced.description)
            return .requeue(after: Self.syncRetry)
        }
        guard let summary = outcome.summary, !outcome.parts.isEmpty else {
            pass.status.phase = "Invalid"
            pass.status.message = outcome.error
            pass.conditions.stalled(reason: "InvalidSpec", message: outcome.error ?? "the policy was refused")
            return .done
        }

        let reportName = try await writeReports(outcome.parts, audit: audit, pass: &pass)
        let reference = ReportReference(
            name: reportName, runID: runID, createdAt: RunHistory.stamp(summary.auditedAt.date),
            findings: outcome.parts.reduce(0) { $0 + $1.findings.count }, droppedFindings: outcome.parts[0].droppedFindings,
            parts: outcome.parts.count > 1 ? outcome.parts.count : nil)
        pass.status.reports = RunHistory.inserting(reference, into: pass.status.reports, limit: audit.spec.historyLimit)
        // What was asked for is served either way; but a run that started before the recorded
        // one (its job was under way when a newer run was requested) only joins the history:
        // the results in status stay the latest run's, and lastRunID never goes back.
        pass.status.lastRunGeneration = Int(generation)
        let slot = max(run.slot ?? pass.now, pass.status.lastScheduledTime.flatMap(KubeTime.init)?.date ?? .distantPast)
        pass.status.lastScheduledTime = KubeTime(slot).description
        if run.reason == .manual || run.reason == .firstRun, let token = run.token { pass.status.handledRunToken = token }
        let next = schedule?.next(after: run.slot ?? pass.now)
        pass.status.nextRun = next.map { KubeTime($0).description }
        if RunHistory.isLatest(summary.auditedAt.date, lastRun: pass.status.lastRun) {
            let previousRunJob = pass.status.lastRunID.map { Self.jobPrefix(pass.key) + $0 }
            apply(summary, outcome: outcome, runID: runID, audit: audit, pass: &pass)
            metrics.record(summary, namespace: pass.namespace, audit: pass.name)
            if let previousRunJob, previousRunJob != jobID { kit.jobs.forget(previousRunJob) }
        } else {
            kit.jobs.forget(jobID)
        }
        settle(&pass, failOn: audit.spec.failOn)
        if let next { return .requeue(at: next, now: pass.now) }
        return .done
    }

    func forget(_ key: ObjectKey) {
        kit.jobs.forget(prefix: Self.jobPrefix(key))
        metrics.forget(namespace: key.namespace ?? "", audit: key.name)
    }

    static func jobPrefix(_ key: ObjectKey) -> String { "saudit/\(key)/" }

    /// When a run whose caches had not synced is tried again.
    static let syncRetry = Duration.seconds(30)

    // MARK: status

    /// Phase and conditions from the last completed run.
    private func settle(_ pass: inout Reconciliation<SecurityAuditStatus>, failOn: AuditChecks.Severity?) {
        guard pass.status.lastRun != nil, let counts = pass.status.counts else {
            pass.status.phase = "Pending"
            pass.conditions.reconciling(reason: "Pending", message: "waiting for the first run")
            return
        }
        let failed = Self.reachesFailOn(counts, failOn)
        let summary = "\(counts.critical) critical, \(counts.high) high, \(counts.medium) medium, \(counts.low) low; risk score \(pass.status.riskScore ?? 0)"
        if failed, let failOn {
            pass.status.phase = "Failed"
            pass.status.message = "findings at or above failOn (\(failOn.rawValue)): \(summary)"
            pass.conditions.stalled(reason: "FailOnReached", message: pass.status.message ?? "")
        } else {
            pass.status.phase = "Completed"
            pass.status.message = summary
            pass.conditions.ready(reason: "Audited", message: summary)
        }
    }

    /// Whether an unwaived finding is at or above `failOn` (never without one).
    static func reachesFailOn(_ counts: SeverityCountsStatus, _ failOn: AuditChecks.Severity?) -> Bool {
        guard let failOn else { return false }
        return AuditChecks.Severity.descending.filter { $0 >= failOn }.contains { count(counts, $0) > 0 }
    }

    /// The critical findings of `findings` that the previous run (its `criticalKeys`) did not have.
    static func newCriticals(_ findings: [AuditChecks.Finding], previous: [String]?) -> [AuditChecks.Finding] {
        let seen = Set(previous ?? [])
        return findings.filter { $0.severity == .critical && !seen.contains(key($0)) }
    }

    static func count(_ counts: SeverityCountsStatus, _ severity: AuditChecks.Severity) -> Int {
        switch severity {
        case .critical: counts.critical
        case .high: counts.high
        case .medium: counts.medium
        case .low: counts.low
        }
    }

    static func key(_ finding: AuditChecks.Finding) -> String {
        [finding.checkID, finding.object.kind, finding.object.namespace, finding.object.name, finding.container ?? ""]
            .joined(separator: "|")
    }

    private func apply(_ summary: AuditRunSummary, outcome: AuditRunOutcome, runID: String,
                       audit: SecurityAudit, pass: inout Reconciliation<SecurityAuditStatus>) {
        let c = summary.counts
        let criticalKeys = summary.criticalFindings.prefix(200).map(Self.key)
        let new = Self.newCriticals(summary.criticalFindings, previous: pass.status.criticalKeys)
        if !new.isEmpty {
            let named = new.prefix(3)
                .map { "\($0.checkID) on \($0.object.kind) \($0.object.namespace.isEmpty ? "" : $0.object.namespace + "/")\($0.object.name)" }
            pass.record(.warning, reason: "NewCriticalFindings",
                        message: "\(new.count) new critical finding(s) since the last run: \(named.joined(separator: ", "))\(new.count > 3 ? ", …" : "")")
        }
        pass.status.lastRun = RunHistory.stamp(summary.auditedAt.date)
        pass.status.lastRunID = runID
        pass.status.duration = Self.format(outcome.duration)
        // The cloud posture findings (in the first report's `cloud` section) count with the cluster's.
        pass.status.counts = CloudPostureStep.counts(SeverityCountsStatus(critical: c.critical, high: c.high, medium: c.medium,
                                                                          low: c.low, waived: summary.waivedFindings),
                                                     adding: outcome.parts.first?.cloud)
        pass.status.frameworks = summary.frameworks.map {
            FrameworkStatus(framework: $0.framework.rawValue, passed: $0.passed, failed: $0.failed, score: $0.score)
        }
        pass.status.riskScore = summary.riskScore
        pass.status.objectsAudited = summary.objectsAudited
        pass.status.topFindings = summary.topFindings.map {
            FindingSummary(checkID: $0.checkID, severity: $0.severity.rawValue, title: $0.title, kind: $0.object.kind,
                           namespace: $0.object.namespace.isEmpty ? nil : $0.object.namespace, name: $0.object.name,
                           container: $0.container, message: $0.message)
        }
        pass.status.criticalKeys = criticalKeys
        pass.status.expiredWaivers = summary.expiredWaivers.map {
            "spec.exceptions[\($0.index)] (\($0.check)) expired \($0.expires?.description ?? "")"
        }
        if pass.status.expiredWaivers?.isEmpty == true { pass.status.expiredWaivers = nil }
        var analysis = AuditAnalysisStatus()
        analysis.runID = runID
        if let result = outcome.analysis {
            analysis.provider = result.provider
            analysis.summary = result.summary
            analysis.recommendations = Array(result.recommendations.prefix(5))
            analysis.degraded = result.degraded.map { "\($0)" }
        } else {
            analysis.summary = "nothing to prioritise: no findings"
        }
        pass.status.analysis = analysis
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.3fs", seconds)
    }

    // MARK: report

    /// Creates the run's SecurityReports (idempotent: their names come from the run) and
    /// deletes those of runs beyond the history limit (every part); answers the first's name.
    private func writeReports(_ parts: [SecurityReportBody], audit: SecurityAudit,
                              pass: inout Reconciliation<SecurityAuditStatus>) async throws -> String {
        let first = Self.reportName(audit: pass.name, runID: parts[0].runID)
        for (index, body) in parts.enumerated() {
            let name = SecurityReportBody.partName(first, part: index + 1)
            guard kit.cache.get(SecurityAuditController.reports, ObjectKey(namespace: pass.namespace, name: name)) == nil else { continue }
            var object = try JSONValue(encoding: SecurityReport(
                metadata: ObjectMeta(name: name, namespace: pass.namespace, labels: [SecurityReport.auditLabel: pass.name]),
                report: body))
            try OwnerReferences.setController(pass.object, of: &object)
            do { try await pass.children.create(SecurityAuditController.reports, object) } catch let error as KubeError where error.isAlreadyExists {}
        }
        let uid = pass.object["metadata"]["uid"].stringValue ?? ""
        let owned = kit.cache.list(SecurityAuditController.reports, ownedBy: uid)
        for stale in RunHistory.stale(owned, current: parts[0].runID, started: parts[0].auditedAt, limit: audit.spec.historyLimit) {
            do {
                _ = try await kit.api.delete(SecurityAuditController.reports.resource, name: stale,
                                             namespace: pass.namespace, options: DeleteOptions())
            } catch let error as KubeError where error.isNotFound {}
        }
        return first
    }

    /// `<audit>-<run>`, cut to a valid object name.
    static func reportName(audit: String, runID: String) -> String {
        let suffix = runID.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        let name = "\(audit.prefix(253 - suffix.count - 1))-\(suffix)"
        return String(name.prefix(253))
    }
}

extension SecurityAuditStatus: ObjectStatus {}
