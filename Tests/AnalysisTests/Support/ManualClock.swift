import Analysis
import Synchronization

/// A clock that moves only when told: `sleep` records the wait and moves time on by it
/// at once, so retry backoff, TTLs and budget windows are tested without waiting.
final class ManualClock: AnalysisClock {
    private struct State {
        var offset: Duration = .zero
        var sleeps: [Duration] = []
    }

    private let origin = ContinuousClock.now
    private let state = Mutex(State())

    func now() -> ContinuousClock.Instant { origin + state.withLock { $0.offset } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.sleeps.append(duration)
            $0.offset += duration
        }
        await Task.yield()
    }

    func advance(by duration: Duration) {
        state.withLock { $0.offset += duration }
    }

    /// Every wait asked for, in order.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
}
