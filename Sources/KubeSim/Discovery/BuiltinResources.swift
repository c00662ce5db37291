/// The built-in resource types the simulator serves, named as kube-apiserver 1.32 names them
/// in discovery (kinds, plurals, short names, categories, verbs, subresources).
public enum BuiltinResources {
    private typealias R = ResourceType
    private static let crud = ResourceType.allVerbs
    private static let noCollection = ["create", "delete", "get", "list", "patch", "update", "watch"]

    public static let all: [ResourceType] = core + apps + batch + rbac + others + [eventsV1]

    /// events.k8s.io/v1 Events: core Events seen through the newer API (same storage, kube's
    /// field conversion, see ``EventsConversion``), with kube's field selector labels.
    static let eventsV1: ResourceType = R(group: "events.k8s.io", versions: ["v1"], resource: "events", singular: "event",
                            kind: "Event", namespaced: true, shortNames: ["ev"],
                            selectableFields: EventsConversion.fieldLabels.keys.filter { !$0.hasPrefix("metadata.") }.sorted(),
                            storedAs: GroupResource(group: "", resource: "events"))

    static let core: [ResourceType] = [
        R(group: "", versions: ["v1"], resource: "namespaces", singular: "namespace", kind: "Namespace",
          namespaced: false, verbs: noCollection, shortNames: ["ns"],
          subresources: [.status, .init(name: "finalize", kind: "Namespace", verbs: ["update"])],
          selectableFields: ["status.phase"], returnsDeletedObject: true),
        R(group: "", versions: ["v1"], resource: "pods", singular: "pod", kind: "Pod", namespaced: true,
          shortNames: ["po"], categories: ["all"],
          subresources: [.status, .init(name: "log", kind: "Pod", verbs: ["get"]),
                         .init(name: "binding", kind: "Binding", verbs: ["create"]),
                         .init(name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"]),
                         .init(name: "ephemeralcontainers", kind: "Pod", verbs: ["get", "patch", "update"]),
                         .init(name: "exec", kind: "PodExecOptions", verbs: ["create", "get"]),
                         .init(name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"]),
                         .init(name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"])],
          selectableFields: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                             "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
          returnsDeletedObject: true),
        R(group: "", versions: ["v1"], resource: "services", singular: "service", kind: "Service", namespaced: true,
          verbs: noCollection, shortNames: ["svc"], categories: ["all"], subresources: [.status],
          returnsDeletedObject: true),
        R(group: "", versions: ["v1"], resource: "endpoints", singular: "endpoints", kind: "Endpoints",
          namespaced: true, shortNames: ["ep"]),
        R(group: "", versions: ["v1"], resource: "configmaps", singular: "configmap", kind: "ConfigMap",
          namespaced: true, shortNames: ["cm"]),
        R(group: "", versions: ["v1"], resource: "secrets", singular: "secret", kind: "Secret", namespaced: true,
          selectableFields: ["type"]),
        R(group: "", versions: ["v1"], resource: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
          namespaced: true, shortNames: ["sa"],
          subresources: [.init(name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1",
                               verbs: ["create"])]),
        R(group: "", versions: ["v1"], resource: "events", singular: "event", kind: "Event", namespaced: true,
          shortNames: ["ev"],
          selectableFields: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                             "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                             "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
          fieldSources: ["source": ["source.component", "reportingComponent"]]),
        R(group: "", versions: ["v1"], resource: "nodes", singular: "node", kind: "Node", namespaced: false,
          shortNames: ["no"], subresources: [.status, .init(name: "proxy", kind: "NodeProxyOptions", verbs: ["get"])],
          selectableFields: ["spec.unschedulable"]),
        R(group: "", versions: ["v1"], resource: "persistentvolumeclaims", singular: "persistentvolumeclaim",
          kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"], subresources: [.status]),
        R(group: "", versions: ["v1"], resource: "persistentvolumes", singular: "persistentvolume",
          kind: "PersistentVolume", namespaced: false, shortNames: ["pv"], subresources: [.status]),
        R(group: "", versions: ["v1"], resource: "replicationcontrollers", singular: "replicationcontroller",
          kind: "ReplicationController", namespaced: true, shortNames: ["rc"], categories: ["all"],
          subresources: [.status, .scale(.init(labelSelectorPath: ".status.selector"))], tracksGeneration: true),
        R(group: "", versions: ["v1"], resource: "resourcequotas", singular: "resourcequota", kind: "ResourceQuota",
          namespaced: true, shortNames: ["quota"], subresources: [.status]),
        R(group: "", versions: ["v1"], resource: "limitranges", singular: "limitrange", kind: "LimitRange",
          namespaced: true, shortNames: ["limits"]),
        R(group: "", versions: ["v1"], resource: "podtemplates", singular: "podtemplate", kind: "PodTemplate",
          namespaced: true),
    ]

    static let apps: [ResourceType] = [
        R(group: "apps", versions: ["v1"], resource: "deployments", singular: "deployment", kind: "Deployment",
          namespaced: true, shortNames: ["deploy"], categories: ["all"],
          subresources: [.status, .scale(.init(labelSelectorPath: ".status.selector"))], tracksGeneration: true),
        R(group: "apps", versions: ["v1"], resource: "replicasets", singular: "replicaset", kind: "ReplicaSet",
          namespaced: true, shortNames: ["rs"], categories: ["all"],
          subresources: [.status, .scale(.init(labelSelectorPath: ".status.selector"))], tracksGeneration: true),
        R(group: "apps", versions: ["v1"], resource: "statefulsets", singular: "statefulset", kind: "StatefulSet",
          namespaced: true, shortNames: ["sts"], categories: ["all"],
          subresources: [.status, .scale(.init(labelSelectorPath: ".status.selector"))], tracksGeneration: true),
        R(group: "apps", versions: ["v1"], resource: "daemonsets", singular: "daemonset", kind: "DaemonSet",
          namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: [.status], tracksGeneration: true),
        R(group: "apps", versions: ["v1"], resource: "controllerrevisions", singular: "controllerrevision",
          kind: "ControllerRevision", namespaced: true),
    ]

    static let batch: [ResourceType] = [
        R(group: "batch", versions: ["v1"], resource: "jobs", singular: "job", kind: "Job", namespaced: true,
          categories: ["all"], subresources: [.status], tracksGeneration: true),
        R(group: "batch", versions: ["v1"], resource: "cronjobs", singular: "cronjob", kind: "CronJob",
          namespaced: true, shortNames: ["cj"], categories: ["all"], subresources: [.status], tracksGeneration: true),
    ]

    static let rbac: [ResourceType] = [
        R(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "roles", singular: "role", kind: "Role",
          namespaced: true),
        R(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "rolebindings", singular: "rolebinding",
          kind: "RoleBinding", namespaced: true),
        R(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "clusterroles", singular: "clusterrole",
          kind: "ClusterRole", namespaced: false),
        R(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "clusterrolebindings",
          singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false),
    ]

    static let others: [ResourceType] = [
        R(group: "apiextensions.k8s.io", versions: ["v1"], resource: "customresourcedefinitions",
          singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
          shortNames: ["crd", "crds"], categories: ["api-extensions"], subresources: [.status],
          tracksGeneration: true),
        R(group: "coordination.k8s.io", versions: ["v1"], resource: "leases", singular: "lease", kind: "Lease",
          namespaced: true),
        R(group: "discovery.k8s.io", versions: ["v1"], resource: "endpointslices", singular: "endpointslice",
          kind: "EndpointSlice", namespaced: true),
        R(group: "networking.k8s.io", versions: ["v1"], resource: "ingresses", singular: "ingress", kind: "Ingress",
          namespaced: true, shortNames: ["ing"], subresources: [.status], tracksGeneration: true),
        R(group: "networking.k8s.io", versions: ["v1"], resource: "ingressclasses", singular: "ingressclass",
          kind: "IngressClass", namespaced: false),
        R(group: "networking.k8s.io", versions: ["v1"], resource: "networkpolicies", singular: "networkpolicy",
          kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"], tracksGeneration: true),
        R(group: "policy", versions: ["v1"], resource: "poddisruptionbudgets", singular: "poddisruptionbudget",
          kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], subresources: [.status],
          tracksGeneration: true),
        R(group: "autoscaling", versions: ["v2"], resource: "horizontalpodautoscalers",
          singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true,
          shortNames: ["hpa"], categories: ["all"], subresources: [.status], tracksGeneration: true),
        R(group: "apiregistration.k8s.io", versions: ["v1"], resource: "apiservices", singular: "apiservice",
          kind: "APIService", namespaced: false, categories: ["api-extensions"], subresources: [.status]),
        R(group: "storage.k8s.io", versions: ["v1"], resource: "storageclasses", singular: "storageclass",
          kind: "StorageClass", namespaced: false, shortNames: ["sc"]),
        R(group: "scheduling.k8s.io", versions: ["v1"], resource: "priorityclasses", singular: "priorityclass",
          kind: "PriorityClass", namespaced: false, shortNames: ["pc"]),
        R(group: "admissionregistration.k8s.io", versions: ["v1"], resource: "validatingwebhookconfigurations",
          singular: "validatingwebhookconfiguration", kind: "ValidatingWebhookConfiguration", namespaced: false,
          categories: ["api-extensions"], tracksGeneration: true),
        R(group: "admissionregistration.k8s.io", versions: ["v1"], resource: "mutatingwebhookconfigurations",
          singular: "mutatingwebhookconfiguration", kind: "MutatingWebhookConfiguration", namespaced: false,
          categories: ["api-extensions"], tracksGeneration: true),
        // Reviews: accepted and answered, never stored.
        R(group: "authorization.k8s.io", versions: ["v1"], resource: "selfsubjectaccessreviews",
          singular: "selfsubjectaccessreview", kind: "SelfSubjectAccessReview", namespaced: false,
          verbs: ["create"], isVirtual: true),
        R(group: "authorization.k8s.io", versions: ["v1"], resource: "selfsubjectrulesreviews",
          singular: "selfsubjectrulesreview", kind: "SelfSubjectRulesReview", namespaced: false,
          verbs: ["create"], isVirtual: true),
        R(group: "authorization.k8s.io", versions: ["v1"], resource: "subjectaccessreviews",
          singular: "subjectaccessreview", kind: "SubjectAccessReview", namespaced: false,
          verbs: ["create"], isVirtual: true),
        R(group: "authorization.k8s.io", versions: ["v1"], resource: "localsubjectaccessreviews",
          singular: "localsubjectaccessreview", kind: "LocalSubjectAccessReview", namespaced: true,
          verbs: ["create"], isVirtual: true),
        R(group: "authentication.k8s.io", versions: ["v1"], resource: "tokenreviews", singular: "tokenreview",
          kind: "TokenReview", namespaced: false, verbs: ["create"], isVirtual: true),
        R(group: "authentication.k8s.io", versions: ["v1"], resource: "selfsubjectreviews",
          singular: "selfsubjectreview", kind: "SelfSubjectReview", namespaced: false, verbs: ["create"],
          isVirtual: true),
    ]

    /// The order groups are listed in `/apis`, as kube-apiserver orders them (clients that
    /// resolve a short name or kind take the first match).
    public static let groupOrder = [
        "", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
        "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
    ]
}
