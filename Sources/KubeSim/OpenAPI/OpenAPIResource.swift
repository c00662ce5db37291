import KubeClient

/// One resource the API server serves, as the OpenAPI documents describe it.
public struct OpenAPIResource: Sendable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    /// The resource name in URLs, e.g. `deployments`.
    public var plural: String
    public var namespaced: Bool
    /// The `openAPIV3Schema` of a CRD version; nil for built-in kinds, which are described
    /// loosely (`x-kubernetes-preserve-unknown-fields`).
    public var schema: JSONValue?
    /// Served subresources: `status`, `scale`.
    public var subresources: [String]
    /// Built-in kinds accept strategic merge patch; custom resources do not.
    public var acceptsStrategicMergePatch: Bool

    public init(group: String, version: String, kind: String, plural: String, namespaced: Bool,
                schema: JSONValue? = nil, subresources: [String] = [], acceptsStrategicMergePatch: Bool? = nil) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.schema = schema
        self.subresources = subresources
        self.acceptsStrategicMergePatch = acceptsStrategicMergePatch ?? (schema == nil)
    }

    /// `api/v1` or `apis/apps/v1`: the key of the OpenAPI v3 index and the URL prefix.
    public var groupVersionPath: String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The component name: `io.k8s.api.apps.v1.Deployment` for built-ins,
    /// `dev.opsagent.v1alpha1.BlueGreenDeployment` for custom resources.
    var schemaName: String { "\(schemaPrefix).\(kind)" }
    var listSchemaName: String { "\(schemaPrefix).\(kind)List" }

    var schemaPrefix: String {
        if schema == nil {
            let package = group.isEmpty ? "core" : String(group.split(separator: ".").first!)
            return "io.k8s.api.\(package).\(version)"
        }
        return group.split(separator: ".").reversed().joined(separator: ".") + ".\(version)"
    }

    /// `AppsV1`, `CoreV1`, `OpsagentDevV1alpha1` — the operationId infix.
    var operationInfix: String {
        let groupPart = group.isEmpty ? "Core" : group.split(whereSeparator: { $0 == "." || $0 == "-" })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return groupPart + version.prefix(1).uppercased() + version.dropFirst()
    }

    var gvk: JSONValue { ["group": .string(group), "version": .string(version), "kind": .string(kind)] }
}
