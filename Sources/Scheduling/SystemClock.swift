import Foundation

/// The real clock: `ContinuousClock` for instants and sleeps, `Date()` for wall time.
public struct SystemClock: OperatorClock {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public var now: ClockInstant { ClockInstant(offset: origin.duration(to: ContinuousClock.now)) }

    public var wallTime: Date { Date() }

    public func sleep(until deadline: ClockInstant) async throws {
        try await ContinuousClock().sleep(until: origin.advanced(by: deadline.offset), tolerance: nil)
    }
}
