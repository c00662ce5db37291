import KubeClient

/// Names an index of a cache and computes the index values of an object
/// (client-go's `IndexFunc`).
public struct Indexer: Sendable {
    public let name: String
    public let values: @Sendable (JSONValue) -> [String]

    public init(name: String, values: @escaping @Sendable (JSONValue) -> [String]) {
        self.name = name
        self.values = values
    }

    /// Objects by `metadata.namespace`.
    public static let namespace = Indexer(name: "namespace") { object in
        object["metadata"]["namespace"].stringValue.map { [$0] } ?? []
    }

    /// Objects by the UID of each of their owners.
    public static let ownerUID = Indexer(name: "ownerUID") { object in
        (object["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { $0["uid"].stringValue }
    }

    /// Objects by the value of a label (objects without it are not indexed).
    public static func label(_ key: String) -> Indexer {
        Indexer(name: "label:" + key) { object in
            object["metadata"]["labels"][key].stringValue.map { [$0] } ?? []
        }
    }

    /// Objects by the string at a field path, such as `["spec", "nodeName"]`.
    public static func field(_ path: [String]) -> Indexer {
        Indexer(name: "field:" + path.joined(separator: ".")) { object in
            object[path: path].stringValue.map { [$0] } ?? []
        }
    }
}
