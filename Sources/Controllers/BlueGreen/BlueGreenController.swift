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

    /// Rollouts by the `namespace/name` of the Services they route through.
    static let serviceNames = Indexer(name: "bluegreen:services") { rollout in
        let namespace = rollout["metadata"]["namespace"].stringValue ?? ""
        return [rollout["spec"]["activeService"]["name"], rollout["spec"]["previewService"]["name"]]
            .compactMap(\.stringValue).map { namespace + "/" + $0 }
    }

    /// The rollout a colored Deployment name (`shop-blue`) belongs to.
    static func rolloutName(ofDeployment name: String) -> String? {
        guard let dash = name.lastIndex(of: "-"), Color(rawValue: String(name[name.index(after: dash)...])) != nil else { return nil }
        return String(name[..<dash])
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
        // An HPA that targets a colored Deployment wakes its rollout.
        let hpaWatch = Watch.mapped(hpas) { hpa in
            guard hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment",
                  let target = hpa["spec"]["scaleTargetRef"]["name"].stringValue,
                  let rollout = rolloutName(ofDeployment: target)
            else { return [] }
            return [ObjectKey(namespace: hpa["metadata"]["namespace"].stringValue, name: rollout)]
        }
        // So does a Deployment with a colored name that the rollout does not own (one that was
        // there first): its conflict is reported, and acted on once it is labelled or gone.
        let rolloutCache = manager.cache.informer(for: resource).cache
        let namedDeploymentWatch = Watch.mapped(deployments) { deployment in
            guard let name = deployment["metadata"]["name"].stringValue, let rollout = rolloutName(ofDeployment: name) else { return [] }
            let key = ObjectKey(namespace: deployment["metadata"]["namespace"].stringValue, name: rollout)
            return rolloutCache.get(key) == nil ? [] : [key]
        }
        // A Service a rollout names but does not own (one that was there first) wakes the
        // rollout when it appears, changes or goes: the conflict is reported, an adoption label
        // is acted on, and a deleted one is replaced.
        manager.cache.informer(for: resource).addIndexer(serviceNames)
        let serviceWatch = Watch.mapped(services) { service in
            guard let name = service["metadata"]["name"].stringValue else { return [] }
            let namespace = service["metadata"]["namespace"].stringValue ?? ""
            return Array(rolloutCache.keys(index: serviceNames.name, value: namespace + "/" + name))
        }
        let controller = try manager.addController(
            named: "bluegreendeployment", for: resource, owns: [deployments, services], watches: [hpaWatch, namedDeploymentWatch, serviceWatch],
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
