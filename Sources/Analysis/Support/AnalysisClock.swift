/// Time as the analysis layer reads it: cache TTLs, budget windows, retry backoff.
///
/// Injected so tests can move time on by hand instead of waiting for it.
public protocol AnalysisClock: Sendable {
    /// Monotonic now.
    func now() -> ContinuousClock.Instant
    /// Waits `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemAnalysisClock: AnalysisClock {
    public init() {}
    public func now() -> ContinuousClock.Instant { ContinuousClock.now }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
