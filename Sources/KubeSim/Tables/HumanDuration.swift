import Foundation

/// Ages as kubectl prints them (k8s.io/apimachinery/pkg/util/duration.HumanDuration):
/// `45s`, `3m4s`, `12m`, `5h3m`, `20h`, `2d3h`, `30d`, `2y10d`.
public enum HumanDuration {
    public static func format(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`; `<unknown>` when there is none.
    public static func since(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, !timestamp.isEmpty, let seconds = RFC3339Time.seconds(timestamp) else { return "<unknown>" }
        return format(now.timeIntervalSince1970 - seconds)
    }
}
