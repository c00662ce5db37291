import KubeClient

/// What `kubectl get arule` and `describe` show.
public struct AlertRuleStatus: Codable, Sendable, Hashable {
    /// Inactive, Pending, Firing or Resolved.
    public var state: String?
    /// When the condition started to hold (the start of Pending), kept while Firing.
    public var activeSince: String?
    /// When the rule entered its current state (the SINCE column).
    public var since: String?
    /// When the current firing episode began; an episode is one Firing, from start to resolution.
    public var firingSince: String?
    /// The last time the condition held (keepFiringFor counts from it).
    public var lastActiveAt: String?
    public var resolvedAt: String?
    /// The severity, for the SEVERITY column.
    public var severity: String?
    /// The last value, formatted, for the VALUE column.
    public var value: String?
    public var lastEvaluation: AlertEvaluationStatus?
    /// The series the condition holds for, the top N by value.
    public var firingSeries: [AlertSeries]?
    /// How many series the condition holds for (firingSeries is bounded).
    public var firingSeriesCount: Int?
    /// An `expr:` rule's alerts, one per result series, each with its own state and notices
    /// (bounded: firing first, then pending, then resolved).
    public var alerts: [SeriesAlert]?
    /// Per action, by name (for an `expr:` rule, summed up over its series).
    public var notifications: [NotificationStatus]?
    /// The analysis of the current (or last) firing episode; advisory.
    public var analysis: AlertAnalysis?
    public var message: String?

    public init() {}
}

public struct AlertEvaluationStatus: Codable, Sendable, Hashable {
    public var time: String?
    /// The value the state was judged by, formatted; absent when there was none.
    public var value: String?
    /// How long the evaluation took, e.g. `12ms`.
    public var duration: String?
    /// Why there was no value: Prometheus's own error text, or the no-data reason.
    public var error: String?

    public init(time: String? = nil, value: String? = nil, duration: String? = nil, error: String? = nil) {
        self.time = time
        self.value = value
        self.duration = duration
        self.error = error
    }
}

/// One series of the result: its labels and value.
public struct AlertSeries: Codable, Sendable, Hashable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// What one action was told, and how its last attempt went.
public struct NotificationStatus: Codable, Sendable, Hashable {
    public var name: String
    /// The state last delivered: Firing or Resolved.
    public var notifiedState: String?
    /// The firing episode (its firingSince) last delivered.
    public var notifiedEpisode: String?
    /// Deliveries of the Firing state in this episode (the first and its repeats).
    public var sentCount: Int?
    public var lastSent: String?
    /// Failed attempts of the delivery in progress.
    public var attempts: Int?
    public var lastError: String?
    /// When the failed delivery is tried again.
    public var retryAt: String?

    public init(name: String) { self.name = name }
}

/// The analyzer's advisory answer for a firing episode.
public struct AlertAnalysis: Codable, Sendable, Hashable {
    /// The firing episode it explains.
    public var episode: String
    public var provider: String?
    public var verdict: String?
    public var summary: String?
    public var rootCause: String?
    public var recommendations: [String]?
    public var degraded: String?

    public init(episode: String) { self.episode = episode }
}

/// The states of an AlertRule.
public enum AlertState: String, Sendable, Hashable, CaseIterable, Codable {
    case inactive = "Inactive"
    case pending = "Pending"
    case firing = "Firing"
    case resolved = "Resolved"
}
