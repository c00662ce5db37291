import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// Reconciles one OpsWorkflow: validates the definition (a bad one is `Ready=False,
/// InvalidSpec` with field paths, and starts nothing), turns triggers into runs — a new
/// `opsagent.dev/run` token, a schedule slot — and keeps the status (newest run, active
/// runs, next slot) and the run history (finished runs beyond `historyLimit` are deleted,
/// oldest first). The runs themselves are executed by ``RunReconciler``.
struct WorkflowReconciler: ObjectReconciler {
    typealias Object = OpsWorkflow
    typealias Status = OpsWorkflowStatus

    let kit: ControllerContext

    func validate(_ workflow: OpsWorkflow) -> [SpecError] {
        var problems = WorkflowValidation.problems(of: workflow.spec)
        if let schedule = workflow.spec.schedule {
            do { _ = try Schedule(schedule, timeZone: workflow.spec.timeZone) } catch { problems.append(error) }
        }
        return problems
    }

    func reconcile(_ workflow: OpsWorkflow, _ pass: inout Reconciliation<OpsWorkflowStatus>) async throws -> ReconcileResult {
        let uid = pass.object["metadata"]["uid"].stringValue ?? ""
        var next: Date?
        if workflow.spec.suspend != true {
            if let token = workflow.metadata.annotations?[OpsWorkflow.runAnnotation], !token.isEmpty, token != pass.status.handledRunToken {
                let run = try await WorkflowRuns.create(api: kit.api, namespace: pass.namespace, workflow: workflow, uid: uid, parameters: [:],
                                                        trigger: "manual", runName: Self.runName(workflow: pass.name, key: "m" + Self.hash(token)))
                pass.status.handledRunToken = token
                started(run, &pass)
            }
            if let text = workflow.spec.schedule {
                let schedule = try Schedule(text, timeZone: workflow.spec.timeZone)
                let last = pass.status.lastScheduledTime.flatMap(KubeTimestamp.parse)
                    ?? pass.object["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTimestamp.parse) ?? pass.now
                if let due = schedule.next(after: last), due <= pass.now {
                    // Missed slots are not caught up: one run for the latest due slot.
                    var slot = due
                    while let later = schedule.next(after: slot), later <= pass.now { slot = later }
                    let run = try await WorkflowRuns.create(api: kit.api, namespace: pass.namespace, workflow: workflow, uid: uid, parameters: [:],
                                                            trigger: "schedule", runName: Self.runName(workflow: pass.name, key: "s\(Int(slot.timeIntervalSince1970) / 60)"))
                    pass.status.lastScheduledTime = KubeTime(slot).description
                    started(run, &pass)
                    next = schedule.next(after: slot)
                } else {
                    next = schedule.next(after: last)
                }
            }
        }
        pass.status.nextRun = next.map { KubeTime($0).description }
        try await summarize(workflow, uid: uid, &pass)
        if workflow.spec.suspend == true {
            pass.conditions.ready(reason: "Suspended", message: "suspended: no scheduled or annotation-triggered run starts")
        } else {
            pass.conditions.ready(reason: "Ready", message: "\(workflow.spec.steps.count) steps; runs start \(workflow.spec.schedule.map { "on \($0), " } ?? "")by hand or from an AlertRule")
        }
        if let next { return .requeue(at: next, now: pass.now) }
        return .done
    }

    private func started(_ run: OpsWorkflowRun, _ pass: inout Reconciliation<OpsWorkflowStatus>) {
        pass.status.runsStarted = (pass.status.runsStarted ?? 0) + 1
        pass.record(.normal, reason: "RunCreated", message: "created run \(run.metadata.name ?? "") (\(run.spec.trigger ?? ""))")
    }

    /// Status from the owned runs, and the history limit.
    private func summarize(_ workflow: OpsWorkflow, uid: String, _ pass: inout Reconciliation<OpsWorkflowStatus>) async throws {
        let runs = kit.cache.list(WorkflowController.runs, ownedBy: uid).sorted {
            ($0["metadata"]["creationTimestamp"].stringValue ?? "", $0["metadata"]["name"].stringValue ?? "")
                > ($1["metadata"]["creationTimestamp"].stringValue ?? "", $1["metadata"]["name"].stringValue ?? "")
        }
        let finished: (JSONValue) -> Bool = { run in run["status"]["phase"].stringValue.flatMap(RunPhase.init(rawValue:))?.isFinished ?? false }
        pass.status.lastRun = runs.first?["metadata"]["name"].stringValue ?? pass.status.lastRun
        pass.status.lastRunPhase = runs.first.map { $0["status"]["phase"].stringValue ?? RunPhase.pending.rawValue } ?? pass.status.lastRunPhase
        let active = runs.filter { !finished($0) }.compactMap { $0["metadata"]["name"].stringValue }
        pass.status.activeRuns = active.isEmpty ? nil : Array(active.prefix(20))
        pass.status.message = "\(active.count) active run(s)"
        for stale in runs.filter(finished).dropFirst(workflow.spec.effectiveHistoryLimit) {
            guard let name = stale["metadata"]["name"].stringValue else { continue }
            do {
                _ = try await kit.api.delete(WorkflowController.runs.resource, name: name, namespace: pass.namespace, options: DeleteOptions())
            } catch let error as KubeError where error.isNotFound {}
        }
    }

    /// `<workflow>-<key>`, within the 253 characters of a name.
    static func runName(workflow: String, key: String) -> String { "\(workflow.prefix(253 - key.count - 1))-\(key)" }

    /// FNV-1a of `text`, 8 hex digits: a stable, short name part for a trigger.
    static func hash(_ text: String) -> String {
        var h: UInt32 = 2_166_136_261
        for byte in text.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return String(format: "%08x", h)
    }
}

extension OpsWorkflowStatus: ObjectStatus {}
