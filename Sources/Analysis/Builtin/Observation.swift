/// What one built-in rule saw, and what it means for the verdict.
struct Observation: Sendable, Hashable {
    enum Effect: Sendable, Hashable {
        /// The analysis fails.
        case fails
        /// The analysis cannot pass: data is missing, pods have not started.
        case undetermined
        /// Worth reporting, but does not change the verdict.
        case notes
        /// A check that came out healthy; counted in the summary, not listed.
        case healthy
    }

    var effect: Effect
    var finding: Finding
    var recommendation: String?
    /// Observations with the same group (the same problem in several pods) are reported as
    /// one finding.
    var group: String?
    /// The pod (or series) the observation is about, named when groups are merged.
    var instance: String?

    init(_ effect: Effect, _ severity: Severity, _ title: String, evidence: String,
         recommendation: String? = nil, group: String? = nil, instance: String? = nil) {
        self.effect = effect
        self.finding = Finding(severity: severity, title: title, evidence: evidence)
        self.recommendation = recommendation
        self.group = group
        self.instance = instance
    }

    /// A healthy result, for the summary's counts.
    static func healthy(_ what: String) -> Observation {
        Observation(.healthy, .info, what, evidence: "")
    }
}

/// One family of built-in judgements.
protocol BuiltinRule: Sendable {
    func observe(_ facts: AnalysisFacts, thresholds: BuiltinThresholds) -> [Observation]
}
