import KubeClient
import OperatorKit
import OpsAPI

/// The OpsWorkflow controllers: `opsworkflow` (definitions and triggers) and
/// `opsworkflowrun` (execution), registered together.
///
/// The run controller's actions read the manager's caches (pods, nodes, Deployments,
/// BlueGreenDeployments, SecurityAudits, AlertRules, Secrets); their informers are opened
/// at registration so the manager's sync covers them.
public enum WorkflowController: OperatorController {
    public static let name = "opsworkflow"
    public static let runName = "opsworkflowrun"
    public static let resource = ResourceDescriptor(OpsWorkflow.self)
    public static let runs = ResourceDescriptor(OpsWorkflowRun.self)

    static let read: [ResourceDescriptor] = [
        WorkloadTargets.pods, WorkloadTargets.nodes, WorkloadTargets.deployments, WorkloadTargets.rollouts,
        WorkloadTargets.alertRules, SecretValues.secrets,
    ]

    @discardableResult
    public static func register(in context: OperatorContext) throws -> Controller {
        for kind in read { _ = context.cache.informer(for: kind) }
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
