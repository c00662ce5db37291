import Metrics
import OpsAPI

/// Prometheus series of workflows:
///
/// - `opsagent_workflow_runs_started_total{namespace,workflow}`;
/// - `opsagent_workflow_runs_total{namespace,workflow,phase}`: finished runs by phase;
/// - `opsagent_workflow_run_duration_seconds{namespace,workflow}`;
/// - `opsagent_workflow_step_duration_seconds{action}`: attempts, by action;
/// - `opsagent_workflow_step_failures_total{action}`: failed attempts, by action.
struct WorkflowMetrics: Sendable {
    let factory: any MetricsFactory

    func runStarted(namespace: String, workflow: String) {
        Counter(label: "opsagent_workflow_runs_started_total", dimensions: [("namespace", namespace), ("workflow", workflow)], factory: factory)
            .increment()
    }

    func runFinished(namespace: String, workflow: String, phase: RunPhase, seconds: Double) {
        let labels = [("namespace", namespace), ("workflow", workflow)]
        Counter(label: "opsagent_workflow_runs_total", dimensions: labels + [("phase", phase.rawValue)], factory: factory).increment()
        Recorder(label: "opsagent_workflow_run_duration_seconds", dimensions: labels, aggregate: true, factory: factory)
            .record(max(0, seconds))
    }

    func stepFinished(action: String, failed: Bool, seconds: Double) {
        Recorder(label: "opsagent_workflow_step_duration_seconds", dimensions: [("action", action)], aggregate: true, factory: factory)
            .record(max(0, seconds))
        if failed {
            Counter(label: "opsagent_workflow_step_failures_total", dimensions: [("action", action)], factory: factory).increment()
        }
    }
}
