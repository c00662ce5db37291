import Foundation
import KubeClient

/// Condition types kstatus-aware tools (kubectl wait, Argo CD, Flux) understand.
public enum ConditionType {
    public static let ready = "Ready"
    public static let progressing = "Progressing"
    public static let degraded = "Degraded"
}

extension JSONValue {
    /// The `conditions` of a status object.
    public var conditions: [Condition] {
        get { (try? self["conditions"].decode([Condition].self)) ?? [] }
        set { self["conditions"] = newValue.isEmpty ? .null : ((try? JSONValue(encoding: newValue)) ?? .null) }
    }

    /// The condition of a type in a status object.
    public func condition(_ type: String) -> Condition? { conditions[type: type] }

    /// Sets a condition in a status object as `meta.SetStatusCondition` does:
    /// `lastTransitionTime` moves to `now` only when the condition's status changes, so a
    /// reconcile that finds nothing new leaves the status byte-for-byte identical.
    /// Returns whether anything changed.
    @discardableResult
    public mutating func setCondition(
        _ type: String, _ status: ConditionStatus, reason: String, message: String, observedGeneration: Int64? = nil,
        now: Date = Date()
    ) -> Bool {
        var list = conditions
        let changed = list.set(
            Condition(
                type: type, status: status, observedGeneration: observedGeneration, reason: reason, message: message),
            now: KubeTime(now))
        if changed { conditions = list }
        return changed
    }

    /// Records that the status describes `generation` of the spec (`status.observedGeneration`).
    public mutating func setObservedGeneration(_ generation: Int64?) {
        guard let generation else { return }
        self["observedGeneration"] = .int(generation)
    }

    /// `metadata.generation` of an object.
    public var generation: Int64? {
        self["metadata"]["generation"].intValue.map(Int64.init)
    }
}
