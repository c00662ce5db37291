import KubeClient

/// Decides which informer events reach a controller's queue (controller-runtime's predicates).
public struct EventFilter: Sendable {
    public let accepts: @Sendable (InformerEvent) -> Bool

    public init(_ accepts: @escaping @Sendable (InformerEvent) -> Bool) { self.accepts = accepts }

    /// Every event.
    public static let all = EventFilter { _ in true }

    /// Drops updates that changed only `status` (or nothing but the resourceVersion), so a
    /// controller's own status writes do not wake it again. Adds, deletes, resyncs and any
    /// change to spec, labels, annotations, finalizers, owners or deletion pass.
    public static let ignoreStatusOnlyUpdates = EventFilter { event in
        guard case .updated(let old, let new) = event else { return true }
        if old == new { return true }
        return significantPart(of: old) != significantPart(of: new)
    }

    /// Passes updates only when `metadata.generation` changed (spec changes and deletion),
    /// plus adds, deletes and resyncs.
    public static let generationChanged = EventFilter { event in
        guard case .updated(let old, let new) = event else { return true }
        if old == new { return true }
        return old["metadata"]["generation"] != new["metadata"]["generation"]
    }

    /// Passes events whose object's labels match `selector`.
    public static func labels(_ selector: LabelSelector) -> EventFilter {
        EventFilter { selector.matches(object: $0.object) }
    }

    /// Passes what both filters pass.
    public func and(_ other: EventFilter) -> EventFilter {
        EventFilter { self.accepts($0) && other.accepts($0) }
    }

    private static func significantPart(of object: JSONValue) -> JSONValue {
        var copy = object
        copy["status"] = .null
        copy["metadata"]["resourceVersion"] = .null
        copy["metadata"]["managedFields"] = .null
        return copy
    }
}
