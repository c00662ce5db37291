/// The custom resources of `opsagent.dev` this build serves.
public enum OpsAPI {
    public static let group = "opsagent.dev"
    public static let version = "v1alpha1"

    /// Every CRD, in the order `make crds` writes them.
    public static let customResourceDefinitions: [CustomResourceDefinition] = [
        BlueGreenDeployment.definition,
        AlertRule.definition,
        SecurityAudit.definition,
        SecurityReport.definition,
        OpsWorkflow.definition,
        OpsWorkflowRun.definition,
    ]

    /// The file name a CRD is written to under `crds/`.
    public static func fileName(for crd: CustomResourceDefinition) -> String {
        "\(crd.group)_\(crd.plural).yaml"
    }
}
