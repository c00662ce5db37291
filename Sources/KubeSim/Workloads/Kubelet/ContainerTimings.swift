/// The simulated durations of a container's life, in simulated seconds (see ``SimulationClock``).
enum ContainerTimings {
    /// Pulling an image that exists.
    static let pull = 0.5
    /// How long a failed pull shows `ErrImagePull` before `ImagePullBackOff`.
    static let pullErrorShown = 1.0
    /// How long a crashing container runs before it exits.
    static let crashAfter = 1.0
    /// How long an OOM-killed container's memory takes to reach its limit.
    static let oomAfter = 2.0
    /// A container that ran this long without failing restarts its back-off from the start.
    static let backoffReset = 600.0
    /// Readiness probe period when the container declares none.
    static let defaultProbePeriod = 10.0

    /// kubelet's restart and image pull back-off: 10 s doubling per failure, at most 5 minutes.
    static func backoff(failures: Int) -> Double {
        min(10 * Double(1 << min(max(failures, 0), 10)), 300)
    }
}
