import Scheduling

/// Lets a notification for an incident through once per time to live.
///
/// Callers key it by what identifies the incident for them (usually the subject plus
/// ``AnalysisResult/inputHash``), so a reconcile loop that sees the same failing facts
/// again does not page anyone twice.
public actor NotificationGate {
    public nonisolated let ttl: Duration
    private let clock: any OperatorClock
    private var sent: [String: ClockInstant] = [:]

    public init(ttl: Duration, clock: any OperatorClock = SystemClock()) {
        self.ttl = ttl
        self.clock = clock
    }

    /// True the first time a key is seen within the TTL (and records it); false after.
    public func admit(_ key: String) -> Bool {
        let now = clock.now
        sent = sent.filter { now - $0.value < ttl }
        guard sent[key] == nil else { return false }
        sent[key] = now
        return true
    }
}
