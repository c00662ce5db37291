/// What a user asks `opsagent generate` for: one workload, described by what it needs
/// rather than by Kubernetes fields. ``RequirementsReader`` builds it from a YAML or JSON
/// document (refusing unknown fields, bad names and bad quantities with the field path);
/// ``ManifestGenerator`` turns it into hardened objects.
///
/// Everything not given takes a default from the ``DeploymentEnvironment`` (replicas,
/// PodDisruptionBudget, probes, size class).
public struct WorkloadRequirements: Sendable, Hashable {
    /// DNS-1123 label, at most ``RequirementsReader/maxNameLength`` characters (derived
    /// objects add suffixes such as `-preview`).
    public var name: String
    public var namespace: String?
    /// An image reference with a version tag or a digest (`:latest` and untagged are refused).
    public var image: String
    public var type: WorkloadType = .web
    public var environment: DeploymentEnvironment = .dev
    /// Pods to run; the environment's default when absent.
    public var replicas: Int?
    public var ports: [PortRequirement] = []
    /// Environment variables by name: literals go to a ConfigMap, Secret keys to references.
    public var env: [String: EnvValue] = [:]
    /// Files (key → content) mounted read-only from a ConfigMap at `/etc/<name>`.
    public var configFiles: [String: String] = [:]
    /// Secrets mounted read-only as files.
    public var secretMounts: [SecretMount] = []
    public var resources: ResourceRequirement?
    public var scaling: ScalingRequirement?
    public var exposure: Exposure = .init()
    public var storage: StorageRequirement?
    public var rollout: RolloutRequirement = .init()
    public var health: HealthRequirement = .init()
    /// Extra egress the pods need beyond DNS.
    public var egress: [EgressRule] = []
    /// The UID (and GID) the containers run as; 10001 when absent.
    public var runAsUser: Int?
    /// `app.kubernetes.io/part-of`.
    public var partOf: String?

    public init(name: String, image: String) {
        self.name = name
        self.image = image
    }
}

/// What the workload does; it decides whether it serves traffic by default.
public enum WorkloadType: String, Sendable, Hashable, CaseIterable {
    /// Serves HTTP to users (exposed in the cluster by default).
    case web
    /// Serves other services (exposed in the cluster by default).
    case api
    /// Processes work from a queue; no Service unless asked.
    case worker
}

/// The stage the manifests are for; it changes defaults, never hardening.
public enum DeploymentEnvironment: String, Sendable, Hashable, CaseIterable {
    case dev, staging, prod
}

public struct PortRequirement: Sendable, Hashable {
    /// IANA service name (at most 15 characters, lowercase letters, digits and `-`).
    public var name: String
    public var port: Int
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String = "TCP"

    public init(name: String, port: Int, protocol: String = "TCP") {
        self.name = name
        self.port = port
        self.protocol = `protocol`
    }
}

/// The value of one environment variable.
public enum EnvValue: Sendable, Hashable {
    /// A literal, stored in the workload's ConfigMap (never inlined in the pod spec).
    case literal(String)
    /// A key of a Secret that exists in the namespace (never generated).
    case secret(name: String, key: String)
}

public struct SecretMount: Sendable, Hashable {
    public var name: String
    /// Where the Secret's keys appear as files; `/var/run/secrets/<secret>` when absent.
    public var mountPath: String?

    public init(name: String, mountPath: String? = nil) {
        self.name = name
        self.mountPath = mountPath
    }
}

/// Requests and limits, given as a size class or as quantities.
public enum ResourceRequirement: Sendable, Hashable {
    case size(SizeClass)
    /// `cpu` and `memory` quantities; a missing limit is derived from the request.
    case explicit(requests: [String: String], limits: [String: String])
}

public enum SizeClass: String, Sendable, Hashable, CaseIterable {
    case small, medium, large
}

public struct ScalingRequirement: Sendable, Hashable {
    public var min: Int
    public var max: Int
    /// Average CPU utilization (percent of requests) the autoscaler keeps.
    public var cpuTarget: Int

    public init(min: Int, max: Int, cpuTarget: Int = 70) {
        self.min = min
        self.max = max
        self.cpuTarget = cpuTarget
    }
}

public struct Exposure: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// No Service; the NetworkPolicy admits nothing.
        case none
        /// A ClusterIP Service; pods of the namespace may connect.
        case cluster
        /// A ClusterIP Service behind an Ingress with TLS.
        case ingress
    }
    /// Absent means `cluster` for web and api workloads with ports, `none` otherwise.
    public var kind: Kind?
    public var host: String?
    public var path: String = "/"
    public var tlsSecret: String?
    public var ingressClass: String?

    public init(kind: Kind? = nil) { self.kind = kind }
}

public struct StorageRequirement: Sendable, Hashable {
    /// A quantity such as `10Gi`.
    public var size: String
    /// `ReadWriteOnce`, `ReadWriteOncePod`, `ReadWriteMany` or `ReadOnlyMany`.
    public var accessMode: String = "ReadWriteOnce"
    public var mountPath: String = "/data"
    public var storageClass: String?

    public init(size: String) { self.size = size }

    /// True when only one node (or pod) can mount the volume.
    public var isSingleWriter: Bool { accessMode == "ReadWriteOnce" || accessMode == "ReadWriteOncePod" }
}

public struct RolloutRequirement: Sendable, Hashable {
    public enum Strategy: String, Sendable, Hashable, CaseIterable {
        case rolling
        case blueGreen = "blue-green"
    }
    public var strategy: Strategy = .rolling
    /// Blue-green only: switch traffic once the preview passes analysis.
    public var autoPromote: Bool = true
    /// Blue-green only: a PromQL error-rate query (a fraction) gating promotion, in addition
    /// to the built-in readiness and restart checks.
    public var errorRateQuery: String?
    /// Blue-green only: the largest error rate that still passes.
    public var maxErrorRate: Double = 0.05

    public init() {}
}

public struct HealthRequirement: Sendable, Hashable {
    /// HTTP paths probed on ``port``.
    public var liveness: String?
    public var readiness: String?
    public var startup: String?
    /// A port name or number of ``WorkloadRequirements/ports``; the first port when absent.
    public var port: String?
    /// A command run in the container when the workload has no HTTP endpoint.
    public var command: [String]?

    public init() {}
}

public struct EgressRule: Sendable, Hashable {
    public var port: Int
    public var `protocol`: String = "TCP"
    /// Destination network; anywhere when absent.
    public var cidr: String?

    public init(port: Int, protocol: String = "TCP", cidr: String? = nil) {
        self.port = port
        self.protocol = `protocol`
        self.cidr = cidr
    }
}
