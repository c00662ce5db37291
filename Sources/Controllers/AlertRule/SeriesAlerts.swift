import Foundation
import KubeClient
import OpsAPI

/// The alerts of an `expr:` rule, one per result series, as a PrometheusRule has them: each
/// series has its own Pending → Firing → Resolved course (the same ``AlertStateMachine``
/// as the rule's), its own `for` and `keepFiringFor`, and its own notices. The rule's own
/// state sums them up (it holds while any series does).
///
/// Status stays bounded: at most ``limit`` series are kept (firing first, then pending,
/// then resolved; the highest values first); a series that clears while Pending is
/// forgotten at once, a Resolved one after ``resolvedRetention``.
enum SeriesAlerts {
    static let limit = 50
    /// How long a Resolved series stays listed (Prometheus keeps resolved alerts 15 minutes).
    static let resolvedRetention: TimeInterval = 15 * 60

    /// A change of one series' state.
    struct Change: Sendable, Equatable {
        var labels: [String: String]
        var transition: AlertTransition
    }

    /// Whether `spec`'s series are alerts of their own: `expr:` rules, as in PrometheusRule.
    static func applies(_ spec: AlertRuleSpec) -> Bool { spec.expr != nil }

    /// Steps every series with one evaluation: the series the reading holds for hold,
    /// the others clear; nothing changes when the reading concludes nothing.
    static func step(_ alerts: [SeriesAlert], reading: RuleReading, machine: AlertStateMachine,
                     now: Date) -> (alerts: [SeriesAlert], changes: [Change]) {
        guard reading.reading != .unknown else { return (alerts, []) }
        var holding: [String: AlertSeries] = [:]
        var order: [String] = []
        if reading.reading == .holds {
            for series in reading.firing {
                let labels = series.labels.filter { $0.key != "__name__" }
                let key = SeriesAlert.fingerprint(labels)
                if holding[key] == nil { order.append(key) }
                holding[key] = AlertSeries(labels: labels, value: series.value)
            }
        }
        var out: [SeriesAlert] = []
        var changes: [Change] = []
        var known = Set<String>()
        func step(_ alert: inout SeriesAlert, holds: Bool) {
            for t in machine.step(&alert, reading: holds ? .holds : .clear, now: now) {
                changes.append(Change(labels: alert.labels, transition: t))
            }
        }
        for var alert in alerts {
            let key = alert.fingerprint
            known.insert(key)
            if let series = holding[key] { alert.value = finite(series.value) }
            step(&alert, holds: holding[key] != nil)
            out.append(alert)
        }
        for key in order where !known.contains(key) {
            guard let series = holding[key] else { continue }
            var alert = SeriesAlert(labels: series.labels, value: finite(series.value))
            step(&alert, holds: true)
            out.append(alert)
        }
        out.removeAll { alert in
            switch alert.state.flatMap(AlertState.init(rawValue:)) ?? .inactive {
            case .inactive: return true
            case .resolved:
                let at = alert.resolvedAt.flatMap(KubeTimestamp.parse) ?? now
                return now.timeIntervalSince(at) >= resolvedRetention
            case .pending, .firing: return false
            }
        }
        return (Array(out.sorted(by: ranked).prefix(limit)), changes)
    }

    /// Firing before Pending before Resolved; then the highest value.
    static func ranked(_ a: SeriesAlert, _ b: SeriesAlert) -> Bool {
        func rank(_ alert: SeriesAlert) -> Int {
            switch alert.state.flatMap(AlertState.init(rawValue:)) ?? .inactive {
            case .firing: return 0
            case .pending: return 1
            case .resolved: return 2
            case .inactive: return 3
            }
        }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        if (a.value ?? -.infinity) != (b.value ?? -.infinity) { return (a.value ?? -.infinity) > (b.value ?? -.infinity) }
        return a.fingerprint < b.fingerprint
    }

    /// Per action, what status.notifications shows for a per-series rule: the one series'
    /// entry when there is one, else the latest notice of any series with the worst
    /// failure (most attempts) of any.
    static func summary(_ actions: [AlertAction], _ alerts: [SeriesAlert]) -> [NotificationStatus]? {
        let entries = actions.compactMap { action -> NotificationStatus? in
            let all = alerts.compactMap { $0.notifications?.first { $0.name == action.name } }
            guard var summary = all.max(by: { ($0.lastSent ?? "") < ($1.lastSent ?? "") }) else { return nil }
            guard all.count > 1 else { return summary }
            summary.sentCount = nil
            if let failing = all.filter({ $0.lastError != nil }).max(by: { ($0.attempts ?? 0) < ($1.attempts ?? 0) }) {
                summary.lastError = failing.lastError
                summary.attempts = failing.attempts
                summary.retryAt = failing.retryAt
            }
            return summary
        }
        return entries.isEmpty ? nil : entries
    }

    /// A short stable name for a series in job IDs (FNV-1a of its fingerprint).
    static func jobKey(_ fingerprint: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fingerprint.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Status is JSON: an infinite value is kept as the largest finite one.
    static func finite(_ value: Double) -> Double? {
        if value.isNaN { return nil }
        return value.isFinite ? value : (value > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude)
    }
}
