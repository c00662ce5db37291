import Foundation
import KubeClient
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI

/// The job ids this operator process started (or resumed). A step the status shows Running
/// whose attempt is not here was running when an earlier process died: a resumable action
/// is run again (it finds what its first run did by the idempotency key), any other fails.
final class JobLedger: Sendable {
    private let ids = NIOLockedValueBox<Set<String>>([])
    func contains(_ id: String) -> Bool { ids.withLockedValue { $0.contains(id) } }
    func insert(_ id: String) { _ = ids.withLockedValue { $0.insert(id) } }
    func remove(_ id: String) { _ = ids.withLockedValue { $0.remove(id) } }
    func remove(prefix: String) { ids.withLockedValue { $0 = $0.filter { !$0.hasPrefix(prefix) } } }
}

/// Executes one OpsWorkflowRun: admits it (concurrency policy), then on every pass starts the
/// steps whose predecessors finished (or skips them), collects the results of their
/// background jobs, retries, times out, waits for approvals, runs the onExit steps, and
/// finishes the run. All state is in the run's status; each action runs as a job of the kit.
///
/// **Conditions.** A step whose `condition` is false is Skipped and the run goes on; a
/// later step may still run. (The seed's sketch stopped the whole loop at the first false
/// condition, which would make `rollback-if-needed` unreachable whenever validation was
/// skipped; Skipped keeps every step's outcome visible, as Argo's `when` does.)
/// **Failures.** After a step fails (without `continueOnFailure`), steps without a
/// condition are Skipped; steps with one are still evaluated — a condition such as
/// `post-deployment-validation.failed` is how a step handles an earlier failure — and the
/// run ends Failed.
struct RunReconciler: ObjectReconciler {
    typealias Object = OpsWorkflowRun
    typealias Status = OpsWorkflowRunStatus

    let kit: ControllerContext
    let operatorContext: OperatorContext
    let ledger: JobLedger
    let metrics: WorkflowMetrics

    func validate(_ run: OpsWorkflowRun) -> [SpecError] {
        WorkflowValidation.problems(steps: run.spec.steps, onExit: run.spec.onExit ?? [], path: "spec")
    }

    func reconcile(_ run: OpsWorkflowRun, _ pass: inout Reconciliation<OpsWorkflowRunStatus>) async throws -> ReconcileResult {
        let uid = pass.object["metadata"]["uid"].stringValue ?? ""
        var state = RunState(run: run, status: pass.status)
        if let phase = pass.status.phase.flatMap(RunPhase.init(rawValue:)), phase.isFinished {
            forgetJobs(of: state, uid: uid)
            settle(phase, &pass)
            return .done
        }
        if pass.status.phase == nil || pass.status.phase == RunPhase.pending.rawValue {
            guard try await admit(run, uid: uid, &pass) else { return .done }
        }
        forgetJobs(of: state, uid: uid)
        let started = pass.status.startedAt.flatMap(KubeTimestamp.parse) ?? pass.now
        var cancelReason: String? = run.spec.cancel == true ? "the run was cancelled" : nil
        var wakeAt: [Date] = []
        if let deadline = run.spec.activeDeadlineSeconds {
            let end = started.addingTimeInterval(Double(deadline))
            if pass.now >= end { cancelReason = "activeDeadlineSeconds (\(deadline)s) exceeded" } else { wakeAt.append(end) }
        }
        var stepper = RunStepper(reconciler: self, uid: uid, state: state, cancelReason: cancelReason)
        stepper.advance(&pass, wakeAt: &wakeAt)
        state = stepper.state

        pass.status.steps = state.steps
        pass.status.progress = state.progress
        pass.status.currentStep = state.current
        if state.allFinished {
            let phase = cancelReason.map { $0.hasPrefix("activeDeadline") ? RunPhase.failed : .cancelled } ?? state.outcome(cancelled: false)
            finish(phase, reason: cancelReason, state: state, started: started, &pass)
            return .done
        }
        let phase = state.activePhase
        if pass.status.phase != phase.rawValue, phase == .waitingForApproval {
            pass.record(.normal, reason: "WaitingForApproval", message: "waiting for approval of \(state.current ?? "")")
        }
        pass.status.phase = phase.rawValue
        pass.status.message = state.current.map { "running \($0)" } ?? "starting the next step"
        pass.conditions.reconciling(reason: phase.rawValue, message: "\(state.progress) steps finished; \(pass.status.message ?? "")")
        if let next = wakeAt.min() { return .requeue(at: next, now: pass.now) }
        return .done
    }

    func forget(_ key: ObjectKey) {
        // Job ids carry the run's uid, which the key does not give: the ledger keeps ids, and
        // the kit's bounded result store drops results of deleted runs in time.
    }

    // MARK: admission

    /// Starts a Pending run unless its workflow's policy holds it: Forbid cancels it while an
    /// older run of the workflow is active; Replace cancels the older active runs.
    private func admit(_ run: OpsWorkflowRun, uid: String, _ pass: inout Reconciliation<OpsWorkflowRunStatus>) async throws -> Bool {
        let policy = run.spec.concurrencyPolicy.flatMap(ConcurrencyPolicy.init(rawValue:)) ?? .allow
        let older = olderActiveRuns(run, pass.object)
        switch policy {
        case .forbid where !older.isEmpty:
            let names = older.compactMap { $0["metadata"]["name"].stringValue }
            pass.status.phase = RunPhase.cancelled.rawValue
            pass.status.finishedAt = KubeTime(pass.now).description
            pass.status.message = "concurrencyPolicy Forbid: \(names.joined(separator: ", ")) is still active"
            pass.record(.warning, reason: "Forbidden", message: pass.status.message ?? "")
            settle(.cancelled, &pass)
            metrics.runFinished(namespace: pass.namespace, workflow: run.spec.workflowRef, phase: .cancelled, seconds: 0)
            return false
        case .replace:
            for other in older {
                guard let name = other["metadata"]["name"].stringValue else { continue }
                _ = try await kit.api.patch(WorkflowController.runs.resource, name: name, namespace: pass.namespace, type: .merge,
                                            body: ["spec": ["cancel": true]])
                pass.record(.normal, reason: "Replaced", message: "cancelled the older run \(name) (concurrencyPolicy Replace)")
            }
        default: break
        }
        pass.status.phase = RunPhase.running.rawValue
        pass.status.startedAt = KubeTime(pass.now).description
        pass.record(.normal, reason: "RunStarted", message: "run of \(run.spec.workflowRef) started (\(run.spec.trigger ?? "manual"))")
        metrics.runStarted(namespace: pass.namespace, workflow: run.spec.workflowRef)
        return true
    }

    /// The other active runs of the same workflow that go before this one: those already
    /// started, and the pending ones created earlier (by creation time, then name).
    private func olderActiveRuns(_ run: OpsWorkflowRun, _ raw: JSONValue) -> [JSONValue] {
        let mine = (raw["metadata"]["creationTimestamp"].stringValue ?? "", raw["metadata"]["name"].stringValue ?? "")
        return kit.cache.list(WorkflowController.runs, namespace: run.metadata.namespace,
                              matching: LabelSelector(matchLabels: [OpsWorkflowRun.workflowLabel: run.spec.workflowRef]))
            .filter { other in
                let key = (other["metadata"]["creationTimestamp"].stringValue ?? "", other["metadata"]["name"].stringValue ?? "")
                guard key != mine, other["spec"]["cancel"] != true else { return false }
                let phase = other["status"]["phase"].stringValue.flatMap(RunPhase.init(rawValue:)) ?? .pending
                return phase == .pending ? key < mine : !phase.isFinished
            }
    }

    // MARK: finishing

    private func finish(_ phase: RunPhase, reason: String?, state: RunState, started: Date,
                        _ pass: inout Reconciliation<OpsWorkflowRunStatus>) {
        pass.status.phase = phase.rawValue
        pass.status.currentStep = nil
        pass.status.finishedAt = KubeTime(pass.now).description
        let failed = state.steps.filter { $0.typedPhase == .failed }.map(\.name)
        switch phase {
        case .succeeded: pass.status.message = "all steps finished (\(state.steps.filter { $0.typedPhase == .skipped }.count) skipped)"
        case .failed: pass.status.message = reason ?? "failed: \(failed.joined(separator: ", "))"
        default: pass.status.message = reason ?? "cancelled"
        }
        pass.record(phase == .succeeded ? .normal : .warning, reason: "Run\(phase.rawValue)", message: pass.status.message ?? "")
        metrics.runFinished(namespace: pass.namespace, workflow: state.run.spec.workflowRef, phase: phase,
                            seconds: pass.now.timeIntervalSince(started))
        settle(phase, &pass)
    }

    private func settle(_ phase: RunPhase, _ pass: inout Reconciliation<OpsWorkflowRunStatus>) {
        let message = pass.status.message ?? phase.rawValue
        if phase == .succeeded { pass.conditions.ready(reason: "Succeeded", message: message) } else {
            pass.conditions.stalled(reason: phase.rawValue, message: message)
        }
    }

    /// Drops the kept results of finished steps' jobs, once the status shows them finished.
    private func forgetJobs(of state: RunState, uid: String) {
        for status in state.steps where status.typedPhase.isFinished {
            let id = RunState.jobID(run: uid, step: status.name, attempt: status.attempts ?? 0)
            if ledger.contains(id) {
                kit.jobs.forget(id)
                ledger.remove(id)
            }
        }
    }
}

extension OpsWorkflowRunStatus: ObjectStatus {}
