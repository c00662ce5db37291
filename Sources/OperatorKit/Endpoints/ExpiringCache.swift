import NIOConcurrencyHelpers

/// Answers kept per key for `ttl`, loaded once per key however many callers miss it at
/// once: the callers share one load (50 sessions whose cached token review expired in the
/// same second make one TokenReview, not 50). A load that throws is neither cached nor kept:
/// its callers get the error, and the next caller loads again.
///
/// For answers the API server gives about identities and access (TokenReview,
/// SubjectAccessReview, a namespace's Secret values), where a short staleness is the price of
/// not asking on every request.
public final class ExpiringCache<Value: Sendable>: Sendable {
    private struct State {
        var answers: [String: (value: Value, expires: ContinuousClock.Instant)] = [:]
        var loading: [String: Task<Value, any Error>] = [:]
    }

    private let ttl: Duration
    private let capacity: Int
    private let state = NIOLockedValueBox(State())

    /// - Parameter capacity: past this many answers, expired ones are dropped on the next store.
    public init(ttl: Duration, capacity: Int = 4096) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The answer for `key`: the cached one while it is fresh, else the one `load` gives
    /// (started by the first caller to miss; later callers wait for the same load).
    public func value(for key: String, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let fresh = state.withLockedValue({ state -> Value? in
            guard let cached = state.answers[key], now < cached.expires else { return nil }
            return cached.value
        }) {
            return fresh
        }
        let task = state.withLockedValue { state -> Task<Value, any Error> in
            if let task = state.loading[key] { return task }
            let task = Task { try await load() }
            state.loading[key] = task
            return task
        }
        do {
            let value = try await task.value
            state.withLockedValue { state in
                guard state.loading[key] == task else { return }
                state.loading[key] = nil
                let stored = ContinuousClock.now
                if state.answers.count >= capacity { state.answers = state.answers.filter { stored < $0.value.expires } }
                state.answers[key] = (value, stored.advanced(by: ttl))
            }
            return value
        } catch {
            state.withLockedValue { state in
                if state.loading[key] == task { state.loading[key] = nil }
            }
            throw error
        }
    }
}
