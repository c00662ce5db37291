/// The state of one pod, as a reconciler read it from the API server.
public struct PodFact: Sendable, Hashable {
    public var name: String
    public var phase: PodPhase
    /// The pod's `Ready` condition.
    public var ready: Bool
    /// Why a pending pod is pending: the `PodScheduled` condition's reason (`Unschedulable`)
    /// and message ("0/3 nodes are available: 3 Insufficient cpu").
    public var pendingReason: String?
    public var pendingMessage: String?
    public var containers: [ContainerFact]

    public init(name: String, phase: PodPhase, ready: Bool, pendingReason: String? = nil,
                pendingMessage: String? = nil, containers: [ContainerFact] = []) {
        self.name = name
        self.phase = phase
        self.ready = ready
        self.pendingReason = pendingReason
        self.pendingMessage = pendingMessage
        self.containers = containers
    }

    /// Restarts summed over the containers.
    public var restarts: Int { containers.reduce(0) { $0 + $1.restartCount } }

    /// The pod's CPU limit in cores: the sum of its containers', when every container has one.
    public var cpuLimit: Double? { Self.sum(containers.map(\.limits.cpuCores)) }
    /// The pod's memory limit in bytes: the sum of its containers', when every container has one.
    public var memoryLimit: Double? { Self.sum(containers.map(\.limits.memoryBytes)) }

    private static func sum(_ values: [Double?]) -> Double? {
        guard !values.isEmpty else { return nil }
        var total = 0.0
        for value in values {
            guard let value else { return nil }
            total += value
        }
        return total
    }
}

/// A pod's lifecycle phase.
public enum PodPhase: String, Sendable, Hashable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case unknown = "Unknown"
}

/// One container of a pod.
public struct ContainerFact: Sendable, Hashable {
    public var name: String
    public var image: String
    public var ready: Bool
    public var restartCount: Int
    public var state: ContainerState
    /// How the previous run ended (`lastState.terminated`), where `OOMKilled` usually shows.
    public var lastTermination: ContainerTermination?
    public var limits: ResourceLimits
    /// Environment variables with literal values. Values whose names look secret
    /// (`*TOKEN*`, `*PASSWORD*`, `*KEY*`…) never leave the cluster.
    public var environment: [String: String]

    public init(name: String, image: String = "", ready: Bool, restartCount: Int = 0,
                state: ContainerState, lastTermination: ContainerTermination? = nil,
                limits: ResourceLimits = ResourceLimits(), environment: [String: String] = [:]) {
        self.name = name
        self.image = image
        self.ready = ready
        self.restartCount = restartCount
        self.state = state
        self.lastTermination = lastTermination
        self.limits = limits
        self.environment = environment
    }
}

/// A container's current state.
public enum ContainerState: Sendable, Hashable {
    case running
    /// Waiting, with the kubelet's reason (`CrashLoopBackOff`, `ImagePullBackOff`,
    /// `ErrImagePull`, `ContainerCreating`, `CreateContainerConfigError`…).
    case waiting(reason: String, message: String? = nil)
    case terminated(ContainerTermination)
}

/// How a container run ended.
public struct ContainerTermination: Sendable, Hashable {
    /// `OOMKilled`, `Error`, `Completed`…
    public var reason: String
    public var exitCode: Int
    public var message: String?

    public init(reason: String, exitCode: Int, message: String? = nil) {
        self.reason = reason
        self.exitCode = exitCode
        self.message = message
    }
}

/// A container's resource limits, in base units.
public struct ResourceLimits: Sendable, Hashable {
    /// CPU in cores (`500m` is 0.5).
    public var cpuCores: Double?
    /// Memory in bytes (`256Mi` is 268435456).
    public var memoryBytes: Double?
    /// The limits as the manifest wrote them (`500m`, `256Mi`): what a prompt shows.
    public var cpu: String?
    public var memory: String?

    public init(cpuCores: Double? = nil, memoryBytes: Double? = nil, cpu: String? = nil, memory: String? = nil) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.cpu = cpu
        self.memory = memory
    }
}
