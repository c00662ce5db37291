/// A problem with an ``AuditPolicy``, with the field path a user edits to fix it
/// (`spec.checks.include[2]`), so a controller can put it in a `Ready=False` message.
public struct PolicyIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var fieldPath: String
    public var message: String

    public init(fieldPath: String, message: String) {
        self.fieldPath = fieldPath
        self.message = message
    }

    public var description: String { "\(fieldPath): \(message)" }
}

/// Thrown by ``AuditEngine/audit(_:policy:now:)`` when the policy has issues; nothing is
/// audited then.
public struct InvalidAuditPolicy: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [PolicyIssue]
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}
