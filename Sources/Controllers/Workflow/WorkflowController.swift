import KubeClient
import OperatorKit
import OpsAPI

/// The OpsWorkflow controllers: `opsworkflow` (definitions and triggers) and
/// `opsworkflowrun` (execution), registered together.
///
/// The run controller's actions read the manager's caches (pods, nodes, Deployments,
/// BlueGreenDeployments, AlertRules, Secrets). Their informers are opened on demand, by
/// the first action that runs (see ``InformerCache/synced(_:timeout:)``), so an operator
/// without workflows never caches the cluster's pods and nodes for them.
public enum WorkflowController: OperatorController {
    public static let name = "opsworkflow"
    public static let runName = "opsworkflowrun"
    public static let resource = ResourceDescriptor(OpsWorkflow.self)
    public static let runs = ResourceDescriptor(OpsWorkflowRun.self)

    static let read: [ResourceDescriptor] = [
        WorkloadTargets.pods, WorkloadTargets.nodes, WorkloadTargets.deployments, WorkloadTargets.rollouts,
        WorkloadTargets.alertRules, SecretValues.secrets,
    ]

    /// How long an action waits for those informers' first lists before it reports them and
    /// is tried again.
    static let syncTimeout = Duration.seconds(60)

    @discardableResult
    public static func register(in context: OperatorContext) throws -> Controller {
        let metrics = WorkflowMetrics(factory: context.manager.metricsFactory)
        let ledger = JobLedger()
        _ = try context.manager.addController(
            named: runName, for: runs, owns: [],
            options: Controller.Options(workers: context.configuration.workers)
        ) { kit in
            RunReconciler(kit: kit, operatorContext: context, ledger: ledger, metrics: metrics)
        }
        return try context.manager.addController(
            named: name, for: resource, owns: [runs],
            options: Controller.Options(workers: context.configuration.workers)
        ) { kit in
            WorkflowReconciler(kit: kit)
        }
    }
}
