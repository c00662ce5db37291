import Foundation
import KubeClient

/// Read access to the metadata and common fields of a raw object, for the simulated
/// controllers (`pod.sim.name`, `rs.sim.annotation("…")`).
struct SimFields {
    let json: JSONValue

    var name: String { json["metadata"]["name"].stringValue ?? "" }
    var namespace: String { json["metadata"]["namespace"].stringValue ?? "" }
    var uid: String { json["metadata"]["uid"].stringValue ?? "" }
    var key: StoreKey { StoreKey(namespace: namespace, name: name) }
    var resourceVersion: String { json["metadata"]["resourceVersion"].stringValue ?? "" }
    var generation: Int { json["metadata"]["generation"].intValue ?? 0 }
    var isDeleting: Bool { !json["metadata"]["deletionTimestamp"].isNull }
    var creationTimestamp: Date? { json["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTimestamp.parse) }

    var labels: [String: String] { Self.strings(json["metadata"]["labels"]) }
    var annotations: [String: String] { Self.strings(json["metadata"]["annotations"]) }
    func annotation(_ key: String) -> String? { json["metadata"]["annotations"][key].stringValue }

    /// The owner reference with `controller: true`.
    var controllerRef: JSONValue? {
        json["metadata"]["ownerReferences"].arrayValue?.first { $0["controller"].boolValue == true }
    }

    var controllerUID: String? { controllerRef?["uid"].stringValue }

    func int(_ path: String...) -> Int? { json[path: path].intValue }

    static func strings(_ value: JSONValue) -> [String: String] {
        guard case .object(let raw) = value else { return [:] }
        var out: [String: String] = [:]
        out.reserveCapacity(raw.count)
        for (k, v) in raw { if let s = v.stringValue { out[k] = s } }
        return out
    }

    static func object(_ strings: [String: String]) -> JSONValue {
        .object(strings.mapValues { .string($0) })
    }
}

extension JSONValue {
    var sim: SimFields { SimFields(json: self) }

    /// A controller owner reference to this object, as a controller puts on what it creates.
    func controllerReference(kind: String, apiVersion: String) -> JSONValue {
        [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(sim.name),
            "uid": .string(sim.uid), "controller": true, "blockOwnerDeletion": true,
        ]
    }
}

/// Timestamps as the API serializes them.
enum SimTime {
    static func string(_ date: Date) -> JSONValue { .string(KubeTimestamp.format(date)) }
    static func date(_ value: JSONValue) -> Date? { value.stringValue.flatMap(KubeTimestamp.parse) }
}
