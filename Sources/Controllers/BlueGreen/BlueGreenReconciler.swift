import KubeClient
import OperatorKit
import OpsAPI

extension BlueGreenStatus: ObjectStatus {}

/// Drives one BlueGreenDeployment toward its spec. Level-triggered: every pass reads the
/// rollout's status (where it recorded how far it got) and its children, classifies the
/// rollout (``RolloutState``), does what that state calls for, and leaves the status to the
/// kit to write.
struct BlueGreenReconciler: ObjectReconciler {
    let kit: ControllerContext
    let stepper: AnalysisStepper

    func validate(_ rollout: BlueGreenDeployment) -> [SpecError] { rollout.spec.validate() }

    func reconcile(_ rollout: BlueGreenDeployment, _ pass: inout Reconciliation<BlueGreenStatus>) async throws -> ReconcileResult {
        var step = RolloutPass(rollout: rollout, pass: pass, reconciler: self)
        defer { pass = step.pass }
        return try await step.run()
    }

    func forget(_ key: ObjectKey) {
        kit.jobs.forget(prefix: AnalysisStepper.jobPrefix(key))
    }
}
