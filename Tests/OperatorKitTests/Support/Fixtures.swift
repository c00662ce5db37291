import KubeClient
import NIOConcurrencyHelpers
import OperatorKit

/// Test resources and objects.
enum Fixtures {
    static let widgets = ResourceDescriptor(
        resource: GroupVersionResource(group: "example.dev", version: "v1", resource: "widgets"), kind: "Widget")
    static let configMaps = ResourceDescriptor(resource: .configmaps, kind: "ConfigMap")
    static let leases = ResourceDescriptor(resource: .leases, kind: "Lease")

    static func widget(_ name: String, namespace: String = "default", size: Int = 1, labels: [String: String] = [:])
        -> JSONValue
    {
        var object: JSONValue = [
            "apiVersion": "example.dev/v1", "kind": "Widget",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["size": .int(Int64(size))],
        ]
        if !labels.isEmpty { object["metadata"]["labels"] = .object(labels.mapValues(JSONValue.string)) }
        return object
    }

    static func configMap(_ name: String, namespace: String = "default", ownedBy owner: JSONValue? = nil) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "data": ["key": "value"],
        ]
        if let owner { try? OwnerReferences.setController(owner, of: &object) }
        return object
    }
}

/// Records what an informer handler receives.
final class EventLog: Sendable {
    enum Entry: Equatable, CustomStringConvertible {
        case added(String)
        case updated(String)
        case deleted(String, finalStateUnknown: Bool)

        var description: String {
            switch self {
            case .added(let key): return "+\(key)"
            case .updated(let key): return "~\(key)"
            case .deleted(let key, let unknown): return "-\(key)\(unknown ? "?" : "")"
            }
        }
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    var all: [Entry] { entries.withLockedValue { $0 } }

    func handler() -> InformerEventHandler {
        { [entries] event in
            let key = event.key?.description ?? "?"
            let entry: Entry
            switch event {
            case .added: entry = .added(key)
            case .updated: entry = .updated(key)
            case .deleted(_, let unknown): entry = .deleted(key, finalStateUnknown: unknown)
            }
            entries.withLockedValue { $0.append(entry) }
        }
    }
}
