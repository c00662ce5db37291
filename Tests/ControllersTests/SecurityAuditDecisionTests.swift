import AuditChecks
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Testing

@testable import Controllers

/// When an audit runs: first run, spec change, manual token, schedule slots (and missed
/// ones), and what the status says about the next run.
@Suite("SecurityAudit decisions")
struct SecurityAuditDecisionTests {
    let t0 = KubeTime("2026-12-07T03:00:00Z")!.date

    func status(lastRun: Date?, slot: Date? = nil, generation: Int = 1, token: String? = nil) -> SecurityAuditStatus {
        var status = SecurityAuditStatus()
        status.lastRun = lastRun.map { KubeTime($0).description }
        status.lastScheduledTime = (slot ?? lastRun).map { KubeTime($0).description }
        status.lastRunGeneration = generation
        status.handledRunToken = token
        return status
    }

    @Test func aNewAuditRunsAtOnceAndSchedulesTheNextSlot() throws {
        let hourly = try Schedule("0 * * * *")
        let decision = RunDecision.decide(schedule: hourly, generation: 1, token: nil, status: SecurityAuditStatus(), now: t0 + 600)
        #expect(decision.run?.reason == .firstRun)
        #expect(decision.runID(generation: 1) == "g1-first")
        #expect(decision.nextRun == t0 + 3600)
    }

    @Test func nothingRunsBetweenSlotsAndTheWakeUpIsTheNextSlot() throws {
        let hourly = try Schedule("0 * * * *")
        let decision = RunDecision.decide(schedule: hourly, generation: 1, token: nil, status: status(lastRun: t0 + 5), now: t0 + 1800)
        #expect(decision.run == nil)
        #expect(decision.nextRun == t0 + 3600)
    }

    @Test func aDueSlotRunsWithAnIdentityThatDoesNotChangeWhileItRuns() throws {
        let hourly = try Schedule("0 * * * *")
        let first = RunDecision.decide(schedule: hourly, generation: 1, token: nil, status: status(lastRun: t0), now: t0 + 3601)
        let later = RunDecision.decide(schedule: hourly, generation: 1, token: nil, status: status(lastRun: t0), now: t0 + 3650)
        #expect(first.run?.reason == .scheduled)
        #expect(first.run?.slot == t0 + 3600)
        #expect(first.runID(generation: 1) == later.runID(generation: 1))
        #expect(first.nextRun == t0 + 7200)
    }

    @Test func missedSlotsCollapseIntoOneRunForTheLatest() throws {
        let hourly = try Schedule("0 * * * *")
        let decision = RunDecision.decide(schedule: hourly, generation: 1, token: nil, status: status(lastRun: t0), now: t0 + 5 * 3600 + 60)
        #expect(decision.run?.slot == t0 + 5 * 3600)
        #expect(decision.nextRun == t0 + 6 * 3600)
    }

    @Test func aOneShotAuditRunsOnceThenOnlyOnSpecChangeOrToken() {
        let done = status(lastRun: t0)
        #expect(RunDecision.decide(schedule: nil, generation: 1, token: nil, status: done, now: t0 + 86_400).run == nil)
        #expect(RunDecision.decide(schedule: nil, generation: 2, token: nil, status: done, now: t0 + 1).run?.reason == .specChanged)
        let manual = RunDecision.decide(schedule: nil, generation: 1, token: "2026-12-07T03:10:00.123456Z", status: done, now: t0 + 1)
        #expect(manual.run?.reason == .manual)
        #expect(manual.runID(generation: 1) == "g1-run-20261207T031000123456Z")
        // A token already carried out does not run again.
        let handled = status(lastRun: t0, token: "2026-12-07T03:10:00.123456Z")
        #expect(RunDecision.decide(schedule: nil, generation: 1, token: "2026-12-07T03:10:00.123456Z", status: handled, now: t0 + 5).run == nil)
    }

    @Test func reportNamesAreValidObjectNames() {
        let name = SecurityAuditReconciler.reportName(audit: "cluster-audit", runID: "g3-run-20261207T031000123456Z")
        #expect(name == "cluster-audit-g3-run-20261207t031000123456z")
        #expect(SecurityAuditReconciler.reportName(audit: String(repeating: "a", count: 300), runID: "g1-first").count <= 253)
    }
}

/// What a completed run means for Ready and for the NewCriticalFindings Event.
@Suite("SecurityAudit outcomes")
struct SecurityAuditOutcomeTests {
    typealias R = SecurityAuditReconciler

    func finding(_ check: String, _ name: String, _ severity: AuditChecks.Severity) -> AuditChecks.Finding {
        AuditChecks.Finding(checkID: check, category: .podSecurity, severity: severity, title: check,
                            object: AuditObject(kind: "Deployment", namespace: "shop", name: name), container: "app",
                            message: "m")
    }

    @Test func failOnFailsAtOrAboveItsSeverityOnly() {
        let highOnly = SeverityCountsStatus(high: 1, medium: 4)
        #expect(R.reachesFailOn(highOnly, .high))
        #expect(R.reachesFailOn(highOnly, .medium))
        #expect(!R.reachesFailOn(highOnly, .critical))
        #expect(!R.reachesFailOn(highOnly, nil), "without failOn an audit never fails")
        #expect(!R.reachesFailOn(SeverityCountsStatus(waived: 9), .low), "waived findings do not count")
    }

    @Test func onlyCriticalsThePreviousRunDidNotHaveAreNew() {
        let privileged = finding("OPS-POD-001", "web", .critical)
        let hostPID = finding("OPS-POD-007", "web", .critical)
        let high = finding("OPS-POD-002", "web", .high)
        #expect(R.newCriticals([privileged, high], previous: nil) == [privileged], "first run: every critical is new")
        let previous = [R.key(privileged)]
        #expect(R.newCriticals([privileged, high], previous: previous).isEmpty, "the same criticals again: no Event")
        #expect(R.newCriticals([privileged, hostPID], previous: previous) == [hostPID])
        #expect(R.newCriticals([finding("OPS-POD-001", "api", .critical)], previous: previous).count == 1, "another object is new")
    }

    // MARK: run history

    let t0 = KubeTime("2026-12-07T03:00:00Z")!.date

    func reference(_ runID: String, startedAt offset: TimeInterval) -> ReportReference {
        ReportReference(name: "audit-\(runID)", runID: runID, createdAt: KubeTime(t0 + offset).description, findings: 1, droppedFindings: 0)
    }

    @Test func anOlderRunFinishingLaterTakesItsPlaceInTheHistoryAndNeverMovesLastRunBack() {
        // The manual run (started at +60) completed first; the spec run started at +10 completes after it.
        var history = RunHistory.inserting(reference("g1-first", startedAt: 0), into: nil, limit: 3)
        history = RunHistory.inserting(reference("g2-run-b", startedAt: 60), into: history, limit: 3)
        history = RunHistory.inserting(reference("g2-spec", startedAt: 10), into: history, limit: 3)
        #expect(history.map(\.runID) == ["g2-run-b", "g2-spec", "g1-first"])
        let lastRun = KubeTime(t0 + 60).description
        #expect(!RunHistory.isLatest(t0 + 10, lastRun: lastRun), "the older run does not become lastRun")
        #expect(RunHistory.isLatest(t0 + 120, lastRun: lastRun))
        #expect(RunHistory.isLatest(t0, lastRun: nil))
        // Over the limit, the oldest run by start goes, whichever completed last.
        history = RunHistory.inserting(reference("g2-run-c", startedAt: 90), into: history, limit: 3)
        #expect(history.map(\.runID) == ["g2-run-c", "g2-run-b", "g2-spec"])
        // The same run twice (a retried pass) is listed once.
        #expect(RunHistory.inserting(reference("g2-run-c", startedAt: 90), into: history, limit: 3).count == 3)
    }

    @Test func runsRequestedInTheSameSecondKeepTheirOrder() {
        func ref(_ runID: String, _ offset: TimeInterval) -> ReportReference {
            ReportReference(name: "a-\(runID)", runID: runID, createdAt: RunHistory.stamp(t0 + offset), findings: 0, droppedFindings: 0)
        }
        // "zzz" sorts after "aaa" by name, but started 300 ms earlier.
        let history = RunHistory.inserting(ref("g1-run-zzz", 0.2), into: [ref("g1-run-aaa", 0.5)], limit: 3)
        #expect(history.map(\.runID) == ["g1-run-aaa", "g1-run-zzz"])
        #expect(!RunHistory.isLatest(t0 + 0.2, lastRun: RunHistory.stamp(t0 + 0.5)))
        #expect(RunHistory.isLatest(t0 + 0.5, lastRun: RunHistory.stamp(t0 + 0.2)))
    }

    @Test func pruningDeletesEveryPartOfTheRunsBeyondTheLimitByStartTime() {
        func object(_ name: String, _ runID: String, _ offset: TimeInterval) -> JSONValue {
            ["metadata": ["name": .string(name)], "report": ["runID": .string(runID), "auditedAt": .string(KubeTime(t0 + offset).description)]]
        }
        let owned = [
            object("a-g1-first", "g1-first", 0), object("a-g1-first-p2", "g1-first", 0),
            object("a-g1-run-x", "g1-run-x", 100), object("a-g1-spec", "g1-spec", 50),
        ]
        // The run just written started at +20 (an older run completing late): the two latest by start stay.
        let stale = RunHistory.stale(owned, current: "g1-late", started: KubeTime(t0 + 20).description, limit: 2)
        #expect(Set(stale) == ["a-g1-first", "a-g1-first-p2"])
        let kept = RunHistory.stale(owned, current: "g1-new", started: KubeTime(t0 + 200).description, limit: 2)
        #expect(Set(kept) == ["a-g1-first", "a-g1-first-p2", "a-g1-spec"])
    }
}
