/// One problem with a requirements document: the field, what is wrong, and what to do.
public struct RequirementIssue: Sendable, Hashable, CustomStringConvertible {
    /// A dotted path such as `ports[1].port` or `env.DB_PASSWORD`.
    public var field: String
    public var problem: String
    public var hint: String

    public init(field: String, problem: String, hint: String) {
        self.field = field
        self.problem = problem
        self.hint = hint
    }

    public var description: String { "\(field): \(problem); \(hint)" }
}

/// The requirements cannot be turned into manifests; every problem found is listed.
public struct InvalidRequirements: Error, Sendable, CustomStringConvertible {
    public var issues: [RequirementIssue]

    public init(issues: [RequirementIssue]) { self.issues = issues }

    public var description: String {
        "invalid requirements:\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Collects issues while a document is read, so that one pass reports all of them.
final class IssueLog {
    private(set) var issues: [RequirementIssue] = []

    func add(_ field: String, _ problem: String, hint: String) {
        issues.append(RequirementIssue(field: field, problem: problem, hint: hint))
    }

    func throwIfAny() throws(InvalidRequirements) {
        if !issues.isEmpty { throw InvalidRequirements(issues: issues) }
    }
}
