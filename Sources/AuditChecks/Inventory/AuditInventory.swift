import KubeClient

/// A snapshot of the objects one audit reads, grouped by kind, as raw ``JSONValue``
/// objects straight from informer caches (no API calls are made during an audit).
///
/// Fill it kind by kind, or hand ``init(objects:)`` a mixed list: objects are sorted into
/// their group by `kind` (Trivy's `VulnerabilityReport` by its `aquasecurity.github.io`
/// group), and kinds the audit does not read are ignored. A cache can add a whole kind as
/// an ``AuditObjects/Source``, parsed one object at a time during the audit
/// (``add(_:kind:)``).
public struct AuditInventory: Sendable {
    public var pods = AuditObjects()
    public var deployments = AuditObjects()
    public var statefulSets = AuditObjects()
    public var daemonSets = AuditObjects()
    public var replicaSets = AuditObjects()
    public var jobs = AuditObjects()
    public var cronJobs = AuditObjects()
    public var namespaces = AuditObjects()
    public var services = AuditObjects()
    public var ingresses = AuditObjects()
    public var networkPolicies = AuditObjects()
    public var serviceAccounts = AuditObjects()
    public var roles = AuditObjects()
    public var clusterRoles = AuditObjects()
    public var roleBindings = AuditObjects()
    public var clusterRoleBindings = AuditObjects()
    /// `aquasecurity.github.io/v1alpha1 VulnerabilityReport`s of Trivy Operator.
    public var vulnerabilityReports = AuditObjects()

    public init() {}

    /// Sorts a mixed list of objects into their kinds.
    public init(objects: [JSONValue]) {
        for object in objects { add(object) }
    }

    /// The kinds an inventory holds, as `AuditPolicy.scope.kinds` names them.
    public static let supportedKinds: [String] = [
        "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Namespace", "Service",
        "Ingress", "NetworkPolicy", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
        "VulnerabilityReport",
    ]

    /// Adds one object to its kind's group; returns false for a kind the audit does not read.
    @discardableResult
    public mutating func add(_ object: JSONValue) -> Bool {
        let kind = object["kind"].stringValue ?? ""
        if kind == "VulnerabilityReport", !(object["apiVersion"].stringValue ?? "").hasPrefix("aquasecurity.github.io/") {
            return false
        }
        guard let field = Self.field(kind) else { return false }
        self[keyPath: field].append(object)
        return true
    }

    /// Adds a source of objects of `kind` (an ``supportedKinds`` name); returns false for a
    /// kind the audit does not read. Each object the source produces must be of that kind,
    /// with `kind` set.
    @discardableResult
    public mutating func add(_ source: AuditObjects.Source, kind: String) -> Bool {
        guard let field = Self.field(kind) else { return false }
        self[keyPath: field].append(source)
        return true
    }

    private static func field(_ kind: String) -> WritableKeyPath<AuditInventory, AuditObjects>? {
        switch kind {
        case "Pod": \.pods
        case "Deployment": \.deployments
        case "StatefulSet": \.statefulSets
        case "DaemonSet": \.daemonSets
        case "ReplicaSet": \.replicaSets
        case "Job": \.jobs
        case "CronJob": \.cronJobs
        case "Namespace": \.namespaces
        case "Service": \.services
        case "Ingress": \.ingresses
        case "NetworkPolicy": \.networkPolicies
        case "ServiceAccount": \.serviceAccounts
        case "Role": \.roles
        case "ClusterRole": \.clusterRoles
        case "RoleBinding": \.roleBindings
        case "ClusterRoleBinding": \.clusterRoleBindings
        case "VulnerabilityReport": \.vulnerabilityReports
        default: nil
        }
    }

    /// Workload kinds with a pod template, highest in the ownership chain first, each with
    /// the objects of that kind. Bare pods come last.
    var podCarriers: [(kind: String, objects: AuditObjects)] {
        [
            ("CronJob", cronJobs), ("Deployment", deployments), ("StatefulSet", statefulSets),
            ("DaemonSet", daemonSets), ("Job", jobs), ("ReplicaSet", replicaSets), ("Pod", pods),
        ]
    }

    /// How many objects the inventory holds.
    public var count: Int {
        pods.count + deployments.count + statefulSets.count + daemonSets.count + replicaSets.count + jobs.count
            + cronJobs.count + namespaces.count + services.count + ingresses.count + networkPolicies.count
            + serviceAccounts.count + roles.count + clusterRoles.count + roleBindings.count
            + clusterRoleBindings.count + vulnerabilityReports.count
    }
}
