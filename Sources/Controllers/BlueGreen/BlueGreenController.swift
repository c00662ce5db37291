import KubeClient
import OperatorKit
import OpsAPI

/// The BlueGreenDeployment controller: what it watches, and its registration.
public enum BlueGreenController: OperatorController {
    public static let name = "bluegreendeployment"
    public static let resource = ResourceDescriptor(BlueGreenDeployment.self)
    static let deployments = ResourceDescriptor(Deployment.self)
    static let services = ResourceDescriptor(Service.self)
    static let hpas = ResourceDescriptor(HorizontalPodAutoscaler.self)

    /// Rollouts by the keys (`namespace/name`) of the Services they route through.
    static let serviceNames = Indexer(name: "bluegreen:services") { rollout in
        let namespace = rollout["metadata"]["namespace"].stringValue
        return [rollout["spec"]["activeService"]["name"], rollout["spec"]["previewService"]["name"]]
            .compactMap(\.stringValue).map { ObjectKey(namespace: namespace, name: $0).description }
    }

    /// Rollouts by the keys of their colored Deployments (`shop/web-blue`, `shop/web-green`).
    static let deploymentNames = Indexer(name: "bluegreen:deployments") { rollout in
        guard let key = ObjectKey(of: rollout) else { return [] }
        return Color.allCases.map { ObjectKey(namespace: key.namespace, name: ChildObjects.deploymentName(key.name, $0)).description }
    }

    @discardableResult
    public static func register(in context: OperatorContext) throws -> Controller {
        // A Deployment or Service with a name the rollout uses, owned or not (one that was
        // there first: its conflict is reported, and acted on once it is labelled or gone),
        // wakes the rollout; so does an HPA that targets one of its Deployments.
        let rollouts = context.cache.informer(for: resource).cache
        let hpaWatch = Watch.mapped(hpas) { hpa in
            guard hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment",
                  let target = hpa["spec"]["scaleTargetRef"]["name"].stringValue else { return [] }
            let key = ObjectKey(namespace: hpa["metadata"]["namespace"].stringValue, name: target)
            return Array(rollouts.keys(index: deploymentNames.name, value: key.description))
        }
        return try context.manager.addController(
            named: name, for: resource, owns: [deployments, services],
            watches: [Watch.referenced(deployments, by: deploymentNames, in: rollouts),
                      Watch.referenced(services, by: serviceNames, in: rollouts), hpaWatch],
            options: Controller.Options(workers: context.configuration.workers)
        ) { kit in
            BlueGreenReconciler(kit: kit, stepper: AnalysisStepper(
                measurer: context.measurer, analyzer: context.analyzer, facts: context.facts, jobs: kit.jobs))
        }
    }
}
