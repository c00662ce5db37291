import KubeClient

/// Strategic-merge and apply metadata of apps/v1, batch/v1, autoscaling/v2, policy/v1 and
/// discovery/v1 types, from the struct tags of k8s.io/api.
extension BuiltinPatchSchemas {
    static let labelSelectorReplaced: Node = Node(replacesWhole: true, isAtomic: true)

    static let workloadStatus: Node = .object(["conditions": conditions])

    static let deployment = resource(spec: .object(["template": podTemplateSpec, "selector": atomicObject]), status: workloadStatus)
    static let replicaSet = resource(spec: .object(["template": podTemplateSpec, "selector": atomicObject]), status: workloadStatus)
    static let statefulSet = resource(spec: .object(["template": podTemplateSpec, "selector": atomicObject]), status: workloadStatus)
    static let daemonSet = resource(spec: .object(["template": podTemplateSpec, "selector": atomicObject]), status: workloadStatus)

    static let jobSpec: Node = .object(["template": podTemplateSpec, "selector": atomicObject])
    static let job = resource(
        spec: jobSpec,
        status: .object([
            "conditions": .list(Rule(type: .atomic, patchMerge: true, patchMergeKey: "type")),
            "uncountedTerminatedPods": .object(["succeeded": .list(.set), "failed": .list(.set)]),
        ]))
    static let cronJob = resource(spec: .object(["jobTemplate": .object(["metadata": objectMeta, "spec": jobSpec])]))

    static let horizontalPodAutoscaler = resource(status: .object(["conditions": conditions]))
    static let podDisruptionBudget = resource(
        spec: .object(["selector": labelSelectorReplaced]),
        status: .object(["conditions": conditions]))
    static let endpointSlice = resource(extra: [
        "endpoints": .list(.atomic, of: .object(["addresses": .list(.set)])),
    ])
}

extension StrategicSchema {
    /// The schema of a built-in kind, or nil when `group`/`kind` is not a built-in type.
    ///
    /// Built-in kinds without special list fields (ConfigMap, Secret, Lease, Ingress…) get a
    /// schema that knows only `metadata.finalizers` and `metadata.ownerReferences`.
    public static func builtin(group: String, kind: String) -> StrategicSchema? {
        builtinNodes["\(group)/\(kind)"].map(StrategicSchema.init(root:))
    }

    /// The schema for an object by its `apiVersion` and `kind`, or nil when it is not built in.
    public static func builtin(apiVersion: String, kind: String) -> StrategicSchema? {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return builtin(group: group, kind: kind)
    }

    /// Every built-in kind this table knows, as `group/Kind` (core group is empty: `/Pod`).
    public static var builtinKinds: [String] { builtinNodes.keys.sorted() }

    static let builtinNodes: [String: Node] = {
        var table: [String: Node] = [
            "/Pod": BuiltinPatchSchemas.pod,
            "/PodTemplate": BuiltinPatchSchemas.podTemplate,
            "/ReplicationController": BuiltinPatchSchemas.replicationController,
            "/Service": BuiltinPatchSchemas.service,
            "/Node": BuiltinPatchSchemas.node,
            "/Namespace": BuiltinPatchSchemas.namespace,
            "/ServiceAccount": BuiltinPatchSchemas.serviceAccount,
            "/PersistentVolumeClaim": BuiltinPatchSchemas.persistentVolumeClaim,
            "apps/Deployment": BuiltinPatchSchemas.deployment,
            "apps/ReplicaSet": BuiltinPatchSchemas.replicaSet,
            "apps/StatefulSet": BuiltinPatchSchemas.statefulSet,
            "apps/DaemonSet": BuiltinPatchSchemas.daemonSet,
            "batch/Job": BuiltinPatchSchemas.job,
            "batch/CronJob": BuiltinPatchSchemas.cronJob,
            "autoscaling/HorizontalPodAutoscaler": BuiltinPatchSchemas.horizontalPodAutoscaler,
            "policy/PodDisruptionBudget": BuiltinPatchSchemas.podDisruptionBudget,
            "discovery.k8s.io/EndpointSlice": BuiltinPatchSchemas.endpointSlice,
        ]
        let plain = [
            "/ConfigMap", "/Secret", "/Endpoints", "/Event", "/LimitRange", "/ResourceQuota",
            "/PersistentVolume", "/Binding",
            "apps/ControllerRevision",
            "coordination.k8s.io/Lease",
            "events.k8s.io/Event",
            "networking.k8s.io/Ingress", "networking.k8s.io/IngressClass", "networking.k8s.io/NetworkPolicy",
            "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole",
            "rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding",
            "scheduling.k8s.io/PriorityClass",
            "storage.k8s.io/StorageClass",
            "apiextensions.k8s.io/CustomResourceDefinition",
            "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
            "admissionregistration.k8s.io/MutatingWebhookConfiguration",
        ]
        for kind in plain { table[kind] = BuiltinPatchSchemas.plainResource }
        return table
    }()
}
