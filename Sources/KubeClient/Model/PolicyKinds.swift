// Typed views of networking (Ingress, NetworkPolicy), RBAC, autoscaling/v2 and policy/v1 kinds.

// MARK: - Ingress (networking.k8s.io/v1)

public struct Ingress: KubeObject, Hashable {
    public static let apiVersion = "networking.k8s.io/v1"
    public static let kind = "Ingress"
    public static let plural = "ingresses"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: IngressSpec
    @Defaulted public var status: IngressStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: IngressSpec = IngressSpec()) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct IngressSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public struct TLS: Codable, Sendable, Hashable {
        public var hosts: [String]?
        public var secretName: String?
        public init(hosts: [String]? = nil, secretName: String? = nil) {
            self.hosts = hosts
            self.secretName = secretName
        }
    }

    public struct Rule: Codable, Sendable, Hashable {
        public struct HTTP: Codable, Sendable, Hashable {
            public var paths: [Path]
            public init(paths: [Path]) { self.paths = paths }
        }
        public struct Path: Codable, Sendable, Hashable {
            public var path: String?
            /// `Prefix`, `Exact`, `ImplementationSpecific`.
            public var pathType: String
            public var backend: IngressBackend
            public init(path: String? = nil, pathType: String = "Prefix", backend: IngressBackend) {
                self.path = path
                self.pathType = pathType
                self.backend = backend
            }
        }
        public var host: String?
        public var http: HTTP?
        public init(host: String? = nil, http: HTTP? = nil) {
            self.host = host
            self.http = http
        }
    }

    public var ingressClassName: String?
    public var defaultBackend: IngressBackend?
    public var tls: [TLS]?
    public var rules: [Rule]?

    public init() {}
}

public struct IngressBackend: Codable, Sendable, Hashable {
    public struct ServiceBackend: Codable, Sendable, Hashable {
        public struct Port: Codable, Sendable, Hashable {
            public var name: String?
            public var number: Int?
            public init(name: String? = nil, number: Int? = nil) {
                self.name = name
                self.number = number
            }
        }
        public var name: String
        public var port: Port?
        public init(name: String, port: Port? = nil) {
            self.name = name
            self.port = port
        }
    }

    public var service: ServiceBackend?
    public var resource: JSONValue?

    public init(service: ServiceBackend? = nil) { self.service = service }
}

public struct IngressStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var loadBalancer: LoadBalancerStatus?
    public init() {}
}

// MARK: - NetworkPolicy (networking.k8s.io/v1)

public struct NetworkPolicy: KubeObject, Hashable {
    public static let apiVersion = "networking.k8s.io/v1"
    public static let kind = "NetworkPolicy"
    public static let plural = "networkpolicies"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: NetworkPolicySpec

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NetworkPolicySpec = NetworkPolicySpec()) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct NetworkPolicySpec: Codable, Sendable, Hashable, DefaultConstructible {
    public struct Peer: Codable, Sendable, Hashable {
        public struct IPBlock: Codable, Sendable, Hashable {
            public var cidr: String
            public var except: [String]?
            public init(cidr: String, except: [String]? = nil) {
                self.cidr = cidr
                self.except = except
            }
        }
        public var podSelector: LabelSelector?
        public var namespaceSelector: LabelSelector?
        public var ipBlock: IPBlock?
        public init(podSelector: LabelSelector? = nil, namespaceSelector: LabelSelector? = nil, ipBlock: IPBlock? = nil) {
            self.podSelector = podSelector
            self.namespaceSelector = namespaceSelector
            self.ipBlock = ipBlock
        }
    }

    public struct Port: Codable, Sendable, Hashable {
        public var `protocol`: String?
        public var port: IntOrString?
        public var endPort: Int?
        public init(protocol: String? = nil, port: IntOrString? = nil, endPort: Int? = nil) {
            self.protocol = `protocol`
            self.port = port
            self.endPort = endPort
        }
    }

    public struct IngressRule: Codable, Sendable, Hashable {
        public var from: [Peer]?
        public var ports: [Port]?
        public init(from: [Peer]? = nil, ports: [Port]? = nil) {
            self.from = from
            self.ports = ports
        }
    }

    public struct EgressRule: Codable, Sendable, Hashable {
        public var to: [Peer]?
        public var ports: [Port]?
        public init(to: [Peer]? = nil, ports: [Port]? = nil) {
            self.to = to
            self.ports = ports
        }
    }

    /// Empty selects every pod of the namespace.
    @Defaulted public var podSelector: LabelSelector
    /// `Ingress`, `Egress`.
    public var policyTypes: [String]?
    public var ingress: [IngressRule]?
    public var egress: [EgressRule]?

    public init() {}
}

extension LabelSelector: DefaultConstructible {
    public init() { self.init([LabelRequirement]()) }
}

// MARK: - RBAC (rbac.authorization.k8s.io/v1)

/// One rule of a Role or ClusterRole.
public struct PolicyRule: Codable, Sendable, Hashable {
    public var apiGroups: [String]?
    public var resources: [String]?
    public var verbs: [String]
    public var resourceNames: [String]?
    public var nonResourceURLs: [String]?

    public init(apiGroups: [String]? = nil, resources: [String]? = nil, verbs: [String], resourceNames: [String]? = nil) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames
    }

    /// Whether the rule grants `verb` on `resource` in `group` (wildcards `*` honoured).
    public func allows(verb: String, group: String, resource: String, name: String? = nil) -> Bool {
        func has(_ list: [String]?, _ value: String) -> Bool { list?.contains { $0 == "*" || $0 == value } ?? false }
        guard has(verbs, verb), has(apiGroups, group), has(resources, resource) else { return false }
        if let names = resourceNames, !names.isEmpty {
            guard let name else { return false }
            return names.contains(name)
        }
        return true
    }
}

public struct RoleRef: Codable, Sendable, Hashable {
    public var apiGroup: String
    /// `Role` or `ClusterRole`.
    public var kind: String
    public var name: String
    public init(apiGroup: String = "rbac.authorization.k8s.io", kind: String, name: String) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}

public struct Subject: Codable, Sendable, Hashable {
    /// `User`, `Group` or `ServiceAccount`.
    public var kind: String
    public var apiGroup: String?
    public var name: String
    public var namespace: String?
    public init(kind: String, name: String, namespace: String? = nil, apiGroup: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.apiGroup = apiGroup
    }
}

public struct Role: KubeObject, Hashable {
    public static let apiVersion = "rbac.authorization.k8s.io/v1"
    public static let kind = "Role"
    public static let plural = "roles"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    public var rules: [PolicyRule]?

    public init(metadata: ObjectMeta = ObjectMeta(), rules: [PolicyRule]? = nil) {
        self.metadata = metadata
        self.rules = rules
    }
}

public struct ClusterRole: KubeObject, Hashable {
    public static let apiVersion = "rbac.authorization.k8s.io/v1"
    public static let kind = "ClusterRole"
    public static let plural = "clusterroles"
    public static let namespaced = false

    public struct AggregationRule: Codable, Sendable, Hashable {
        public var clusterRoleSelectors: [LabelSelector]?
        public init(clusterRoleSelectors: [LabelSelector]? = nil) { self.clusterRoleSelectors = clusterRoleSelectors }
    }

    @Defaulted public var metadata: ObjectMeta
    public var rules: [PolicyRule]?
    public var aggregationRule: AggregationRule?

    public init(metadata: ObjectMeta = ObjectMeta(), rules: [PolicyRule]? = nil) {
        self.metadata = metadata
        self.rules = rules
    }
}

public struct RoleBinding: KubeObject, Hashable {
    public static let apiVersion = "rbac.authorization.k8s.io/v1"
    public static let kind = "RoleBinding"
    public static let plural = "rolebindings"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    public var subjects: [Subject]?
    public var roleRef: RoleRef

    public init(metadata: ObjectMeta = ObjectMeta(), subjects: [Subject]? = nil, roleRef: RoleRef) {
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }
}

public struct ClusterRoleBinding: KubeObject, Hashable {
    public static let apiVersion = "rbac.authorization.k8s.io/v1"
    public static let kind = "ClusterRoleBinding"
    public static let plural = "clusterrolebindings"
    public static let namespaced = false

    @Defaulted public var metadata: ObjectMeta
    public var subjects: [Subject]?
    public var roleRef: RoleRef

    public init(metadata: ObjectMeta = ObjectMeta(), subjects: [Subject]? = nil, roleRef: RoleRef) {
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }
}

// MARK: - HorizontalPodAutoscaler (autoscaling/v2)

public struct HorizontalPodAutoscaler: KubeObject, Hashable {
    public static let apiVersion = "autoscaling/v2"
    public static let kind = "HorizontalPodAutoscaler"
    public static let plural = "horizontalpodautoscalers"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: HorizontalPodAutoscalerSpec
    @Defaulted public var status: HorizontalPodAutoscalerStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: HorizontalPodAutoscalerSpec = HorizontalPodAutoscalerSpec()) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct CrossVersionObjectReference: Codable, Sendable, Hashable, DefaultConstructible {
    public var apiVersion: String?
    @Defaulted public var kind: String
    @Defaulted public var name: String
    public init() {}
    public init(apiVersion: String? = nil, kind: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }
}

public struct MetricTarget: Codable, Sendable, Hashable {
    /// `Utilization`, `Value` or `AverageValue`.
    public var type: String
    public var averageUtilization: Int?
    public var averageValue: Quantity?
    public var value: Quantity?
    public init(type: String, averageUtilization: Int? = nil, averageValue: Quantity? = nil, value: Quantity? = nil) {
        self.type = type
        self.averageUtilization = averageUtilization
        self.averageValue = averageValue
        self.value = value
    }
}

public struct MetricSpec: Codable, Sendable, Hashable {
    public struct ResourceMetric: Codable, Sendable, Hashable {
        public var name: String
        public var target: MetricTarget
        public init(name: String, target: MetricTarget) {
            self.name = name
            self.target = target
        }
    }
    /// `Resource`, `Pods`, `Object`, `External`, `ContainerResource`.
    public var type: String
    public var resource: ResourceMetric?
    public var pods: JSONValue?
    public var object: JSONValue?
    public var external: JSONValue?
    public var containerResource: JSONValue?

    public init(type: String, resource: ResourceMetric? = nil) {
        self.type = type
        self.resource = resource
    }

    /// A CPU or memory utilization target: `MetricSpec.resource("cpu", averageUtilization: 70)`.
    public static func resource(_ name: String, averageUtilization: Int) -> MetricSpec {
        MetricSpec(
            type: "Resource",
            resource: ResourceMetric(name: name, target: MetricTarget(type: "Utilization", averageUtilization: averageUtilization)))
    }
}

public struct HorizontalPodAutoscalerSpec: Codable, Sendable, Hashable, DefaultConstructible {
    @Defaulted public var scaleTargetRef: CrossVersionObjectReference
    public var minReplicas: Int?
    @Defaulted public var maxReplicas: Int
    public var metrics: [MetricSpec]?
    public var behavior: JSONValue?
    public init() {}
}

public struct HorizontalPodAutoscalerStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var observedGeneration: Int64?
    public var lastScaleTime: KubeTime?
    public var currentReplicas: Int?
    public var desiredReplicas: Int?
    public var currentMetrics: JSONValue?
    public var conditions: [Condition]?
    public init() {}
}

// MARK: - PodDisruptionBudget (policy/v1)

public struct PodDisruptionBudget: KubeObject, Hashable {
    public static let apiVersion = "policy/v1"
    public static let kind = "PodDisruptionBudget"
    public static let plural = "poddisruptionbudgets"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: PodDisruptionBudgetSpec
    @Defaulted public var status: PodDisruptionBudgetStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodDisruptionBudgetSpec = PodDisruptionBudgetSpec()) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct PodDisruptionBudgetSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public var minAvailable: IntOrString?
    public var maxUnavailable: IntOrString?
    public var selector: LabelSelector?
    /// `IfHealthyBudget` or `AlwaysAllow`.
    public var unhealthyPodEvictionPolicy: String?
    public init() {}
}

public struct PodDisruptionBudgetStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var observedGeneration: Int64?
    public var disruptionsAllowed: Int?
    public var currentHealthy: Int?
    public var desiredHealthy: Int?
    public var expectedPods: Int?
    public var disruptedPods: [String: KubeTime]?
    public var conditions: [Condition]?
    public init() {}
}
