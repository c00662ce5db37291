/// The object a finding is about: kind, namespace (empty for cluster-scoped objects), name.
public struct AuditObject: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String = "", name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Kind namespace/name`, or `Kind name` when cluster-scoped.
    public var description: String {
        namespace.isEmpty ? "\(kind) \(name)" : "\(kind) \(namespace)/\(name)"
    }

    public static func < (a: AuditObject, b: AuditObject) -> Bool {
        (a.namespace, a.kind, a.name) < (b.namespace, b.kind, b.name)
    }
}
