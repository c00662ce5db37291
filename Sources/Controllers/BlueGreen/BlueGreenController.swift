import Analysis
import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI

/// How the BlueGreenDeployment controller measures and judges.
public struct BlueGreenOptions: Sendable {
    /// Base URL of the Prometheus that checks query by default (`--prometheus-url`).
    public var prometheusURL: String?
    /// The analysis step: the built-in analyzer unless an LLM is configured.
    public var analyzer: any Analyzer
    public var transport: any HTTPTransport
    /// Reads a container's last log lines for the analysis facts.
    public var logReader: (@Sendable (_ namespace: String, _ pod: String, _ container: String) async -> [String]?)?
    public var workers: Int

    public init(prometheusURL: String? = nil, analyzer: any Analyzer = BuiltinAnalyzer(),
                transport: any HTTPTransport = CurlTransport.shared,
                logReader: (@Sendable (String, String, String) async -> [String]?)? = nil, workers: Int = 4) {
        self.prometheusURL = prometheusURL
        self.analyzer = analyzer
        self.transport = transport
        self.logReader = logReader
        self.workers = workers
    }
}

/// Registers the BlueGreenDeployment controller with a manager.
public enum BlueGreenController {
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
    public static func register(in manager: Manager, options: BlueGreenOptions = BlueGreenOptions(),
                                logger: Logger = Logger(label: "opsagent.bluegreen")) throws -> Controller {
        let controllerBox = NIOLockedValueBox<Controller?>(nil)
        let api = manager.api
        let metricsReader: @Sendable (String, [String]) async -> [String: (cpu: Double, memory: Double)] = { namespace, pods in
            await PodMetricsReader(api: api).read(namespace: namespace, pods: pods)
        }
        let sources = MeasurementSources(prometheusURL: options.prometheusURL, transport: options.transport, podMetrics: metricsReader)
        let stepper = AnalysisStepper(
            measurer: CheckMeasurer(sources: sources), analyzer: options.analyzer, pending: PendingAnalyses(),
            facts: FactsGatherer(api: api, logs: options.logReader ?? { _, _, _ in nil }))
        let reconciler = BlueGreenReconciler(
            api: api, cache: manager.cache, events: manager.events,
            statusWriter: manager.statusWriter(for: resource), stepper: stepper, logger: logger,
            wake: { key in controllerBox.withLockedValue { $0 }?.queue?.add(key) })
        // A Deployment or Service with a name the rollout uses, owned or not (one that was
        // there first: its conflict is reported, and acted on once it is labelled or gone),
        // wakes the rollout; so does an HPA that targets one of its Deployments.
        let rollouts = manager.cache.informer(for: resource).cache
        let deploymentWatch = Watch.referenced(deployments, by: deploymentNames, in: rollouts)
        let serviceWatch = Watch.referenced(services, by: serviceNames, in: rollouts)
        let hpaWatch = Watch.mapped(hpas) { hpa in
            guard hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment",
                  let target = hpa["spec"]["scaleTargetRef"]["name"].stringValue else { return [] }
            let key = ObjectKey(namespace: hpa["metadata"]["namespace"].stringValue, name: target)
            return Array(rollouts.keys(index: deploymentNames.name, value: key.description))
        }
        let controller = try manager.addController(
            named: "bluegreendeployment", for: resource, owns: [deployments, services], watches: [deploymentWatch, serviceWatch, hpaWatch],
            options: Controller.Options(workers: options.workers), reconciler: reconciler)
        controllerBox.withLockedValue { $0 = controller }
        return controller
    }
}

/// metrics.k8s.io PodMetrics, as metrics-server serves them.
struct PodMetricsReader: Sendable {
    let api: any KubernetesAPI
    static let resource = GroupVersionResource(group: "metrics.k8s.io", version: "v1beta1", resource: "pods")

    func read(namespace: String, pods: [String]) async -> [String: (cpu: Double, memory: Double)] {
        guard let list = try? await api.list(Self.resource, namespace: namespace, options: ListOptions()) else { return [:] }
        let wanted = Set(pods)
        var out: [String: (cpu: Double, memory: Double)] = [:]
        for item in list.items {
            guard let name = item["metadata"]["name"].stringValue, wanted.contains(name) else { continue }
            var cpu = 0.0, memory = 0.0
            for c in item["containers"].arrayValue ?? [] {
                cpu += c["usage"]["cpu"].stringValue.flatMap { try? Quantity(parsing: $0) }?.doubleValue ?? 0
                memory += c["usage"]["memory"].stringValue.flatMap { try? Quantity(parsing: $0) }?.doubleValue ?? 0
            }
            out[name] = (cpu, memory)
        }
        return out
    }
}
