/// What a reconciler asks an ``Analyzer``: a question about one subject, and the facts it
/// gathered to answer it.
///
/// The facts are what the analysis may look at; nothing else about the cluster is read.
/// ``sensitiveValues`` never reaches an analysis: it only tells redaction what to remove
/// (the values of Secrets the subject's pods mount, for example).
public struct AnalysisRequest: Sendable, Hashable {
    public var subject: AnalysisSubject
    /// The question, in a sentence: "May the preview of checkout be promoted?".
    public var question: String
    public var facts: AnalysisFacts
    /// Known secret values (decoded Secret data, credentials the caller holds). Each is
    /// removed from everything an LLM provider would see, as is its base64 form. They are
    /// not part of the input hash.
    public var sensitiveValues: Set<String>

    public init(subject: AnalysisSubject, question: String, facts: AnalysisFacts, sensitiveValues: Set<String> = []) {
        self.subject = subject
        self.question = question
        self.facts = facts
        self.sensitiveValues = sensitiveValues
    }
}

/// The evidence a reconciler gathered for one analysis.
public struct AnalysisFacts: Sendable, Hashable {
    /// Metric series: each with the query that produced it and its values (NaN or an empty
    /// list when the source had no data).
    public var metrics: [MetricSample]
    /// The pods of the subject (for a BlueGreenDeployment, the preview's pods).
    public var pods: [PodFact]
    /// Recent Events about the subject and its pods.
    public var events: [EventFact]
    /// The last lines of container logs.
    public var logs: [LogTail]
    /// Checks the caller has already computed (web probes, metric conditions, audits).
    public var checks: [CheckResult]

    public init(metrics: [MetricSample] = [], pods: [PodFact] = [], events: [EventFact] = [],
                logs: [LogTail] = [], checks: [CheckResult] = []) {
        self.metrics = metrics
        self.pods = pods
        self.events = events
        self.logs = logs
        self.checks = checks
    }

    /// True when nothing at all was gathered.
    public var isEmpty: Bool {
        metrics.isEmpty && pods.isEmpty && events.isEmpty && logs.isEmpty && checks.isEmpty
    }
}
