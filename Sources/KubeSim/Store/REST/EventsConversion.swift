import KubeClient

/// kube-apiserver's conversion between core/v1 Events, the form Events are stored in, and
/// events.k8s.io/v1 Events (`pkg/apis/events/v1/conversion.go`): the same object under
/// other names, so an Event written through either API reads the same through both.
///
/// | events.k8s.io/v1 | core/v1 |
/// |---|---|
/// | `regarding` | `involvedObject` |
/// | `note` | `message` |
/// | `reportingController` | `reportingComponent` |
/// | `deprecatedSource` | `source` |
/// | `deprecatedFirstTimestamp` / `deprecatedLastTimestamp` | `firstTimestamp` / `lastTimestamp` |
/// | `deprecatedCount` | `count` |
///
/// `eventTime`, `series` (`count`, `lastObservedTime`), `related`, `action`, `reason`,
/// `type` and `reportingInstance` keep their names. Fields the target kind lacks are dropped,
/// as decoding into the typed object drops them.
enum EventsConversion {
    /// The resource served through this conversion.
    static let resource = GroupResource(group: "events.k8s.io", resource: "events")

    /// (events.k8s.io/v1 name, core/v1 name) of the renamed fields.
    static let renamed: [(events: String, core: String)] = [
        ("regarding", "involvedObject"), ("note", "message"), ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
    ]

    /// Fields both versions name alike.
    static let common = ["metadata", "eventTime", "series", "reportingInstance", "action", "reason", "related", "type"]

    /// The field selector labels events.k8s.io/v1 accepts, and the core/v1 field each selects
    /// on (`AddFieldLabelConversionsForEvent`); any other label is refused with 400.
    static let fieldLabels: [String: String] = [
        "regarding.kind": "involvedObject.kind", "regarding.namespace": "involvedObject.namespace",
        "regarding.name": "involvedObject.name", "regarding.uid": "involvedObject.uid",
        "regarding.apiVersion": "involvedObject.apiVersion",
        "regarding.resourceVersion": "involvedObject.resourceVersion",
        "regarding.fieldPath": "involvedObject.fieldPath", "reason": "reason",
        "reportingController": "reportingComponent", "source": "source", "type": "type",
        "metadata.namespace": "metadata.namespace", "metadata.name": "metadata.name",
    ]

    /// An events.k8s.io/v1 Event as the core/v1 Event it is stored as.
    static func toCore(_ event: JSONValue) -> JSONValue {
        var core: JSONValue = ["apiVersion": "v1", "kind": "Event"]
        for field in common { core[field] = event[field] }
        for (events, coreName) in renamed { core[coreName] = event[events] }
        return core
    }

    /// A stored core/v1 Event as events.k8s.io/v1 serves it, zero values as Go's encoding of
    /// `events/v1.Event` writes them: `eventTime` and the deprecated timestamps `null`,
    /// `regarding` and `deprecatedSource` `{}`, empty strings and a zero count left out.
    static func toEventsV1(_ core: JSONValue, apiVersion: String) -> JSONValue {
        var event: JSONValue = ["apiVersion": .string(apiVersion), "kind": "Event"]
        for field in common { event[field] = core[field] }
        for (events, coreName) in renamed { event[events] = core[coreName] }
        for field in ["reportingController", "reportingInstance", "action", "reason", "note", "type"]
        where event[field].stringValue?.isEmpty == true {
            event.removeValue(forKey: field)
        }
        if event["deprecatedCount"].intValue == 0 { event.removeValue(forKey: "deprecatedCount") }
        for field in ["regarding", "deprecatedSource"] where event[field].isNull { event[field] = .emptyObject }
        for field in ["eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"] where event[field].isNull {
            event.setValue(.null, forKey: field)
        }
        return event
    }

    /// A field selector for events.k8s.io/v1 rewritten in core/v1 labels.
    static func coreFieldSelector(_ text: String) throws(APIError) -> String {
        var selector: FieldSelector
        do {
            selector = try FieldSelector(parsing: text)
        } catch {
            throw APIError.badRequest("\(error)")
        }
        for index in selector.requirements.indices {
            let label = selector.requirements[index].field
            guard let core = fieldLabels[label] else { throw APIError.badRequest("field label not supported: \(label)") }
            selector.requirements[index].field = core
        }
        return selector.description
    }
}
