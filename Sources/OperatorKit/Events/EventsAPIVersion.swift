import Foundation
import KubeClient

/// The Events API the recorder writes: events.k8s.io/v1 where the server serves it, as
/// client-go's `tools/events` recorder writes, and core/v1 otherwise (older servers, or an
/// API that cannot say; the discovery answer 404 means "not served").
///
/// Both describe one Event (kube-apiserver stores them together), so readers of either API
/// see every Event; repeats are counted in `series` (events.k8s.io) or `count` (core).
public enum EventsAPIVersion: Sendable, Equatable {
    case eventsV1
    case coreV1

    static let eventsV1Resource = GroupVersionResource(group: "events.k8s.io", version: "v1", resource: "events")

    /// events.k8s.io/v1 limits `note` to 1024 bytes (kube's `NoteLengthLimit`).
    static let noteLimit = 1024

    var resource: GroupVersionResource { self == .eventsV1 ? Self.eventsV1Resource : .events }

    /// Asks discovery: core/v1 when the API cannot tell (it never will), nil when discovery
    /// failed for a reason that may pass (the recorder asks again with its next event).
    static func discover(_ api: any KubernetesAPI) async -> EventsAPIVersion? {
        do {
            guard let served = try await api.serves(eventsV1Resource) else { return .coreV1 }
            return served ? .eventsV1 : .coreV1
        } catch {
            return nil
        }
    }

    /// A new Event about `reference`. events.k8s.io/v1 needs `eventTime`, `reportingController`,
    /// `reportingInstance` and `action` (the reason stands for it: the recorder's callers name
    /// the transition, not a separate action) and leaves the deprecated fields unset.
    func newEvent(name: String, namespace: String, reference: JSONValue, type: String, reason: String, message: String,
                  component: String, instance: String, time: Date) -> JSONValue {
        let metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
        switch self {
        case .eventsV1:
            return [
                "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": metadata,
                "eventTime": .string(KubeTimestamp.format(time, fractionalDigits: 6)),
                "reportingController": .string(component), "reportingInstance": .string(String(instance.prefix(128))),
                "action": .string(reason), "reason": .string(reason), "regarding": reference,
                "note": .string(Self.note(message)), "type": .string(type),
            ]
        case .coreV1:
            let timestamp = JSONValue.string(KubeTimestamp.format(time))
            return [
                "apiVersion": "v1", "kind": "Event", "metadata": metadata, "involvedObject": reference,
                "type": .string(type), "reason": .string(reason), "message": .string(message),
                "source": ["component": .string(component), "host": .string(instance)],
                "reportingComponent": .string(component), "reportingInstance": .string(instance),
                "firstTimestamp": timestamp, "lastTimestamp": timestamp, "count": 1,
            ]
        }
    }

    /// The merge patch that records the `count`th occurrence at `time`: the series of an
    /// events.k8s.io Event (the only field an update through that API may change), the count
    /// and lastTimestamp of a core one.
    func repeatPatch(count: Int, time: Date) -> JSONValue {
        switch self {
        case .eventsV1:
            return ["series": ["count": .int(Int64(count)),
                               "lastObservedTime": .string(KubeTimestamp.format(time, fractionalDigits: 6))]]
        case .coreV1:
            return ["count": .int(Int64(count)), "lastTimestamp": .string(KubeTimestamp.format(time))]
        }
    }

    /// The message cut to the note limit on a character boundary.
    static func note(_ message: String) -> String {
        guard message.utf8.count > noteLimit else { return message }
        var cut = ""
        for character in message {
            if cut.utf8.count + character.utf8.count > noteLimit { break }
            cut.append(character)
        }
        return cut
    }
}
