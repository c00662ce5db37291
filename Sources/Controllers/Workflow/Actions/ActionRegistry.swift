import OpsAPI

/// The implementations of the catalog's actions (``WorkflowActionCatalog``), by `agent.action`.
enum ActionRegistry {
    static func action(for step: WorkflowStep) -> (any StepAction)? {
        switch step.actionID {
        case CheckSystemHealth.id: CheckSystemHealth()
        case SecurityScan.id, SecurityScan.impactID: SecurityScan()
        case BlueGreenDeploy.id: BlueGreenDeploy()
        case ValidateDeployment.id: ValidateDeployment()
        case Rollback.id: Rollback()
        case AssessSeverity.id: AssessSeverity()
        case AutoRecovery.id: AutoRecovery()
        case Escalate.id: Escalate()
        case ScaleWorkload.id: ScaleWorkload()
        case RestartWorkload.id: RestartWorkload()
        case WaitForWorkload.id: WaitForWorkload()
        case ApplyManifest.id: ApplyManifest()
        case PatchObject.id: PatchObject()
        case HTTPRequestAction.id: HTTPRequestAction(method: step.parameters?["method"]?.stringValue ?? "GET")
        case LLMAnalyze.id: LLMAnalyze()
        default: nil
        }
    }

    /// Catalog entries without an implementation (a test keeps this empty).
    static var unimplemented: [String] {
        WorkflowActionCatalog.actions.map(\.id).filter { id in
            let parts = id.split(separator: ".", maxSplits: 1).map(String.init)
            return action(for: WorkflowStep(name: "x", agent: parts[0], action: parts[1])) == nil
        }
    }
}
