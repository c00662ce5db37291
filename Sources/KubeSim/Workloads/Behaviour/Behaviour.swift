import KubeClient

/// How a simulated container behaves: how long it takes to become ready, whether it ever
/// does, how it fails, how much it uses and how the requests it serves go.
///
/// Chosen per container from the pod's annotations (``BehaviourAnnotation``), then from the
/// container's image tag (``ImageTagConvention``), then these defaults. An annotation wins
/// over the tag, field by field.
public struct Behaviour: Sendable, Equatable {
    /// Simulated seconds from container start to Ready (the readiness probe passing).
    public var startupSeconds: Double = 1
    /// False: the readiness probe never passes (`Unhealthy` events, never Ready).
    public var becomesReady = true
    /// True: the container exits with code 1 one simulated second after it starts, over and
    /// over (CrashLoopBackOff, restart count grows).
    public var crashes = false
    /// True: the image cannot be pulled (ErrImagePull, then ImagePullBackOff; the pod stays Pending).
    public var imagePullFails = false
    /// True: memory grows to the limit and the container is OOMKilled (exit code 137), then restarted.
    public var oomKilled = false
    /// Fraction (0…1) of the served requests that fail with HTTP 500.
    public var errorRate: Double = 0
    /// Mean request latency in milliseconds.
    public var latencyMilliseconds: Double = 20
    /// CPU the container uses, in cores.
    public var cpuCores: Double = 0.01
    /// Memory the container's working set holds, in bytes.
    public var memoryBytes: Double = 32 * 1024 * 1024
    /// Requests served per second while Ready.
    public var requestsPerSecond: Double = 10
    /// For Job containers (restartPolicy Never or OnFailure): simulated seconds until the
    /// container exits (0 when it succeeds, 1 when it crashes).
    public var runSeconds: Double = 2
    /// Simulated seconds a container takes to stop after SIGTERM when its pod is deleted
    /// (at most the grace period; a shell or `sleep` as PID 1 ignores SIGTERM and is killed
    /// when the grace period ends).
    public var shutdownSeconds: Double = 0

    public init() {}

    /// The behaviour of one container of a pod. `readinessDelaySeconds` (the readiness
    /// probe's `initialDelaySeconds`) replaces the default start-up time.
    public static func resolve(annotations: [String: String], image: String,
                               readinessDelaySeconds: Double? = nil) -> Behaviour {
        var behaviour = Behaviour()
        if let readinessDelaySeconds { behaviour.startupSeconds = readinessDelaySeconds }
        ImageTagConvention.apply(image: image, to: &behaviour)
        BehaviourAnnotation.apply(annotations, to: &behaviour)
        return behaviour
    }

    /// Whether the container ever stops by itself under `restartPolicy: Always`.
    var terminatesByItself: Bool { crashes || oomKilled }
}
