import Foundation
import KubeClient

/// A request to a controller made by setting an annotation to a fresh token: the controller
/// acts once per distinct token (BlueGreenDeployment's promote/abort/retry/undo,
/// SecurityAudit's run). Every front end (CLI commands, MCP tools) asks the same way.
public struct OperationRequest: Sendable, Hashable {
    /// The annotation set, e.g. `opsagent.dev/promote`.
    public let annotation: String
    /// Its new value: the time of the request, to the microsecond.
    public let token: String

    public init(annotation: String, at date: Date = Date()) {
        self.annotation = annotation
        self.token = KubeTimestamp.format(date, fractionalDigits: 6)
    }

    /// The merge patch that makes the request.
    public var patch: JSONValue {
        ["metadata": ["annotations": [.init(stringLiteral: annotation): .string(token)]]]
    }

    /// Sends the request to the object `name` of `resource` in `namespace`.
    /// - Throws: the client's ``KubeError`` (`isNotFound` when there is no such object).
    public func send(with client: KubernetesClient, to resource: GroupVersionResource, name: String,
                     namespace: String) async throws {
        _ = try await client.patch(resource, name: name, namespace: namespace, type: .merge, body: patch)
    }
}
