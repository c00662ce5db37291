import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// One pass over one rollout: the state machine. What it decides goes into `pass` (status,
/// conditions, Events), which the kit writes once the pass returns.
struct RolloutPass {
    let rollout: BlueGreenDeployment
    var pass: Reconciliation<BlueGreenStatus>
    let reconciler: BlueGreenReconciler
    /// The revision this pass wrote into each color's pod template: a Service may select it
    /// at once, before the cache has the Deployment.
    var writtenRevisions: [Color: String] = [:]

    var status: BlueGreenStatus {
        get { pass.status }
        set { pass.status = newValue }
    }
    var now: Date { pass.now }
    var name: String { pass.key.name }
    var namespace: String { pass.key.namespace ?? "default" }
    var uid: String { rollout.metadata.uid ?? "" }
    var children: ChildObjects { ChildObjects(rollout: rollout, owner: pass.object) }
    var timers: RolloutTimers { RolloutTimers(status: status, spec: rollout.spec) }

    // MARK: the state machine

    mutating func run() async throws -> ReconcileResult {
        let revision = Revision.of(template: rollout.spec.template)
        let operations = pendingOperations()

        // A child the cache has not yet seen our last write to would be misjudged (a Deployment
        // scaled down a moment ago still looking ready): wait for the watch to deliver it.
        let present = presentChildren()
        if present.contains(where: { pass.children.isBehind($0.child.descriptor, $0.object) }) {
            return .requeue(after: .milliseconds(50))
        }
        // A Service or Deployment name taken by something else is a spec problem: report it
        // before anything is written, so nobody's object is overwritten.
        if let conflict = conflict(among: present) { return report(conflict) }
        do {
            return try await advance(revision: revision, operations: operations)
        } catch let taken as NameTaken {
            // The cache delivered the object after the first look; nothing was written to it.
            return report((taken.field, taken.message))
        }
    }

    mutating func report(_ conflict: (field: String, message: String)) -> ReconcileResult {
        setPhase(.degraded, "invalid spec: \(conflict.message)")
        pass.conditions.stalled(reason: "InvalidSpec", message: "\(conflict.field): \(conflict.message)")
        pass.conditions.set("Progressing", .false, reason: "InvalidSpec", message: "fix \(conflict.field) to continue")
        return .done
    }

    mutating func advance(revision: String, operations: Set<BlueGreenOperation>) async throws -> ReconcileResult {
        if operations.contains(.retry) {
            markHandled(.retry)
            if status.abortedRevision != nil {
                status.abortedRevision = nil
                status.failureReason = nil
                status.failureMessage = nil
                status.analysis = nil
                record(.normal, "RetryRequested", "retrying revision \(revision)")
            }
        }
        if operations.contains(.undo) {
            markHandled(.undo)
            if let undone = try await undo() { return undone }
        }

        switch RolloutState.of(specRevision: revision, status: status, paused: rollout.spec.isPaused) {
        case .initial(let revision):
            return try await firstDeployment(revision: revision)
        case .steady(let active, let revision):
            return try await steady(active: active, revision: revision)
        case .failed(let revision, let active):
            return try await stayFailed(revision: revision, active: active, operations: operations)
        case .paused(let revision, _):
            setPhase(.paused, "paused by spec.paused; revision \(revision) waits")
            pass.conditions.reconciling(reason: "Paused", message: status.message ?? "")
            pass.conditions.set("Progressing", .unknown, reason: "Paused", message: status.message ?? "")
            return .done
        case .rollingOut(let revision, let active):
            return try await rollOut(to: revision, active: active, operations: operations)
        }
    }

    /// The first revision goes straight to blue and serves at once: there is nothing to compare it with.
    mutating func firstDeployment(revision: String) async throws -> ReconcileResult {
        try await ensureDeployment(.blue, template: rollout.spec.template, revision: revision, replicas: rollout.spec.effectiveReplicas)
        try await ensureServices(active: (.blue, revision), preview: (.blue, revision))
        status.activeColor = Color.blue.rawValue
        status.activeRevision = revision
        status.previewRevision = nil
        status.stepStartedAt = KubeTimestamp.format(now, fractionalDigits: 3)
        addHistory(RevisionRecord(revision: revision, color: Color.blue.rawValue, images: Revision.images(of: rollout.spec.template),
                                  promotedAt: KubeTimestamp.format(now, fractionalDigits: 3), outcome: "Promoted", message: "initial deployment"))
        record(.normal, "RolloutStarted", "deploying revision \(revision) to blue (initial deployment)")
        setPhase(.progressing, "waiting for blue to become ready")
        pass.conditions.reconciling(reason: "WaitingForPods", message: status.message ?? "")
        pass.conditions.set("Promoted", .true, reason: "InitialDeployment", message: "the first revision serves traffic directly")
        return .requeue(after: .seconds(5))
    }

    /// The spec's revision is the active one: keep it running, finish post-promotion
    /// analysis, scale the previous color down when its delay is over.
    mutating func steady(active: Color, revision: String) async throws -> ReconcileResult {
        let activeDeployment = deployment(active)
        let replicas = desiredActiveReplicas(active: active, rolloutInProgress: false,
                                             hpaInCharge: try await hpaInCharge(of: activeDeployment, active: active))
        try await ensureDeployment(active, template: rollout.spec.template, revision: revision, replicas: replicas)
        try await ensureServices(active: (active, revision), preview: (active, revision))
        if status.previewRevision != nil { status.previewRevision = nil }
        let ready = Readiness(activeDeployment?.object, desired: replicas, revision: revision)
        updateReplicaCounts(activeDeployment, color: active)

        // Post-promotion analysis of a freshly promoted revision.
        if status.stableRevision != revision, let post = rollout.spec.postPromotionAnalysis, !(post.checks ?? []).isEmpty,
           status.analysis?.stage != "post" || status.analysis?.revision != revision || status.analysis?.phase == "Running" {
            guard ready.isReady else { return waitForReady(active, ready, what: "the promoted color") }
            setPhase(.promoting, "post-promotion analysis of revision \(revision)")
            pass.conditions.reconciling(reason: "PostPromotionAnalysis", message: status.message ?? "")
            switch await analyse(stage: .post, spec: post, color: active, revision: revision, desired: replicas) {
            case .running(let after): return .requeue(after: after)
            case .failed(let reason, let message):
                pass.conditions.set("AnalysisPassed", .false, reason: reason, message: message)
                return try await fail(revision: revision, active: active, reason: reason, message: message, promoted: true)
            case .passed:
                pass.conditions.set("AnalysisPassed", .true, reason: "PostPromotionAnalysisPassed", message: "post-promotion analysis of \(revision) passed")
                record(.normal, "AnalysisPassed", "post-promotion analysis of revision \(revision) passed")
            }
        }

        if ready.isReady, status.stableRevision != revision {
            status.stableRevision = revision
            scheduleScaleDown()
        }
        let scaleDown = try await scaleDownPrevious(active: active)

        if ready.isReady {
            setPhase(.healthy, "revision \(revision) serves on \(active.rawValue) with \(ready.available)/\(replicas) pods available")
            pass.conditions.set("Progressing", .false, reason: "RolloutComplete", message: "revision \(revision) is fully rolled out")
            pass.conditions.ready(reason: "Healthy", message: "revision \(revision) serves with \(ready.available)/\(replicas) available")
            if scaleDown != nil {
                pass.conditions.set(ConditionType.reconciling, .true, reason: "ScaleDownPending",
                                    message: "the previous color is scaled down at \(status.scaleDownAt ?? "its delay")")
            }
            return scaleDown.map { .requeue(after: $0) } ?? .done
        }
        if timers.deadlinePassed(at: now) && ready.available == 0 {
            setPhase(.degraded, "\(active.rawValue) has \(ready.ready)/\(replicas) ready pods after \(rollout.spec.effectiveProgressDeadlineSeconds)s")
            pass.conditions.stalled(reason: "ProgressDeadlineExceeded", message: status.message ?? "")
            return .requeue(after: .seconds(30))
        }
        return waitForReady(active, ready, what: "the active color")
    }

    /// The spec names a revision that failed or was aborted: stay on the stable color until
    /// retry or a new spec.
    mutating func stayFailed(revision: String, active: Color, operations: Set<BlueGreenOperation>) async throws -> ReconcileResult {
        try await ensureServices(active: (active, status.activeRevision ?? revision), preview: (active, status.activeRevision ?? revision))
        _ = try await scaleDeployment(active.other, to: 0)
        updateReplicaCounts(deployment(active), color: active)
        if operations.contains(.abort) { markHandled(.abort) }
        if operations.contains(.promote) { markHandled(.promote) }
        // Every pass states the conditions, so a transient error reported in between does not stick.
        let reason = status.failureReason ?? "RolledBack"
        pass.conditions.stalled(reason: reason, message: status.message ?? "revision \(revision) failed; retry or change the spec")
        return .done
    }

    /// A new revision: bring up the other color, analyse it, switch, or fail and roll back.
    mutating func rollOut(to revision: String, active: Color, operations: Set<BlueGreenOperation>) async throws -> ReconcileResult {
        let preview = active.other
        if operations.contains(.abort) {
            markHandled(.abort)
            return try await fail(revision: revision, active: active, reason: "Aborted", message: "aborted by request", promoted: false)
        }

        // A revision still running on the other color, which served before: switch back at once.
        if let previewDeployment = deployment(preview), previewDeployment.revision == revision,
           (status.history ?? []).contains(where: { $0.revision == revision && $0.outcome == "Promoted" }) || status.stableRevision == revision,
           Readiness(previewDeployment.object, desired: rollout.spec.effectiveReplicas, revision: revision).isReady {
            if status.previewRevision != revision { status.analysis = nil }
            return try await promote(revision: revision, from: active, to: preview, skipAnalysis: true,
                                     message: "revision \(revision) was still running on \(preview.rawValue): switched back without re-analysis")
        }

        if status.previewRevision != revision {
            if let superseded = status.previewRevision {
                addHistory(RevisionRecord(revision: superseded, color: preview.rawValue, images: [], outcome: "Superseded",
                                          message: "replaced by \(revision) before promotion"))
            }
            status.previewRevision = revision
            status.stepStartedAt = KubeTimestamp.format(now, fractionalDigits: 3)
            status.analysisPassedAt = nil
            status.analysis = nil
            record(.normal, "RolloutStarted", "rolling out revision \(revision) to \(preview.rawValue)")
            pass.conditions.set("Promoted", .false, reason: "RolloutInProgress", message: "revision \(revision) has not been promoted yet")
            pass.conditions.set("AnalysisPassed", .unknown, reason: "Pending", message: "analysis of \(revision) has not run yet")
        }
        pass.conditions.set("Progressing", .true, reason: "NewRevisionRollingOut", message: "rolling out revision \(revision) to \(preview.rawValue)")
        pass.conditions.reconciling(reason: "RolloutInProgress", message: "revision \(revision) is being rolled out")

        // Never scale the live stack down before the switch; the preview matches what serves now.
        let activeReplicas = desiredActiveReplicas(active: active, rolloutInProgress: true)
        let previewReplicas = max(rollout.spec.effectiveReplicas, deployment(active)?.specReplicas ?? 0)
        let activeRevision = status.activeRevision ?? ""
        try await ensureDeployment(active, template: deployment(active)?.specTemplate ?? rollout.spec.template,
                                   revision: activeRevision, replicas: activeReplicas, keepTemplate: true)
        try await ensureDeployment(preview, template: rollout.spec.template, revision: revision, replicas: previewReplicas)
        try await ensureServices(active: (active, activeRevision), preview: (preview, revision))
        updateReplicaCounts(deployment(active), color: active)

        let previewState = Readiness(deployment(preview)?.object, desired: previewReplicas, revision: revision)
        let promoteRequested = operations.contains(.promote)
        if !previewState.isReady {
            if timers.deadlinePassed(at: now) {
                return try await fail(revision: revision, active: active, reason: "ProgressDeadlineExceeded",
                                      message: "\(preview.rawValue) had \(previewState.ready)/\(previewReplicas) ready pods of revision \(revision) after \(rollout.spec.effectiveProgressDeadlineSeconds)s",
                                      promoted: false)
            }
            setPhase(.progressing, "waiting for \(preview.rawValue) (revision \(revision)): \(previewState.ready)/\(previewReplicas) ready")
            return .requeue(after: min(.seconds(10), timers.untilDeadline(at: now)))
        }

        // Pre-promotion analysis.
        var analysisPassed = status.analysis?.stage == "pre" && status.analysis?.revision == revision && status.analysis?.phase == "Successful"
        if !analysisPassed && !promoteRequested {
            setPhase(.analyzing, "analysing \(preview.rawValue) (revision \(revision)) before promotion")
            switch await analyse(stage: .pre, spec: rollout.spec.prePromotionAnalysis, color: preview, revision: revision, desired: previewReplicas) {
            case .running(let after): return .requeue(after: min(after, timers.untilDeadline(at: now) + .seconds(1)))
            case .failed(let reason, let message):
                pass.conditions.set("AnalysisPassed", .false, reason: reason, message: message)
                return try await fail(revision: revision, active: active, reason: reason, message: message, promoted: false)
            case .passed:
                analysisPassed = true
                status.analysisPassedAt = KubeTimestamp.format(now, fractionalDigits: 3)
                pass.conditions.set("AnalysisPassed", .true, reason: "PrePromotionAnalysisPassed", message: "pre-promotion analysis of \(revision) passed")
                record(.normal, "AnalysisPassed", "pre-promotion analysis of revision \(revision) passed")
            }
        }

        // Promotion: on request, or automatically after the delay.
        if promoteRequested {
            markHandled(.promote)
            return try await promote(revision: revision, from: active, to: preview, skipAnalysis: !analysisPassed, message: "promoted by request")
        }
        guard (rollout.spec.autoPromotion ?? AutoPromotion()).isEnabled else {
            setPhase(.paused, "revision \(revision) passed analysis and waits for promotion: opsagent promote \(name) -n \(namespace)")
            pass.conditions.reconciling(reason: "WaitingForPromotion", message: status.message ?? "")
            return .done
        }
        if let wait = timers.untilPromotion(at: now) {
            setPhase(.analyzing, "analysis passed; promoting revision \(revision) in \(Int(wait.seconds.rounded(.up)))s")
            return .requeue(after: wait)
        }
        return try await promote(revision: revision, from: active, to: preview, skipAnalysis: false, message: "analysis passed")
    }
}
