import Foundation

/// How simulated durations map onto wall-clock time.
///
/// Every duration the simulated cluster waits for — a container's start-up, a crash-loop
/// back-off, `minReadySeconds`, `progressDeadlineSeconds`, a Job's run time — is a number of
/// *simulated* seconds, and takes `seconds × timeScale` wall seconds. A time scale of 1 is
/// real time; tests use 0.02–0.1 so a rollout that would take a minute takes a second.
///
/// Resource-usage counters (CPU seconds, request counts) always advance in wall time, so a
/// real Prometheus computing `rate()` sees the values the behaviour promises whatever the scale.
public struct SimulationClock: Sendable {
    /// Wall seconds per simulated second.
    public let timeScale: Double
    /// When the simulation started, on the wall clock.
    public let origin: Date

    public init(timeScale: Double = 1, origin: Date = Date()) {
        precondition(timeScale > 0, "the time scale must be positive")
        self.timeScale = timeScale
        self.origin = origin
    }

    /// The wall-clock time a simulated duration takes.
    public func wall(_ simulatedSeconds: Double) -> TimeInterval { max(0, simulatedSeconds) * timeScale }

    /// The wall-clock time a simulated duration takes, as a `Duration` for sleeping.
    public func duration(_ simulatedSeconds: Double) -> Duration { .seconds(wall(simulatedSeconds)) }

    /// The current wall-clock time.
    public var now: Date { Date() }

    /// Simulated seconds elapsed between two wall-clock times.
    public func simulatedSeconds(from start: Date, to end: Date) -> Double {
        end.timeIntervalSince(start) / timeScale
    }

    /// The simulated calendar time: equal to the wall clock at `origin`, then running
    /// `1 / timeScale` times as fast. CronJob schedules follow it, so a `* * * * *`
    /// schedule fires every `60 × timeScale` wall seconds.
    public func simulatedDate(at wall: Date = Date()) -> Date {
        origin.addingTimeInterval(wall.timeIntervalSince(origin) / timeScale)
    }

    /// The wall-clock time at which the simulated calendar reaches `simulated`.
    public func wallDate(forSimulated simulated: Date) -> Date {
        origin.addingTimeInterval(simulated.timeIntervalSince(origin) * timeScale)
    }
}
