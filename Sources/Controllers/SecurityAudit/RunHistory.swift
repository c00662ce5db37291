import Foundation
import KubeClient
import OpsAPI

/// The order of an audit's runs: by when each started (`auditedAt`, the time the run was
/// requested and audited the cluster), never by when it completed. A run started earlier
/// can finish later (its job was already under way when a newer one was requested); it
/// joins the history in its place and does not move `lastRun`/`lastRunID` back.
enum RunHistory {
    /// Start times in status and reports carry milliseconds: runs requested in the same
    /// second keep their order.
    static func stamp(_ date: Date) -> String { KubeTimestamp.format(date, fractionalDigits: 3) }

    /// Whether a run started at `started` is at least as recent as the last recorded run
    /// (`status.lastRun`); a run in the same millisecond counts as newer (it completed later).
    static func isLatest(_ started: Date, lastRun: String?) -> Bool {
        guard let last = lastRun.flatMap(KubeTime.init)?.date else { return true }
        return started.timeIntervalSince(last) > -0.001
    }

    /// `history` with `reference` in its place, latest run first, at most `limit` runs.
    static func inserting(_ reference: ReportReference, into history: [ReportReference]?, limit: Int) -> [ReportReference] {
        var references = (history ?? []).filter { $0.runID != reference.runID && $0.name != reference.name }
        references.append(reference)
        references.sort { order($0.createdAt, $0.runID) > order($1.createdAt, $1.runID) }
        return Array(references.prefix(max(1, limit)))
    }

    /// The names of the owned SecurityReports (every part) of runs beyond the `limit` latest;
    /// the run just written (`current`, started at `started`) counts even if the cache does
    /// not hold it yet.
    static func stale(_ owned: [JSONValue], current: String, started: String, limit: Int) -> [String] {
        var runs: [String: String] = [current: started]
        for object in owned {
            guard let runID = object["report"]["runID"].stringValue else { continue }
            runs[runID] = object["report"]["auditedAt"].stringValue ?? ""
        }
        let kept = Set(runs.sorted { order($0.value, $0.key) > order($1.value, $1.key) }.prefix(max(1, limit)).map(\.key))
        return owned.compactMap { object in
            guard let runID = object["report"]["runID"].stringValue, !kept.contains(runID) else { return nil }
            return object["metadata"]["name"].stringValue
        }
    }

    /// Sort key: start time, then run ID for runs started in the same second.
    private static func order(_ started: String, _ runID: String) -> (Double, String) {
        (KubeTime(started)?.date.timeIntervalSince1970 ?? 0, runID)
    }
}
