import Foundation

/// A Kubernetes Event about the subject or one of its pods.
public struct EventFact: Sendable, Hashable {
    /// `Normal` or `Warning`.
    public var type: String
    /// `BackOff`, `FailedScheduling`, `Unhealthy`, `Killing`…
    public var reason: String
    public var message: String
    /// The object the Event is about: `Pod/checkout-green-7d9f-abcde`.
    public var object: String
    /// How many times it happened.
    public var count: Int

    public init(type: String, reason: String, message: String, object: String = "", count: Int = 1) {
        self.type = type
        self.reason = reason
        self.message = message
        self.object = object
        self.count = count
    }

    public var isWarning: Bool { type.caseInsensitiveCompare("Warning") == .orderedSame }
}

/// The last lines of one container's log.
public struct LogTail: Sendable, Hashable {
    public var pod: String
    public var container: String
    /// True when these lines are from the previous (crashed) run.
    public var previous: Bool
    public var lines: [String]

    public init(pod: String, container: String, previous: Bool = false, lines: [String]) {
        self.pod = pod
        self.container = container
        self.previous = previous
        self.lines = lines
    }
}

/// A check the caller already evaluated: a web probe, a metric condition, an audit rule.
public struct CheckResult: Sendable, Hashable {
    public var name: String
    public var outcome: CheckOutcome
    /// What was seen, in a sentence.
    public var detail: String
    /// How much a failure of this check matters: a failed `critical` check fails the analysis.
    public var severity: Severity

    public init(name: String, outcome: CheckOutcome, detail: String = "", severity: Severity = .critical) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
        self.severity = severity
    }
}

public enum CheckOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case passed
    case failed
    /// The check could not be evaluated.
    case unknown
}
