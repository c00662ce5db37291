import KubeClient
import Logging
import NIOConcurrencyHelpers
import Integrations
import OperatorKit
import OpsAPI

/// The API's view of the cluster: one informer per resource it serves, so queries read
/// memory and never the API server, and the watch events that feed the subscriptions.
///
/// SecurityReports are cached with only what the API reads (run, time, findings and
/// framework summaries); the access reviews and waivers of a report stay out of memory.
public final class APICaches: Sendable {
    static let deployments = ResourceDescriptor(BlueGreenDeployment.self)
    static let alertRules = ResourceDescriptor(AlertRule.self)
    static let audits = ResourceDescriptor(SecurityAudit.self)
    static let reports = ResourceDescriptor(SecurityReport.self)
    static let workflows = ResourceDescriptor(OpsWorkflow.self)
    static let runs = ResourceDescriptor(OpsWorkflowRun.self)
    /// Not cached: only named in the access reviews of `metrics`.
    static let pods = ResourceDescriptor(resource: GroupVersionResource(group: "", version: "v1", resource: "pods"), kind: "Pod")

    let cache: InformerCache
    /// Rollouts whose status changed, new rollouts, and deleted ones (phase `Deleted`).
    let deploymentChanges = Broadcaster<DeploymentNode>()
    /// Alert rules that started firing.
    let alertsFiring = Broadcaster<AlertNode>()
    /// Workflow runs that started or changed.
    let runChanges = Broadcaster<WorkflowRunNode>()
    /// Each cached rollout as a ``DeploymentNode`` in JSON, kept until the object changes:
    /// listing 1,000 rollouts then re-reads none of them.
    private let deploymentJSON = NIOLockedValueBox<[String: (resourceVersion: String, json: JSONValue)]>([:])

    public init(api: any KubernetesAPI, logger: Logger = Logger(label: "opsagent.api.cache")) {
        cache = InformerCache(api: api, logger: logger)
        try? cache.setTransform(.keeping(["report.runID", "report.auditedAt", "report.findings", "report.frameworks"]), for: Self.reports)
        for resource in [Self.audits, Self.reports, Self.workflows] { _ = cache.informer(for: resource) }
        _ = cache.informer(for: Self.deployments).addHandler { [deploymentChanges, unowned self] event in
            switch event {
            case .added(let object): deploymentChanges.publish(DeploymentNode(object))
            case .updated(let old, let new) where old["status"] != new["status"] || old["spec"] != new["spec"]:
                deploymentChanges.publish(DeploymentNode(new))
            case .deleted(let object, _):
                deploymentChanges.publish(DeploymentNode(object).deleted())
                self.forgetEncoding(of: object)
            default: break
            }
        }
        _ = cache.informer(for: Self.alertRules).addHandler { [alertsFiring] event in
            let firing = AlertState.firing.rawValue
            switch event {
            case .added(let object) where object["status"]["state"].stringValue == firing:
                alertsFiring.publish(AlertNode(object))
            case .updated(let old, let new)
                where new["status"]["state"].stringValue == firing
                && (old["status"]["state"].stringValue != firing || old["status"]["firingSince"] != new["status"]["firingSince"]):
                alertsFiring.publish(AlertNode(new))
            default: break
            }
        }
        _ = cache.informer(for: Self.runs).addHandler { [runChanges] event in
            switch event {
            case .added(let object): runChanges.publish(WorkflowRunNode(object))
            case .updated(let old, let new) where old["status"] != new["status"]: runChanges.publish(WorkflowRunNode(new))
            default: break
            }
        }
    }

    /// The cached objects of `resource`, once its informer has listed them; before that
    /// (the CRD is missing, or the API server refuses the list) an answer would be empty,
    /// so it is an error that says so.
    func list(_ resource: ResourceDescriptor, namespace: String? = nil) throws(APIError) -> [JSONValue] {
        try synced(resource)
        return cache.list(resource, namespace: namespace)
    }

    func get(_ resource: ResourceDescriptor, namespace: String, name: String) throws(APIError) -> JSONValue? {
        try synced(resource)
        return cache.get(resource, .init(namespace: namespace, name: name))
    }

    private func synced(_ resource: ResourceDescriptor) throws(APIError) {
        guard cache.informer(for: resource).hasSynced else {
            throw .unavailable("\(resource.resource.groupResource) are not cached yet: the API could not list them "
                               + "(is the CRD installed? kubectl get crd \(resource.resource.groupResource); see the server's log)")
        }
    }

    /// Waits until every informer has listed once, or `timeout` passed; returns the
    /// resources that have not (the server then serves, and their fields answer with an error).
    public func waitUntilSynced(timeout: Duration) async -> [String] {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.cache.waitUntilSynced() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return cache.informers.filter { !$0.hasSynced }.map(\.resource.groupResource).sorted()
    }

    /// A cached rollout as its ``DeploymentNode``'s JSON (what queries project).
    func encodedDeployment(_ object: JSONValue) throws -> JSONValue {
        let meta = object["metadata"]
        let key = "\(meta["namespace"].stringValue ?? "")/\(meta["name"].stringValue ?? "")"
        let version = meta["resourceVersion"].stringValue ?? ""
        if let cached = deploymentJSON.withLockedValue({ $0[key] }), cached.resourceVersion == version, !version.isEmpty { return cached.json }
        let json = try JSONValue(encoding: DeploymentNode(object))
        deploymentJSON.withLockedValue { $0[key] = (version, json) }
        return json
    }

    private func forgetEncoding(of object: JSONValue) {
        let meta = object["metadata"]
        _ = deploymentJSON.withLockedValue { $0.removeValue(forKey: "\(meta["namespace"].stringValue ?? "")/\(meta["name"].stringValue ?? "")") }
    }

    /// Runs the informers until the task is cancelled.
    public func run() async { await cache.run() }

    /// The reports of an audit's latest run (a run's findings may be split over several).
    func latestReports(of audit: JSONValue) -> [JSONValue] {
        let meta = audit["metadata"]
        guard let name = meta["name"].stringValue, let namespace = meta["namespace"].stringValue else { return [] }
        let reports = ((try? list(Self.reports, namespace: namespace)) ?? []).filter {
            $0["metadata"]["labels"][SecurityReport.auditLabel].stringValue == name
        }
        let latest = audit["status"]["lastRunID"].stringValue
            ?? reports.max { ($0["report"]["auditedAt"].stringValue ?? "") < ($1["report"]["auditedAt"].stringValue ?? "") }?["report"]["runID"].stringValue
        guard let latest else { return [] }
        return reports.filter { $0["report"]["runID"].stringValue == latest }
    }
}

/// Everything the resolvers share: the caches, the access reviews, the server's own client
/// (which impersonates each caller), and Prometheus when configured.
public struct APIServices: Sendable {
    public let caches: APICaches
    let reviewer: AccessReviewer
    let serverClient: KubernetesClient
    let metrics: MetricsSource?
    /// How often `metricUpdated` polls Prometheus.
    let metricsInterval: Duration

    public init(caches: APICaches, serverClient: KubernetesClient, prometheusURL: String?, metricsInterval: Duration = .seconds(15),
                logger: Logger) {
        self.caches = caches
        self.serverClient = serverClient
        reviewer = AccessReviewer(client: serverClient, logger: logger)
        metrics = prometheusURL.map { MetricsSource(prometheus: PrometheusClient(baseURL: $0)) }
        self.metricsInterval = metricsInterval
    }
}
