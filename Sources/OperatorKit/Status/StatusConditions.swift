import Foundation
import KubeClient

/// Condition types kstatus-aware tools (kubectl wait, Argo CD, Flux) understand.
public enum ConditionType {
    public static let ready = "Ready"
    public static let progressing = "Progressing"
    public static let degraded = "Degraded"
    /// kstatus: true while the controller is still working toward the spec (an
    /// "abnormal-true" condition: removed, not set False, once the work is done).
    public static let reconciling = "Reconciling"
    /// kstatus: true when the controller cannot make progress without a change from the user
    /// (an invalid spec, a rollout rolled back); removed otherwise.
    public static let stalled = "Stalled"
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
        // Worked on the JSON itself: controllers set several conditions per status write,
        // and decoding and re-encoding the whole list for each was a visible share of their CPU.
        var list = self["conditions"].arrayValue ?? []
        var entry: [String: JSONValue] = [
            "type": .string(type), "status": .string(status.rawValue), "reason": .string(reason), "message": .string(message),
        ]
        if let observedGeneration { entry["observedGeneration"] = .int(observedGeneration) }
        let stamp = JSONValue.string(KubeTime(now).description)
        guard let index = list.firstIndex(where: { $0["type"].stringValue == type }) else {
            entry["lastTransitionTime"] = stamp
            list.append(.object(entry))
            self["conditions"] = .array(list)
            return true
        }
        let old = list[index]
        // lastTransitionTime moves only when the status does.
        let kept = old["lastTransitionTime"]
        entry["lastTransitionTime"] = old["status"].stringValue == status.rawValue && kept.stringValue != nil ? kept : stamp
        let new = JSONValue.object(entry)
        if old == new { return false }
        list[index] = new
        self["conditions"] = .array(list)
        return true
    }

    /// Removes a condition from a status object; returns whether it was there.
    @discardableResult
    public mutating func removeCondition(_ type: String) -> Bool {
        guard var list = self["conditions"].arrayValue,
              let index = list.firstIndex(where: { $0["type"].stringValue == type }) else { return false }
        list.remove(at: index)
        self["conditions"] = list.isEmpty ? .null : .array(list)
        return true
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
