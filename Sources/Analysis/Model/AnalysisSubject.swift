/// The object an analysis is about: `BlueGreenDeployment payments/checkout`, say.
public struct AnalysisSubject: Sendable, Hashable, Codable {
    /// The kind of the subject (`BlueGreenDeployment`, `AlertRule`, `Deployment`…).
    public var kind: String
    /// The namespace; empty for cluster-scoped subjects.
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }
}

extension AnalysisSubject: CustomStringConvertible {
    /// `Kind namespace/name`, or `Kind name` when cluster-scoped.
    public var description: String {
        namespace.isEmpty ? "\(kind) \(name)" : "\(kind) \(namespace)/\(name)"
    }
}
