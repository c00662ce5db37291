import KubeClient

/// A Namespace as the namespace-posture and network checks see it.
public struct AuditedNamespace: Sendable {
    public let name: String
    public let labels: [String: String]

    public var object: AuditObject { AuditObject(kind: "Namespace", name: name) }

    init(object raw: JSONValue) {
        name = raw["metadata"]["name"].stringValue ?? ""
        labels = AuditedWorkload.strings(raw["metadata"]["labels"])
    }
}
