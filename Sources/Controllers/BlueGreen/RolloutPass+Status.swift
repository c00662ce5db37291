import Foundation
import KubeClient
import OperatorKit
import OpsAPI

extension RolloutPass {
    mutating func setPhase(_ phase: BlueGreenPhase, _ message: String) {
        status.phase = phase.rawValue
        status.message = message
    }

    mutating func waitForReady(_ color: Color, _ r: Readiness, what: String) -> ReconcileResult {
        setPhase(.progressing, "waiting for \(what) (\(color.rawValue)): \(r.ready)/\(r.desired) ready")
        pass.conditions.reconciling(reason: "WaitingForPods", message: status.message ?? "")
        return .requeue(after: min(.seconds(10), timers.untilDeadline(at: now)))
    }

    mutating func addHistory(_ record: RevisionRecord) {
        var history = status.history ?? []
        if let first = history.first, first.revision == record.revision, first.outcome == record.outcome { return }
        history.insert(record, at: 0)
        status.history = Array(history.prefix(rollout.spec.effectiveRevisionHistoryLimit))
    }

    /// The active color's pod counts, the READY column, the scale selector, and `Available`.
    mutating func updateReplicaCounts(_ d: ObservedDeployment?, color: Color) {
        let s = d?.object["status"] ?? .null
        let replicas = s["replicas"].intValue ?? 0, ready = s["readyReplicas"].intValue ?? 0
        let available = s["availableReplicas"].intValue ?? 0
        status.replicas = replicas
        status.readyReplicas = ready
        status.availableReplicas = available
        status.readyText = "\(ready)/\(replicas)"
        if let selector = try? children.selector(color), let ls = try? selector.decode(LabelSelector.self) {
            status.selector = ls.description
        }
        pass.conditions.set("Available", available > 0 ? .true : .false,
                            reason: available > 0 ? "MinimumReplicasAvailable" : "NoReplicasAvailable",
                            message: "\(available) pod(s) of the active color available")
    }

    /// Records the analyzer's verdict as `AnalysisDegraded`.
    mutating func noteAnalyzer(_ state: AnalysisStatus) {
        guard let verdict = state.analyzer else { return }
        if let reason = verdict.degradedReason {
            pass.conditions.set("AnalysisDegraded", .true, reason: reason,
                                message: verdict.degradedMessage ?? "the LLM was not used; the built-in analyzer answered")
        } else {
            pass.conditions.set("AnalysisDegraded", .false, reason: "AnalyzerAnswered", message: "the \(verdict.provider) analyzer answered")
        }
    }

    /// A condition as the status had it when the pass began.
    func currentCondition(_ type: String) -> Condition? {
        (pass.status.conditions ?? []).first { $0.type == type }
    }

    mutating func record(_ type: EventRecorder.EventType, _ reason: String, _ message: String) {
        pass.record(type, reason: reason, message: message)
    }
}
