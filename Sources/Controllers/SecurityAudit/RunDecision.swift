import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// Whether a pass starts a run, and which: a pure function of the spec's timing, the
/// run token, what the status says was run last, and the time.
struct RunDecision: Sendable, Equatable {
    enum Reason: String, Sendable {
        case firstRun = "FirstRun"
        case specChanged = "SpecChanged"
        case manual = "ManualRun"
        case scheduled = "Scheduled"
    }

    /// A run due now, nil when none is. `slot` is the schedule slot a scheduled run serves;
    /// other runs are identified by their reason (and token) so that the job keeps its
    /// identity across passes while it runs.
    var run: (reason: Reason, slot: Date?, token: String?)?
    /// When the next scheduled run is due (after the run above, if any); nil without a schedule.
    var nextRun: Date?

    static func == (a: RunDecision, b: RunDecision) -> Bool {
        a.run?.reason == b.run?.reason && a.run?.slot == b.run?.slot && a.run?.token == b.run?.token && a.nextRun == b.nextRun
    }

    /// The identifier of a run: the same inputs give the same job and the same report name.
    func runID(generation: Int64) -> String? {
        guard let run else { return nil }
        switch run.reason {
        case .scheduled: return "g\(generation)-\(Int64((run.slot ?? .distantPast).timeIntervalSince1970))"
        case .manual:
            let token = String((run.token ?? "").unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }
                .prefix(32).map(Character.init))
            return "g\(generation)-run-\(token)"
        case .firstRun: return "g\(generation)-first"
        case .specChanged: return "g\(generation)-spec"
        }
    }

    /// - Parameters:
    ///   - schedule: the parsed `spec.schedule`, nil for a one-shot audit.
    ///   - token: the `opsagent.dev/run` annotation.
    static func decide(schedule: Schedule?, generation: Int64, token: String?, status: SecurityAuditStatus, now: Date) -> RunDecision {
        let lastSlot = status.lastScheduledTime.flatMap(KubeTime.init)?.date
        let lastRun = status.lastRun.flatMap(KubeTime.init)?.date
        func next(after date: Date) -> Date? { schedule?.next(after: date) }

        let pendingToken = (token?.isEmpty == false && token != status.handledRunToken) ? token : nil
        guard let lastRun else {
            return RunDecision(run: (.firstRun, nil, pendingToken), nextRun: next(after: now))
        }
        if let pendingToken {
            return RunDecision(run: (.manual, nil, pendingToken), nextRun: next(after: now))
        }
        if status.lastRunGeneration.map(Int64.init) != generation {
            return RunDecision(run: (.specChanged, nil, nil), nextRun: next(after: now))
        }
        guard schedule != nil, var due = next(after: lastSlot ?? lastRun) else {
            return RunDecision(run: nil, nextRun: nil)
        }
        guard due <= now else { return RunDecision(run: nil, nextRun: due) }
        // Missed slots (the operator was down) collapse into one run for the latest.
        var skipped = 0
        while let later = next(after: due), later <= now, skipped < 10_000 {
            due = later
            skipped += 1
        }
        return RunDecision(run: (.scheduled, due, nil), nextRun: next(after: due))
    }
}
