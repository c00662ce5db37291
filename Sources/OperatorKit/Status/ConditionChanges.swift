import Foundation
import KubeClient

/// The conditions one reconcile decides, applied to the status when it is written.
///
/// The kstatus helpers keep `Ready`, `Reconciling` and `Stalled` coherent, as the kstatus
/// rules Flux and Argo CD apply expect (cli-utils `pkg/kstatus`):
///
/// | call | Ready | Reconciling | Stalled | kstatus |
/// |---|---|---|---|---|
/// | ``ready(reason:message:)`` | True | removed | removed | Current |
/// | ``reconciling(reason:message:)`` | False | True | removed | InProgress |
/// | ``stalled(reason:message:)`` | False | removed | True | Failed |
///
/// Every condition written carries the object's `metadata.generation` as its
/// `observedGeneration`, and its `lastTransitionTime` moves only when its status changes.
/// The last call for a type wins.
public struct ConditionChanges: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case set(ConditionStatus, reason: String, message: String)
        case remove
    }

    /// Changes by condition type, in the order they were first made.
    public private(set) var changes: [(type: String, change: Change)] = []

    public init() {}

    public static func == (lhs: ConditionChanges, rhs: ConditionChanges) -> Bool {
        lhs.changes.map(\.type) == rhs.changes.map(\.type) && lhs.changes.map(\.change) == rhs.changes.map(\.change)
    }

    /// Sets a condition.
    public mutating func set(_ type: String, _ status: ConditionStatus, reason: String, message: String) {
        record(type, .set(status, reason: reason, message: message))
    }

    /// Removes a condition (a stale one a later state no longer has).
    public mutating func remove(_ type: String) { record(type, .remove) }

    /// The object is as its spec asks: `Ready=True`; `Reconciling` and `Stalled` go.
    public mutating func ready(reason: String, message: String) {
        set(ConditionType.ready, .true, reason: reason, message: message)
        remove(ConditionType.reconciling)
        remove(ConditionType.stalled)
    }

    /// Work toward the spec is under way: `Ready=False` and `Reconciling=True` with the same
    /// reason and message.
    public mutating func reconciling(reason: String, message: String) {
        set(ConditionType.ready, .false, reason: reason, message: message)
        set(ConditionType.reconciling, .true, reason: reason, message: message)
        remove(ConditionType.stalled)
    }

    /// No progress is possible until the user acts: `Ready=False` and `Stalled=True`.
    public mutating func stalled(reason: String, message: String) {
        set(ConditionType.ready, .false, reason: reason, message: message)
        set(ConditionType.stalled, .true, reason: reason, message: message)
        remove(ConditionType.reconciling)
    }

    /// The change decided for `type`, if any.
    public subscript(type: String) -> Change? { changes.first { $0.type == type }?.change }

    public var isEmpty: Bool { changes.isEmpty }

    /// Applies the changes to a status object.
    public func apply(to status: inout JSONValue, observedGeneration: Int64?, now: Date) {
        for (type, change) in changes {
            switch change {
            case .set(let value, let reason, let message):
                status.setCondition(type, value, reason: reason, message: message, observedGeneration: observedGeneration, now: now)
            case .remove:
                status.removeCondition(type)
            }
        }
    }

    private mutating func record(_ type: String, _ change: Change) {
        if let index = changes.firstIndex(where: { $0.type == type }) {
            changes[index].change = change
        } else {
            changes.append((type, change))
        }
    }
}
