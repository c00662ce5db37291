/// The limits the built-in analyzer judges facts against.
///
/// The CPU and memory limits are the seed's: more than 80% of the CPU limit or 90% of the
/// memory limit means poor health.
public struct BuiltinThresholds: Sendable, Hashable {
    /// Highest acceptable error rate (failed / all requests).
    public var errorRate: Double = 0.05
    /// Highest acceptable CPU use, as a fraction of the CPU limit.
    public var cpuOfLimit: Double = 0.8
    /// Highest acceptable memory use, as a fraction of the memory limit.
    public var memoryOfLimit: Double = 0.9
    /// Restarts of one container that make a warning.
    public var restartWarning: Int = 1
    /// Restarts of one container that fail the analysis.
    public var restartFailure: Int = 3
    /// The fraction of running pods that must be ready (the seed wants all of them).
    public var minReadyFraction: Double = 1.0
    /// Above this fraction of samples without data, a metric is inconclusive even when its
    /// newest value is fine.
    public var maxMissingFraction: Double = 0.5

    public init() {}

    public init(errorRate: Double = 0.05, cpuOfLimit: Double = 0.8, memoryOfLimit: Double = 0.9,
                restartWarning: Int = 1, restartFailure: Int = 3, minReadyFraction: Double = 1.0,
                maxMissingFraction: Double = 0.5) {
        self.errorRate = errorRate
        self.cpuOfLimit = cpuOfLimit
        self.memoryOfLimit = memoryOfLimit
        self.restartWarning = restartWarning
        self.restartFailure = restartFailure
        self.minReadyFraction = minReadyFraction
        self.maxMissingFraction = maxMissingFraction
    }
}
