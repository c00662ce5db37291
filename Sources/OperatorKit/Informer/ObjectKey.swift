import KubeClient

/// The identity of an object: its namespace (nil for cluster-scoped objects) and name.
/// Work queues carry keys, never objects, so a reconciler always reads the latest state.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
    }

    /// The key of a raw object; nil when it has no name.
    public init?(of object: JSONValue) {
        guard let name = object["metadata"]["name"].stringValue, !name.isEmpty else { return nil }
        self.init(namespace: object["metadata"]["namespace"].stringValue, name: name)
    }

    /// Parses `namespace/name` or `name`.
    public init(parsing text: String) {
        if let slash = text.firstIndex(of: "/") {
            self.init(namespace: String(text[..<slash]), name: String(text[text.index(after: slash)...]))
        } else {
            self.init(namespace: nil, name: text)
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { namespace.map { $0 + "/" + name } ?? name }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}
