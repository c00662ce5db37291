import KubeClient
import OperatorKit
import OpsAPI

/// The AlertRule controller: what it watches, and its registration.
public enum AlertRuleController: OperatorController {
    public static let name = "alertrule"
    public static let resource = ResourceDescriptor(AlertRule.self)

    /// Rules by the keys (`namespace/name`) of the Secrets their actions read.
    static let secretNames = Indexer(name: "alertrule:secrets") { rule in
        let namespace = rule["metadata"]["namespace"].stringValue
        var names = Set<String>()
        for action in rule["spec"]["actions"].arrayValue ?? [] {
            for (_, kind) in action.objectValue ?? [:] {
                for (field, ref) in kind.objectValue ?? [:] where field.hasSuffix("SecretRef") {
                    if let name = ref["name"].stringValue { names.insert(ObjectKey(namespace: namespace, name: name).description) }
                }
            }
        }
        return Array(names)
    }

    @discardableResult
    public static func register(in context: OperatorContext) throws -> Controller {
        let rules = context.cache.informer(for: resource).cache
        let evaluator = RuleEvaluator(measurer: context.measurer, api: context.api, pods: CachedPods(cache: context.cache),
                                      cloud: context.configuration.cloud)
        let metrics = AlertMetrics(factory: context.manager.metricsFactory)
        return try context.manager.addController(
            named: name, for: resource, owns: [],
            watches: [Watch.referenced(SecretValues.secrets, by: secretNames, in: rules)],
            options: Controller.Options(workers: context.configuration.workers)
        ) { kit in
            AlertRuleReconciler(
                kit: kit, evaluator: evaluator,
                analysis: AlertAnalysisStep(analyzer: context.analyzer, facts: context.facts, evaluator: evaluator, jobs: kit.jobs),
                transport: context.configuration.transport, metrics: metrics)
        }
    }
}
