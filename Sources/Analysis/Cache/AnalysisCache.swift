import Scheduling

/// Results by input hash, each kept for a time to live.
///
/// Keys are ``AnalysisResult/inputHash`` values, which cover provider, model, prompt
/// version and the redacted facts, so the same incident asked again within the TTL is
/// answered from here instead of the provider.
public actor AnalysisCache {
    private struct Entry {
        let result: AnalysisResult
        let expires: ClockInstant
    }

    public nonisolated let capacity: Int
    private let clock: any OperatorClock
    private var entries: [String: Entry] = [:]

    public init(capacity: Int = 1024, clock: any OperatorClock = SystemClock()) {
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// The live result for a key, if any.
    public func result(for key: String) -> AnalysisResult? {
        guard let entry = entries[key] else { return nil }
        guard clock.now < entry.expires else {
            entries.removeValue(forKey: key)
            return nil
        }
        return entry.result
    }

    /// Keeps a result for `ttl`. A zero TTL stores nothing.
    public func store(_ result: AnalysisResult, for key: String, ttl: Duration) {
        guard ttl > .zero else { return }
        let now = clock.now
        if entries.count >= capacity, entries[key] == nil { evict(now) }
        entries[key] = Entry(result: result, expires: now + ttl)
    }

    public var count: Int { entries.count }

    /// Drops expired entries, then the ones closest to expiry until there is room.
    private func evict(_ now: ClockInstant) {
        entries = entries.filter { now < $0.value.expires }
        while entries.count >= capacity, let soonest = entries.min(by: { $0.value.expires < $1.value.expires }) {
            entries.removeValue(forKey: soonest.key)
        }
    }
}
