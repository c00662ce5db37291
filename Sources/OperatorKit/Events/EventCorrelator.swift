/// Decides whether an event is new or repeats a recent one (client-go's `EventCorrelator`:
/// `EventAggregator` + `eventLogger`), keeping only what happened within the window.
struct EventCorrelator {
    /// Identifies an Event written to the API server.
    struct Key: Hashable {
        var objectUID: String
        var type: String
        var reason: String
        /// The message, or nil for the aggregate of similar events.
        var message: String?
    }

    enum Decision: Equatable {
        case create(Key, message: String)
        case bump(Key, name: String, namespace: String, count: Int)
    }

    private struct Written {
        var name: String
        var namespace: String
        var count: Int
        var lastSeen: ClockInstant
    }

    private struct Similar {
        var messages: Set<String> = []
        var firstSeen: ClockInstant
    }

    let window: Duration
    let similarThreshold: Int
    private var written: [Key: Written] = [:]
    private var similar: [Key: Similar] = [:]
    private var lastPrune: ClockInstant?

    init(window: Duration, similarThreshold: Int) {
        self.window = window
        self.similarThreshold = similarThreshold
    }

    mutating func correlate(objectUID: String, type: String, reason: String, message: String, now: ClockInstant)
        -> Decision
    {
        prune(now: now)
        let aggregateKey = Key(objectUID: objectUID, type: type, reason: reason, message: nil)
        var group = similar[aggregateKey].flatMap { $0.firstSeen.duration(to: now) < window ? $0 : nil }
            ?? Similar(firstSeen: now)
        group.messages.insert(message)
        similar[aggregateKey] = group

        let key: Key
        let text: String
        if group.messages.count >= similarThreshold {
            key = aggregateKey
            text = "(combined from similar events): " + message
        } else {
            key = Key(objectUID: objectUID, type: type, reason: reason, message: message)
            text = message
        }
        if let existing = written[key], existing.lastSeen.duration(to: now) < window {
            return .bump(key, name: existing.name, namespace: existing.namespace, count: existing.count + 1)
        }
        return .create(key, message: text)
    }

    mutating func remember(_ key: Key, name: String, namespace: String, count: Int, now: ClockInstant) {
        written[key] = Written(name: name, namespace: namespace, count: count, lastSeen: now)
    }

    mutating func forget(_ key: Key) {
        written[key] = nil
    }

    /// Drops entries older than the window. Lookups ignore expired entries themselves, so this
    /// runs only now and then: filtering every entry on every event made recording events
    /// cost in proportion to how many objects had events.
    private mutating func prune(now: ClockInstant) {
        if let lastPrune, lastPrune.duration(to: now) < window / 8 { return }
        lastPrune = now
        written = written.filter { $0.value.lastSeen.duration(to: now) < window }
        similar = similar.filter { $0.value.firstSeen.duration(to: now) < window }
    }
}
