// Typed views of the workload kinds: Pod, Deployment, ReplicaSet (core/v1, apps/v1) and
// Job, CronJob (batch/v1). Unknown fields survive through ``KubeObject/merged(into:)``.

// MARK: - Pod

public struct Pod: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Pod"
    public static let plural = "pods"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: PodSpec
    @Defaulted public var status: PodStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec = PodSpec(), status: PodStatus = PodStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool { status.conditions?.isTrue("Ready") ?? false }

    /// Restarts summed over containers.
    public var restartCount: Int { status.containerStatuses?.reduce(0) { $0 + $1.restartCount } ?? 0 }
}

public struct PodStatus: Codable, Sendable, Hashable, DefaultConstructible {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    public var phase: String?
    public var conditions: [Condition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: KubeTime?
    public var containerStatuses: [ContainerStatus]?
    public var initContainerStatuses: [ContainerStatus]?
    public var qosClass: String?

    public struct PodIP: Codable, Sendable, Hashable {
        public var ip: String
        public init(ip: String) { self.ip = ip }
    }

    public init() {}
}

/// `core/v1 ContainerStatus`.
public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var ready: Bool
    @Defaulted public var restartCount: Int
    public var started: Bool?
    public var image: String?
    public var imageID: String?
    public var containerID: String?
    public var state: ContainerState?
    public var lastState: ContainerState?

    public init(name: String, ready: Bool = false, restartCount: Int = 0, state: ContainerState? = nil) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.state = state
    }

    /// The waiting reason (`CrashLoopBackOff`, `ImagePullBackOff`…) or the terminated reason
    /// (`OOMKilled`, `Error`…) of the current, else the last, state.
    public var problemReason: String? {
        state?.waiting?.reason ?? state?.terminated?.reason ?? lastState?.terminated?.reason
    }
}

/// `core/v1 ContainerState`: exactly one of waiting, running, terminated.
public struct ContainerState: Codable, Sendable, Hashable, DefaultConstructible {
    public struct Waiting: Codable, Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public init(reason: String? = nil, message: String? = nil) {
            self.reason = reason
            self.message = message
        }
    }

    public struct Running: Codable, Sendable, Hashable {
        public var startedAt: KubeTime?
        public init(startedAt: KubeTime? = nil) { self.startedAt = startedAt }
    }

    public struct Terminated: Codable, Sendable, Hashable {
        public var exitCode: Int
        public var signal: Int?
        public var reason: String?
        public var message: String?
        public var startedAt: KubeTime?
        public var finishedAt: KubeTime?
        public var containerID: String?
        public init(exitCode: Int, reason: String? = nil, message: String? = nil) {
            self.exitCode = exitCode
            self.reason = reason
            self.message = message
        }
    }

    public var waiting: Waiting?
    public var running: Running?
    public var terminated: Terminated?

    public init() {}
    public init(waiting: Waiting? = nil, running: Running? = nil, terminated: Terminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

// MARK: - Deployment

public struct Deployment: KubeObject, Hashable {
    public static let apiVersion = "apps/v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: DeploymentSpec
    @Defaulted public var status: DeploymentStatus

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec = DeploymentSpec(),
        status: DeploymentStatus = DeploymentStatus()
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `kubectl rollout status`'s test: the controller saw this generation and every
    /// replica is updated and available.
    public var isRolloutComplete: Bool {
        let desired = spec.replicas ?? 1
        let updated = status.updatedReplicas ?? 0
        return (status.observedGeneration ?? 0) >= (metadata.generation ?? 0)
            && updated == desired
            && (status.replicas ?? 0) == updated
            && (status.availableReplicas ?? 0) >= updated
    }
}

public struct DeploymentSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public var replicas: Int?
    public var selector: LabelSelector?
    @Defaulted public var template: PodTemplateSpec
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int?
    public var revisionHistoryLimit: Int?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int?

    public init() {}
}

public struct DeploymentStrategy: Codable, Sendable, Hashable, DefaultConstructible {
    public struct RollingUpdate: Codable, Sendable, Hashable {
        public var maxSurge: IntOrString?
        public var maxUnavailable: IntOrString?
        public init(maxSurge: IntOrString? = nil, maxUnavailable: IntOrString? = nil) {
            self.maxSurge = maxSurge
            self.maxUnavailable = maxUnavailable
        }
    }

    /// `RollingUpdate` or `Recreate`.
    public var type: String?
    public var rollingUpdate: RollingUpdate?

    public init() {}
    public init(type: String, rollingUpdate: RollingUpdate? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

public struct DeploymentStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var observedGeneration: Int64?
    public var replicas: Int?
    public var updatedReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var unavailableReplicas: Int?
    public var terminatingReplicas: Int?
    public var collisionCount: Int?
    public var conditions: [Condition]?

    public init() {}
}

// MARK: - ReplicaSet

public struct ReplicaSet: KubeObject, Hashable {
    public static let apiVersion = "apps/v1"
    public static let kind = "ReplicaSet"
    public static let plural = "replicasets"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: ReplicaSetSpec
    @Defaulted public var status: ReplicaSetStatus

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: ReplicaSetSpec = ReplicaSetSpec(),
        status: ReplicaSetStatus = ReplicaSetStatus()
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ReplicaSetSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public var replicas: Int?
    public var selector: LabelSelector?
    @Defaulted public var template: PodTemplateSpec
    public var minReadySeconds: Int?

    public init() {}
}

public struct ReplicaSetStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var replicas: Int?
    public var fullyLabeledReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var terminatingReplicas: Int?
    public var observedGeneration: Int64?
    public var conditions: [Condition]?

    public init() {}
}

// MARK: - Job

public struct Job: KubeObject, Hashable {
    public static let apiVersion = "batch/v1"
    public static let kind = "Job"
    public static let plural = "jobs"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: JobSpec
    @Defaulted public var status: JobStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: JobSpec = JobSpec(), status: JobStatus = JobStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `Complete` or `Failed` is `True`.
    public var isFinished: Bool {
        (status.conditions?.isTrue("Complete") ?? false) || (status.conditions?.isTrue("Failed") ?? false)
    }
}

public struct JobSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public var parallelism: Int?
    public var completions: Int?
    public var activeDeadlineSeconds: Int64?
    public var backoffLimit: Int?
    public var selector: LabelSelector?
    public var manualSelector: Bool?
    @Defaulted public var template: PodTemplateSpec
    public var ttlSecondsAfterFinished: Int?
    public var completionMode: String?
    public var suspend: Bool?
    public var podFailurePolicy: JSONValue?

    public init() {}
}

public struct JobStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var conditions: [Condition]?
    public var startTime: KubeTime?
    public var completionTime: KubeTime?
    public var active: Int?
    public var succeeded: Int?
    public var failed: Int?
    public var ready: Int?
    public var terminating: Int?

    public init() {}
}

// MARK: - CronJob

public struct CronJob: KubeObject, Hashable {
    public static let apiVersion = "batch/v1"
    public static let kind = "CronJob"
    public static let plural = "cronjobs"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: CronJobSpec
    @Defaulted public var status: CronJobStatus

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: CronJobSpec = CronJobSpec(), status: CronJobStatus = CronJobStatus()
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct CronJobSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public struct JobTemplate: Codable, Sendable, Hashable, DefaultConstructible {
        @Defaulted public var metadata: ObjectMeta
        @Defaulted public var spec: JobSpec
        public init() {}
    }

    @Defaulted public var schedule: String
    public var timeZone: String?
    public var startingDeadlineSeconds: Int64?
    /// `Allow`, `Forbid` or `Replace`.
    public var concurrencyPolicy: String?
    public var suspend: Bool?
    @Defaulted public var jobTemplate: JobTemplate
    public var successfulJobsHistoryLimit: Int?
    public var failedJobsHistoryLimit: Int?

    public init() {}
}

public struct CronJobStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var active: [ObjectReference]?
    public var lastScheduleTime: KubeTime?
    public var lastSuccessfulTime: KubeTime?

    public init() {}
}
