import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// One pass over a run's steps: starts what is ready, skips what its condition rules out,
/// collects job results, retries, times out and checks approvals. Every transition is
/// recorded in the step's status and as an Event.
struct RunStepper {
    let reconciler: RunReconciler
    let uid: String
    var state: RunState
    let cancelReason: String?

    var kit: ControllerContext { reconciler.kit }

    mutating func advance(_ pass: inout Reconciliation<OpsWorkflowRunStatus>, wakeAt: inout [Date]) {
        var progressed = true
        while progressed {
            progressed = false
            for i in state.steps.indices {
                let before = state.steps[i]
                step(i, &pass, wakeAt: &wakeAt)
                if state.steps[i].typedPhase != before.typedPhase { progressed = true }
            }
        }
    }

    private mutating func step(_ i: Int, _ pass: inout Reconciliation<OpsWorkflowRunStatus>, wakeAt: inout [Date]) {
        let step = state.all[i]
        let isExit = i >= state.main.count
        switch state.steps[i].typedPhase {
        case .pending:
            guard state.isReady(i) else { return }
            if let cancelReason, !isExit { return finish(i, .cancelled, cancelReason, &pass) }
            if !isExit, state.isFailing, step.condition == nil { return finish(i, .skipped, "not run: an earlier step failed", &pass) }
            if let condition = step.condition {
                do {
                    if try !state.evaluate(condition, cancelled: cancelReason != nil) {
                        return finish(i, .skipped, "condition is false: \(condition)", &pass)
                    }
                } catch { return finish(i, .failed, error.description, &pass) }
            }
            start(i, attempt: 1, &pass, wakeAt: &wakeAt)
        case .running:
            if let cancelReason, !isExit {
                stopJob(i)
                return finish(i, .cancelled, cancelReason, &pass)
            }
            poll(i, &pass, wakeAt: &wakeAt)
        case .retrying:
            if let cancelReason, !isExit { return finish(i, .cancelled, cancelReason, &pass) }
            let at = state.steps[i].retryAt.flatMap(KubeTimestamp.parse) ?? pass.now
            if at > pass.now { wakeAt.append(at); return }
            start(i, attempt: (state.steps[i].attempts ?? 0) + 1, &pass, wakeAt: &wakeAt)
        case .waitingForApproval:
            if let cancelReason, !isExit { return finish(i, .cancelled, cancelReason, &pass) }
            approval(i, &pass, wakeAt: &wakeAt)
        case .succeeded, .failed, .skipped, .cancelled:
            return
        }
    }

    // MARK: transitions

    private mutating func start(_ i: Int, attempt: Int, _ pass: inout Reconciliation<OpsWorkflowRunStatus>, wakeAt: inout [Date]) {
        let step = state.all[i]
        state.steps[i].startedAt = KubeTime(pass.now).description
        state.steps[i].retryAt = nil
        if let gate = step.approval {
            state.steps[i].phase = StepPhase.waitingForApproval.rawValue
            state.steps[i].message = gate.message ?? "waiting for `opsagent workflow approve \(pass.name) \(step.name)`"
            pass.record(.normal, reason: "ApprovalRequested", message: "\(step.name): \(state.steps[i].message ?? "")")
            approval(i, &pass, wakeAt: &wakeAt)
            return
        }
        state.steps[i].phase = StepPhase.running.rawValue
        state.steps[i].attempts = attempt
        state.steps[i].message = attempt == 1 ? "running" : "attempt \(attempt)"
        pass.record(.normal, reason: "StepStarted", message: "\(step.name) (\(step.actionID ?? "")) attempt \(attempt)")
        reconciler.ledger.insert(jobID(i))
        poll(i, &pass, wakeAt: &wakeAt)
    }

    private func jobID(_ i: Int) -> String { RunState.jobID(run: uid, step: state.steps[i].name, attempt: state.steps[i].attempts ?? 1) }

    private func stopJob(_ i: Int) {
        kit.jobs.forget(jobID(i))
        reconciler.ledger.remove(jobID(i))
    }

    /// Collects the attempt's job result (starting the job when this process has not).
    private mutating func poll(_ i: Int, _ pass: inout Reconciliation<OpsWorkflowRunStatus>, wakeAt: inout [Date]) {
        let step = state.all[i]
        guard let action = ActionRegistry.action(for: step) else {
            return finish(i, .failed, "\(step.actionID ?? "?") is not an action of this operator", &pass)
        }
        let id = jobID(i)
        let attemptStart = state.steps[i].startedAt.flatMap(KubeTimestamp.parse) ?? pass.now
        if let timeout = step.timeoutSeconds {
            let end = attemptStart.addingTimeInterval(Double(timeout))
            if pass.now >= end {
                stopJob(i)
                return failAttempt(i, "timed out after \(timeout)s", [:], retryable: true, &pass, wakeAt: &wakeAt)
            }
            wakeAt.append(end)
        }
        if !reconciler.ledger.contains(id) {
            // Running in the status, unknown here: an earlier operator process ran it.
            guard action.resumable else {
                return failAttempt(i, "interrupted by an operator restart; \(step.actionID ?? "") is not repeated, as that could notify twice",
                                   [:], retryable: false, &pass, wakeAt: &wakeAt)
            }
            reconciler.ledger.insert(id)
            pass.record(.normal, reason: "StepResumed", message: "\(step.name) attempt \(state.steps[i].attempts ?? 1) resumed after an operator restart")
        }
        let context = ActionContext(
            api: kit.api, cache: kit.cache, operatorContext: reconciler.operatorContext, clock: kit.clock,
            namespace: pass.namespace, runName: pass.name, runUID: uid, workflow: state.run.spec.workflowRef, step: step,
            runParameters: state.run.spec.parameters ?? [:], priorOutputs: state.outputs)
        let cache = kit.cache
        guard let outcome = kit.jobs.result(of: id, as: ActionOutcome.self, start: {
            // The caches actions read are opened by the first action that runs.
            do throws(CacheNotSynced) {
                try await cache.synced(WorkflowController.read, timeout: WorkflowController.syncTimeout)
            } catch {
                return .waiting(error.description, recheck: .seconds(5))
            }
            return await action.run(context)
        }, then: pass.wake) else { return }
        let metrics = reconciler.metrics
        switch outcome {
        case .waiting(let message, let recheck):
            kit.jobs.forget(id)
            state.steps[i].message = message
            wakeAt.append(pass.now.addingTimeInterval(recheck.seconds))
        case .succeeded(let outputs):
            state.steps[i].outputs = StepStatus.bounded(outputs)
            metrics.stepFinished(action: step.actionID ?? "", failed: false, seconds: pass.now.timeIntervalSince(attemptStart))
            finish(i, .succeeded, "succeeded", &pass)
        case .failed(let message, let outputs):
            metrics.stepFinished(action: step.actionID ?? "", failed: true, seconds: pass.now.timeIntervalSince(attemptStart))
            failAttempt(i, message, outputs, retryable: true, &pass, wakeAt: &wakeAt)
        }
    }

    private mutating func failAttempt(_ i: Int, _ message: String, _ outputs: [String: String], retryable: Bool,
                                      _ pass: inout Reconciliation<OpsWorkflowRunStatus>, wakeAt: inout [Date]) {
        let step = state.all[i]
        let attempts = state.steps[i].attempts ?? 1
        if !outputs.isEmpty { state.steps[i].outputs = StepStatus.bounded(outputs) }
        if retryable, attempts <= step.retries?.limit ?? 0 {
            let at = pass.now.addingTimeInterval(RunState.backoff(step.retries, attempt: attempts).seconds)
            state.steps[i].phase = StepPhase.retrying.rawValue
            state.steps[i].retryAt = KubeTime(at).description
            state.steps[i].message = "attempt \(attempts) failed: \(message)"
            pass.record(.warning, reason: "StepRetrying", message: "\(step.name): attempt \(attempts) failed (\(message)); retry at \(KubeTime(at))")
            wakeAt.append(at)
            return
        }
        finish(i, .failed, message, &pass)
    }

    private mutating func approval(_ i: Int, _ pass: inout Reconciliation<OpsWorkflowRunStatus>, wakeAt: inout [Date]) {
        let step = state.all[i]
        if let approver = state.run.metadata.annotations?[OpsWorkflowRun.approvePrefix + step.name], !approver.isEmpty {
            state.steps[i].approvedBy = approver
            state.steps[i].approvedAt = KubeTime(pass.now).description
            state.steps[i].outputs = ["approvedBy": approver]
            return finish(i, .succeeded, "approved by \(approver)", &pass)
        }
        if let timeout = step.approval?.timeoutSeconds {
            let end = (state.steps[i].startedAt.flatMap(KubeTimestamp.parse) ?? pass.now).addingTimeInterval(Double(timeout))
            if pass.now >= end { return finish(i, .failed, "not approved within \(timeout)s", &pass) }
            wakeAt.append(end)
        }
    }

    private mutating func finish(_ i: Int, _ phase: StepPhase, _ message: String, _ pass: inout Reconciliation<OpsWorkflowRunStatus>) {
        state.steps[i].phase = phase.rawValue
        state.steps[i].message = message
        state.steps[i].retryAt = nil
        state.steps[i].finishedAt = KubeTime(pass.now).description
        if phase == .skipped || (phase == .cancelled && state.steps[i].startedAt == nil) { state.steps[i].finishedAt = nil }
        let name = state.steps[i].name
        let type: EventRecorder.EventType = phase == .failed ? .warning : .normal
        pass.record(type, reason: "Step\(phase.rawValue)", message: "\(name): \(message)")
    }
}
