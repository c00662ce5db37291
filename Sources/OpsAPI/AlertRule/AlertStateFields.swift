/// The fields an alert's state machine reads and writes: the rule's own (``AlertRuleStatus``)
/// and each series' of an `expr:` rule (``SeriesAlert``).
public protocol AlertStateFields: Sendable {
    /// Inactive, Pending, Firing or Resolved.
    var state: String? { get set }
    /// When the condition started to hold (the start of Pending), kept while Firing.
    var activeSince: String? { get set }
    /// When the current state began.
    var since: String? { get set }
    /// When the current firing episode began.
    var firingSince: String? { get set }
    /// The last time the condition held (keepFiringFor counts from it).
    var lastActiveAt: String? { get set }
    var resolvedAt: String? { get set }
}

extension AlertRuleStatus: AlertStateFields {}

/// One series of an `expr:` rule's result, an alert of its own as in a PrometheusRule: its
/// labels, last value, its own Pending/Firing/Resolved state and what each action was told
/// about it.
public struct SeriesAlert: Codable, Sendable, Hashable, AlertStateFields {
    public var labels: [String: String]
    public var value: Double?
    public var state: String?
    public var activeSince: String?
    public var since: String?
    public var firingSince: String?
    public var lastActiveAt: String?
    public var resolvedAt: String?
    /// Per action, by name: this series' notices.
    public var notifications: [NotificationStatus]?

    public init(labels: [String: String], value: Double? = nil) {
        self.labels = labels
        self.value = value
    }

    /// The series' identity: its labels, sorted, as `k="v",…` (empty for a series without labels).
    public var fingerprint: String { Self.fingerprint(labels) }

    public static func fingerprint(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
    }
}
