import KubeClient
import OperatorKit
import OpsAPI

/// The SecurityAudit controller: what it reads, and its registration.
///
/// Audits read the manager's informer caches only. The informers of the kinds the engine
/// audits are opened on demand (see ``InformerCache/synced(_:timeout:)``), when the first
/// run starts, not at registration: an operator whose users run no audit never lists the
/// cluster's pods and ReplicaSets, nor keeps them. A run waits for them to sync.
///
/// Trivy Operator's `VulnerabilityReport`s are different: a cluster without Trivy does not
/// serve them, and a reflector on an unserved resource retries its 404 forever. So runs
/// also read CRDs (names only), and open the VulnerabilityReport informer only once
/// `vulnerabilityreports.aquasecurity.github.io` is among them; runs include the reports
/// once that informer has synced.
public enum SecurityAuditController: OperatorController {
    public static let name = "securityaudit"
    public static let resource = ResourceDescriptor(SecurityAudit.self)
    static let reports = ResourceDescriptor(SecurityReport.self)
    static let crds = ResourceDescriptor(resource: .customResourceDefinitions, kind: "CustomResourceDefinition", namespaced: false)
    static let trivyCRD = "vulnerabilityreports.aquasecurity.github.io"
    static let vulnerabilityReports = ResourceDescriptor(
        resource: GroupVersionResource(group: "aquasecurity.github.io", version: "v1alpha1", resource: "vulnerabilityreports"),
        kind: "VulnerabilityReport")

    /// What the cache keeps of a SecurityReport: what ``RunHistory`` and the part names need.
    static let reportIdentity = ObjectTransform.keeping(["report.runID", "report.auditedAt", "report.part", "report.parts"])

    /// What the cache keeps of a CRD: its name, which is all a run reads.
    static let crdIdentity = ObjectTransform.keeping([])

    /// How long a run waits for the audited kinds' informers to sync before it reports them.
    static let syncTimeout = Duration.seconds(120)

    /// The kinds every audit reads, from the caches.
    static let audited: [ResourceDescriptor] = [
        ResourceDescriptor(resource: .pods, kind: "Pod"),
        ResourceDescriptor(resource: .deployments, kind: "Deployment"),
        ResourceDescriptor(resource: GroupVersionResource(group: "apps", version: "v1", resource: "statefulsets"), kind: "StatefulSet"),
        ResourceDescriptor(resource: GroupVersionResource(group: "apps", version: "v1", resource: "daemonsets"), kind: "DaemonSet"),
        ResourceDescriptor(resource: .replicasets, kind: "ReplicaSet"),
        ResourceDescriptor(resource: GroupVersionResource(group: "batch", version: "v1", resource: "jobs"), kind: "Job"),
        ResourceDescriptor(resource: GroupVersionResource(group: "batch", version: "v1", resource: "cronjobs"), kind: "CronJob"),
        ResourceDescriptor(resource: .namespaces, kind: "Namespace", namespaced: false),
        ResourceDescriptor(resource: .services, kind: "Service"),
        ResourceDescriptor(resource: GroupVersionResource(group: "networking.k8s.io", version: "v1", resource: "ingresses"), kind: "Ingress"),
        ResourceDescriptor(resource: GroupVersionResource(group: "networking.k8s.io", version: "v1", resource: "networkpolicies"), kind: "NetworkPolicy"),
        ResourceDescriptor(resource: .serviceaccounts, kind: "ServiceAccount"),
        ResourceDescriptor(resource: GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles"), kind: "Role"),
        ResourceDescriptor(resource: GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles"), kind: "ClusterRole", namespaced: false),
        ResourceDescriptor(resource: GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings"), kind: "RoleBinding"),
        ResourceDescriptor(resource: GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings"), kind: "ClusterRoleBinding", namespaced: false),
    ]

    @discardableResult
    public static func register(in context: OperatorContext) throws -> Controller {
        // The controller finds its reports (by owner, run and start) but never reads their
        // findings: the cache keeps a report's identity, not its megabyte of findings.
        try context.cache.setTransform(reportIdentity, for: reports)
        try context.cache.setTransform(crdIdentity, for: crds)
        let metrics = AuditMetrics(factory: context.manager.metricsFactory)
        let runner = AuditRunner(cache: context.cache, analyzer: context.analyzer, cloud: context.configuration.cloud)
        return try context.manager.addController(
            named: name, for: resource, owns: [reports],
            options: Controller.Options(workers: context.configuration.workers)
        ) { kit in
            SecurityAuditReconciler(kit: kit, runner: runner, metrics: metrics)
        }
    }
}
