import Foundation
import Integrations
import KubeClient
import OperatorKit
import OpsAPI

/// An AlertRule's `workflow` action: a firing notice starts a run of the OpsWorkflow with the
/// alert as its input. It goes through the rule's delivery path like any notifier (a job per
/// attempt, retried with backoff, recorded in the rule's status), and the run's name comes
/// from the rule and the firing episode, so a retry, a repeat or an operator restart finds
/// the run already there instead of starting a second one.
///
/// Parameters: the alert's labels (`namespace`, `pod`, `deployment`, …), `alertname`,
/// `severity`, `value`, `summary` (the analysis), `selector` (the rule's target pods), then
/// the action's own `parameters`.
struct WorkflowStarter: Notifier {
    let api: any KubernetesAPI
    /// Where the workflow is read (the manager's cache: the operator needs no `get` on workflows).
    let cache: InformerCache
    let workflow: String
    let parameters: [String: String]
    /// The namespace of the rule (and of the workflow).
    let namespace: String
    /// The rule's target: its pods are the incident's (`selector`, `namespace` parameters).
    var target: AlertTarget?

    func send(_ notice: AlertNotice) async throws {
        guard notice.status == .firing, !notice.isRepeat else { return }
        var inputs = notice.series.first?.labels ?? [:]
        for (key, value) in notice.labels { inputs[key] = value }
        inputs["alertname"] = notice.rule
        inputs["severity"] = notice.severity
        if let value = notice.value { inputs["value"] = String(value) }
        if let summary = notice.analysisSummary { inputs["summary"] = String(summary.prefix(1024)) }
        inputs["namespace"] = target?.namespace ?? notice.series.first?.labels["namespace"] ?? namespace
        if let selector = target?.selector, !selector.isEverything { inputs["selector"] = selector.description }
        for (key, value) in parameters { inputs[key] = value }
        let runName = WorkflowReconciler.runName(workflow: workflow, key: "a" + WorkflowReconciler.hash(notice.dedupKey))
        guard let object = cache.get(WorkflowController.resource, ObjectKey(namespace: namespace, name: workflow)) else {
            throw NotifyError("OpsWorkflow \(namespace)/\(workflow) not found")
        }
        do {
            try await WorkflowRuns.start(api: api, namespace: namespace, workflow: object, parameters: inputs, trigger: "alert", runName: runName)
        } catch let failure as WorkflowRuns.Failure {
            throw NotifyError(failure.description)
        }
    }
}
