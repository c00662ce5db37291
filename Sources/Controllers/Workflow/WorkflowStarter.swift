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
/// `severity`, `value`, `summary` (the analysis), then the action's own `parameters`.
struct WorkflowStarter: Notifier {
    let api: any KubernetesAPI
    let workflow: String
    let parameters: [String: String]
    /// The namespace of the rule (and of the workflow).
    let namespace: String

    func send(_ notice: AlertNotice) async throws {
        guard notice.status == .firing, !notice.isRepeat else { return }
        var inputs = notice.series.first?.labels ?? [:]
        for (key, value) in notice.labels { inputs[key] = value }
        inputs["alertname"] = notice.rule
        inputs["severity"] = notice.severity
        if let value = notice.value { inputs["value"] = String(value) }
        if let summary = notice.analysisSummary { inputs["summary"] = String(summary.prefix(1024)) }
        inputs["namespace"] = notice.series.first?.labels["namespace"] ?? namespace
        for (key, value) in parameters { inputs[key] = value }
        let runName = WorkflowReconciler.runName(workflow: workflow, key: "a" + WorkflowReconciler.hash(notice.dedupKey))
        do {
            try await WorkflowRuns.start(api: api, namespace: namespace, workflow: workflow, parameters: inputs, trigger: "alert", runName: runName)
        } catch let failure as WorkflowRuns.Failure {
            throw NotifyError(failure.description)
        }
    }
}
