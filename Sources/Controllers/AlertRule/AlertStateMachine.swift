import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// What one evaluation concluded about the condition.
public enum ConditionReading: Sendable, Equatable {
    /// The condition holds (for these series).
    case holds
    /// The condition does not hold.
    case clear
    /// Nothing can be concluded (no data read as Unknown, or the source failed): the state stays.
    case unknown
}

/// A change of state, with why.
public struct AlertTransition: Sendable, Equatable {
    public var from: AlertState
    public var to: AlertState
    public var at: Date
}

/// The states of an alert and their rules, as Prometheus has them, over the typed status
/// (the rule's, or one series' of an `expr:` rule):
///
/// - the condition holds: Inactive or Resolved → Pending (or straight to Firing when `for`
///   is zero); Pending → Firing once it has held for `for`; Firing stays Firing;
/// - the condition does not hold: Pending → Inactive; Firing → Resolved once `keepFiringFor`
///   has passed since it last held; Inactive and Resolved stay;
/// - nothing can be concluded: nothing changes (an empty result or an unreachable source is
///   never read as "resolved").
///
/// Pure: the time is given, so it is tested on a manual clock.
public struct AlertStateMachine: Sendable {
    public var forDuration: Duration
    public var keepFiringFor: Duration

    public init(forDuration: Duration, keepFiringFor: Duration) {
        self.forDuration = forDuration
        self.keepFiringFor = keepFiringFor
    }

    public init(spec: AlertRuleSpec) {
        self.init(forDuration: spec.effectiveFor, keepFiringFor: spec.effectiveKeepFiringFor)
    }

    /// Applies one reading at `now` to `status`; answers the transitions made (at most two:
    /// Inactive → Pending → Firing cannot happen in one step unless `for` is zero).
    public func step<Status: AlertStateFields>(_ status: inout Status, reading: ConditionReading, now: Date) -> [AlertTransition] {
        let state = status.state.flatMap(AlertState.init(rawValue:)) ?? .inactive
        if status.state == nil {
            status.state = AlertState.inactive.rawValue
            status.since = Self.stamp(now)
        }
        var transitions: [AlertTransition] = []
        func move(_ to: AlertState) {
            let from = status.state.flatMap(AlertState.init(rawValue:)) ?? .inactive
            status.state = to.rawValue
            status.since = Self.stamp(now)
            transitions.append(AlertTransition(from: from, to: to, at: now))
        }
        func fire() {
            status.firingSince = Self.stamp(now)
            move(.firing)
        }
        switch reading {
        case .unknown:
            return []
        case .holds:
            status.lastActiveAt = Self.stamp(now)
            switch state {
            case .inactive, .resolved:
                status.activeSince = Self.stamp(now)
                status.resolvedAt = nil
                move(.pending)
                if forDuration <= .zero { fire() }
            case .pending:
                let since = status.activeSince.flatMap(KubeTimestamp.parse) ?? now
                if now.timeIntervalSince(since) >= forDuration.seconds - 0.000_5 { fire() }
            case .firing:
                break
            }
        case .clear:
            switch state {
            case .pending:
                status.activeSince = nil
                move(.inactive)
            case .firing:
                let last = status.lastActiveAt.flatMap(KubeTimestamp.parse) ?? .distantPast
                if keepFiringFor <= .zero || now.timeIntervalSince(last) >= keepFiringFor.seconds - 0.000_5 {
                    status.activeSince = nil
                    status.resolvedAt = Self.stamp(now)
                    move(.resolved)
                }
            case .inactive, .resolved:
                break
            }
        }
        return transitions
    }

    /// When the state could change without a new reading changing: the end of `for` while
    /// Pending, the end of `keepFiringFor` while Firing past the last active time.
    public func nextDeadline<Status: AlertStateFields>(_ status: Status) -> Date? {
        switch status.state.flatMap(AlertState.init(rawValue:)) {
        case .pending?:
            return status.activeSince.flatMap(KubeTimestamp.parse)?.addingTimeInterval(forDuration.seconds)
        case .firing? where keepFiringFor > .zero:
            return status.lastActiveAt.flatMap(KubeTimestamp.parse)?.addingTimeInterval(keepFiringFor.seconds)
        default:
            return nil
        }
    }

    /// Timestamps with milliseconds: sub-second intervals and `for` durations stay exact.
    public static func stamp(_ date: Date) -> String { KubeTimestamp.format(date, fractionalDigits: 3) }
}
