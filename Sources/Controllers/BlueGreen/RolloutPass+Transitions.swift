import Foundation
import KubeClient
import OperatorKit
import OpsAPI

extension RolloutPass {
    /// Switches the active Service to `to`.
    mutating func promote(revision: String, from: Color, to: Color, skipAnalysis: Bool, message: String) async throws -> ReconcileResult {
        try await ensureServices(active: (to, revision), preview: (to, revision))
        let previous = status.activeRevision
        status.activeColor = to.rawValue
        status.activeRevision = revision
        status.previewRevision = nil
        status.stepStartedAt = KubeTimestamp.format(now, fractionalDigits: 3)
        status.analysisPassedAt = nil
        addHistory(RevisionRecord(revision: revision, color: to.rawValue, images: Revision.images(of: rollout.spec.template),
                                  promotedAt: KubeTimestamp.format(now, fractionalDigits: 3), outcome: "Promoted", message: message))
        pass.conditions.set("Promoted", .true, reason: skipAnalysis ? "PromotedWithoutAnalysis" : "Promoted",
                            message: "revision \(revision) serves on \(to.rawValue) (\(message))")
        record(.normal, "Promoted", "switched traffic from \(from.rawValue) (\(previous ?? "none")) to \(to.rawValue) (\(revision)): \(message)")
        let hasPost = !(rollout.spec.postPromotionAnalysis?.checks ?? []).isEmpty
        if hasPost && !skipAnalysis {
            status.analysis = nil
            setPhase(.promoting, "promoted \(revision); post-promotion analysis follows")
            pass.conditions.reconciling(reason: "PostPromotionAnalysis", message: status.message ?? "")
            return .requeue(after: .milliseconds(200))
        }
        status.stableRevision = revision
        scheduleScaleDown()
        setPhase(.healthy, "revision \(revision) serves on \(to.rawValue)")
        pass.conditions.reconciling(reason: "Promoted", message: "revision \(revision) serves on \(to.rawValue); waiting for its pods to be confirmed")
        return .requeue(after: .milliseconds(200))
    }

    /// The revision failed (or was aborted): keep or put traffic back on the stable color.
    mutating func fail(revision: String, active: Color, reason: String, message: String, promoted: Bool) async throws -> ReconcileResult {
        guard rollout.spec.rollsBackOnFailure else {
            setPhase(.degraded, "revision \(revision) failed (\(reason)): \(message); rollbackOnFailure is false, nothing was changed")
            pass.conditions.stalled(reason: reason, message: status.message ?? "")
            pass.conditions.set("Progressing", .false, reason: reason, message: message)
            record(.warning, reason, status.message ?? "")
            return .done
        }
        var stableColor = active
        if promoted {
            // Traffic moved already: back to the other color, which still runs the stable revision.
            stableColor = active.other
            guard let stable = deployment(stableColor), stable.revision == status.stableRevision, (stable.specReplicas ?? 0) > 0 else {
                setPhase(.degraded, "revision \(revision) failed after promotion (\(reason)): \(message); the previous color is gone, so traffic stays")
                pass.conditions.stalled(reason: reason, message: status.message ?? "")
                record(.warning, reason, status.message ?? "")
                return .done
            }
            status.activeColor = stableColor.rawValue
            status.activeRevision = stable.revision
        }
        let stableRevision = status.activeRevision ?? status.stableRevision ?? ""
        try await ensureServices(active: (stableColor, stableRevision), preview: (stableColor, stableRevision))
        _ = try await scaleDeployment(stableColor.other, to: 0)
        status.previewRevision = nil
        status.abortedRevision = revision
        status.failureReason = reason
        status.failureMessage = message
        status.scaleDownAt = nil
        status.analysisPassedAt = nil
        status.stepStartedAt = KubeTimestamp.format(now, fractionalDigits: 3)
        let aborted = reason == "Aborted"
        addHistory(RevisionRecord(revision: revision, color: (promoted ? active : active.other).rawValue,
                                  images: Revision.images(of: rollout.spec.template), outcome: aborted ? "Aborted" : "RolledBack",
                                  message: "\(reason): \(message)"))
        let text = "revision \(revision) \(aborted ? "aborted" : "failed") (\(reason)): \(message); traffic \(promoted ? "returned" : "stayed") on \(stableColor.rawValue) (\(status.stableRevision ?? "?"))"
        setPhase(.rolledBack, text)
        pass.conditions.stalled(reason: reason, message: text)
        pass.conditions.set("Progressing", .false, reason: reason, message: message)
        // What described the rollout in progress no longer holds.
        pass.conditions.set("Promoted", .true, reason: "StableRevisionServes",
                            message: "revision \(stableRevision) serves on \(stableColor.rawValue)")
        let analysisPending: Bool
        switch pass.conditions["AnalysisPassed"] {
        case .set(.unknown, _, _)?: analysisPending = true
        case nil: analysisPending = currentCondition("AnalysisPassed")?.status == .unknown
        default: analysisPending = false
        }
        if analysisPending { pass.conditions.remove("AnalysisPassed") }
        record(.warning, aborted ? "RolloutAborted" : "RolledBack", text)
        return .done
    }

    /// Points `spec.template` back at the revision the other color runs (the previous one).
    mutating func undo() async throws -> ReconcileResult? {
        guard let active = status.activeColor.flatMap(Color.init(rawValue:)), let previous = deployment(active.other),
              let template = previous.specTemplate else {
            record(.warning, "UndoImpossible", "no previous revision is kept on the other color")
            return nil
        }
        let patch: JSONValue = [["op": "replace", "path": "/spec/template", "value": template]]
        let patched = try await pass.context.api.patch(BlueGreenController.resource.resource, name: name, namespace: namespace,
                                                        type: .json, body: patch)
        pass.context.writes.record(BlueGreenController.resource.resource, patched, owner: pass.key)
        record(.normal, "UndoRequested", "spec.template set back to revision \(previous.revision ?? "?")")
        return .requeue(after: .milliseconds(100))
    }

    // MARK: operations

    func pendingOperations() -> Set<BlueGreenOperation> {
        var ops: Set<BlueGreenOperation> = []
        for op in BlueGreenOperation.allCases {
            guard let token = rollout.metadata.annotations?[op.annotation], !token.isEmpty else { continue }
            if status.handledOperations?[op.rawValue] != token { ops.insert(op) }
        }
        return ops
    }

    mutating func markHandled(_ op: BlueGreenOperation) {
        guard let token = rollout.metadata.annotations?[op.annotation] else { return }
        var handled = status.handledOperations ?? [:]
        handled[op.rawValue] = token
        status.handledOperations = handled
    }
}
