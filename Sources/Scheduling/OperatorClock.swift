import Foundation

/// The time source every OperatorKit component reads: a monotonic clock for delays and
/// deadlines, plus the wall time written into objects (condition transitions, lease renewals,
/// event timestamps).
///
/// Production code uses ``SystemClock``; tests inject ``ManualClock`` and move time by hand,
/// so backoff, requeue and lease timings are measured exactly instead of slept through.
public protocol OperatorClock: Sendable {
    /// The current monotonic instant.
    var now: ClockInstant { get }
    /// The current wall-clock time.
    var wallTime: Date { get }
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: ClockInstant) async throws
}

extension OperatorClock {
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled first.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now.advanced(by: duration))
    }

    /// The time elapsed since `start`.
    public func elapsed(since start: ClockInstant) -> Duration {
        start.duration(to: now)
    }
}

/// A point on a monotonic clock: the time elapsed since the clock's origin.
public struct ClockInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Time since the clock's origin.
    public var offset: Duration

    public init(offset: Duration) { self.offset = offset }

    public func advanced(by duration: Duration) -> ClockInstant { ClockInstant(offset: offset + duration) }
    public func duration(to other: ClockInstant) -> Duration { other.offset - offset }

    public static func + (lhs: ClockInstant, rhs: Duration) -> ClockInstant { lhs.advanced(by: rhs) }
    public static func - (lhs: ClockInstant, rhs: Duration) -> ClockInstant { lhs.advanced(by: .zero - rhs) }
    public static func - (lhs: ClockInstant, rhs: ClockInstant) -> Duration { rhs.duration(to: lhs) }
    public static func < (lhs: ClockInstant, rhs: ClockInstant) -> Bool { lhs.offset < rhs.offset }

    public var description: String { "t+\(offset.seconds)s" }
}

extension Duration {
    /// The duration in seconds, with fractions.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// A duration from seconds with fractions (negative and non-finite values become zero).
    public static func seconds(fractional value: Double) -> Duration {
        guard value.isFinite, value > 0 else { return .zero }
        return .nanoseconds(Int64((value * 1e9).rounded()))
    }
}
