import KubeClient

/// A snapshot of the objects one audit reads, grouped by kind, as raw ``JSONValue``
/// objects straight from informer caches (no API calls are made during an audit).
///
/// Fill it kind by kind, or hand ``init(objects:)`` a mixed list: objects are sorted into
/// their group by `kind` (Trivy's `VulnerabilityReport` by its `aquasecurity.github.io`
/// group), and kinds the audit does not read are ignored.
public struct AuditInventory: Sendable {
    public var pods: [JSONValue] = []
    public var deployments: [JSONValue] = []
    public var statefulSets: [JSONValue] = []
    public var daemonSets: [JSONValue] = []
    public var replicaSets: [JSONValue] = []
    public var jobs: [JSONValue] = []
    public var cronJobs: [JSONValue] = []
    public var namespaces: [JSONValue] = []
    public var services: [JSONValue] = []
    public var ingresses: [JSONValue] = []
    public var networkPolicies: [JSONValue] = []
    public var serviceAccounts: [JSONValue] = []
    public var roles: [JSONValue] = []
    public var clusterRoles: [JSONValue] = []
    public var roleBindings: [JSONValue] = []
    public var clusterRoleBindings: [JSONValue] = []
    /// `aquasecurity.github.io/v1alpha1 VulnerabilityReport`s of Trivy Operator.
    public var vulnerabilityReports: [JSONValue] = []

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
        switch object["kind"].stringValue ?? "" {
        case "Pod": pods.append(object)
        case "Deployment": deployments.append(object)
        case "StatefulSet": statefulSets.append(object)
        case "DaemonSet": daemonSets.append(object)
        case "ReplicaSet": replicaSets.append(object)
        case "Job": jobs.append(object)
        case "CronJob": cronJobs.append(object)
        case "Namespace": namespaces.append(object)
        case "Service": services.append(object)
        case "Ingress": ingresses.append(object)
        case "NetworkPolicy": networkPolicies.append(object)
        case "ServiceAccount": serviceAccounts.append(object)
        case "Role": roles.append(object)
        case "ClusterRole": clusterRoles.append(object)
        case "RoleBinding": roleBindings.append(object)
        case "ClusterRoleBinding": clusterRoleBindings.append(object)
        case "VulnerabilityReport"
        where (object["apiVersion"].stringValue ?? "").hasPrefix("aquasecurity.github.io/"):
            vulnerabilityReports.append(object)
        default: return false
        }
        return true
    }

    /// Workload kinds with a pod template, highest in the ownership chain first, each with
    /// the objects of that kind. Bare pods come last.
    var podCarriers: [(kind: String, objects: [JSONValue])] {
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
