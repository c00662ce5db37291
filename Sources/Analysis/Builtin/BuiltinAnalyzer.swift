/// The default analyzer: deterministic rules over the facts, no network.
///
/// Verdicts:
/// - `fail` when any rule finds a critical problem: error rate over its threshold, CPU
///   over 80% or memory over 90% of the limit, crash loops, repeated restarts, pods not
///   ready, image-pull failures, OOM kills, pods pending for a reason, failed critical
///   checks;
/// - otherwise `inconclusive` when something needed is unknown: metrics that are empty or
///   NaN, pods not started yet, checks that could not run, or no facts at all;
/// - otherwise `pass`.
///
/// Evidence quotes facts (event messages, log lines), so the result is redacted like an
/// LLM prompt before it is returned: it goes into a status other people read.
public struct BuiltinAnalyzer: Analyzer {
    public static let providerName = "builtin"
    /// Changes whenever the rules change, so cached and stored hashes tell rule versions apart.
    public static let rulesVersion = "rules/v1"

    public var thresholds: BuiltinThresholds
    public var redactor: Redactor

    let rules: [any BuiltinRule] = [MetricRule(), PodRule(), CheckRule(), EventRule(), LogRule()]

    public init(thresholds: BuiltinThresholds = BuiltinThresholds(), redactor: Redactor = .builtin) {
        self.thresholds = thresholds
        self.redactor = redactor
    }

    public func analyze(_ request: AnalysisRequest) async -> AnalysisResult {
        evaluate(request)
    }

    /// The verdict, computed synchronously (the rules never wait on anything).
    public func evaluate(_ request: AnalysisRequest, inputHash: String? = nil) -> AnalysisResult {
        let observations = rules.flatMap { $0.observe(request.facts, thresholds: thresholds) }
        var verdict = Self.verdict(of: observations, facts: request.facts)
        if request.facts.isEmpty { verdict = .inconclusive }
        let reported = Self.merged(observations.filter { $0.effect != .healthy })
            .sorted { $0.finding.severity < $1.finding.severity }
        var findings = reported.map(\.finding)
        if request.facts.isEmpty {
            findings.append(Finding(severity: .warning, title: "No facts gathered",
                                    evidence: "the request carried no metrics, pods, events, logs or checks"))
        }
        var recommendations: [String] = []
        for observation in reported {
            if let advice = observation.recommendation, !recommendations.contains(advice) { recommendations.append(advice) }
        }
        let healthy = observations.filter { $0.effect == .healthy }
        var session = redactor.session(sensitiveValues: request.sensitiveValues)
        let summary = Self.summary(verdict: verdict, reported: reported, healthy: healthy, facts: request.facts)
        let hash = inputHash ?? InputHash.compute(provider: Self.providerName, model: Self.rulesVersion,
                                                  promptVersion: Self.rulesVersion,
                                                  facts: FactsDocument.fingerprint(request, redactor: redactor))
        return AnalysisResult(
            verdict: verdict,
            confidence: Self.confidence(verdict: verdict, reported: reported, facts: request.facts),
            summary: session.redact(summary),
            findings: findings.map { Finding(severity: $0.severity, title: session.redact($0.title), evidence: session.redact($0.evidence)) },
            recommendations: recommendations.map { session.redact($0) },
            provider: Self.providerName,
            model: Self.rulesVersion,
            inputHash: hash)
    }

    // MARK: composition

    static func verdict(of observations: [Observation], facts: AnalysisFacts) -> Verdict {
        if observations.contains(where: { $0.effect == .fails }) { return .fail }
        if observations.contains(where: { $0.effect == .undetermined }) { return .inconclusive }
        return .pass
    }

    /// Observations of the same problem in several pods become one finding naming them.
    static func merged(_ observations: [Observation]) -> [Observation] {
        var order: [String] = []
        var groups: [String: [Observation]] = [:]
        var result: [Observation] = []
        for observation in observations {
            guard let group = observation.group else { result.append(observation); continue }
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(observation)
        }
        for key in order {
            let members = groups[key]!
            guard members.count > 1, var merged = members.first else { result += members; continue }
            let others = members.dropFirst().compactMap(\.instance)
            merged.finding.title += " (\(members.count) pods)"
            let shown = others.prefix(4).joined(separator: ", ")
            merged.finding.evidence += "; also in \(shown)\(others.count > 4 ? " and \(others.count - 4) more" : "")"
            merged.finding = Finding(severity: merged.finding.severity, title: merged.finding.title, evidence: merged.finding.evidence)
            result.append(merged)
        }
        return result
    }

    static func confidence(verdict: Verdict, reported: [Observation], facts: AnalysisFacts) -> Double {
        switch verdict {
        case .fail:
            return 0.9
        case .inconclusive:
            return 0.5
        case .pass:
            // Both workload state and metrics seen: high; one of them: lower. Warnings lower it more.
            let sources = [!facts.metrics.isEmpty, !facts.pods.isEmpty, !facts.checks.isEmpty].filter { $0 }.count
            let base = sources >= 2 ? 0.85 : 0.7
            let warnings = reported.filter { $0.finding.severity == .warning }.count
            return max(0.5, base - 0.05 * Double(warnings))
        }
    }

    static func summary(verdict: Verdict, reported: [Observation], healthy: [Observation], facts: AnalysisFacts) -> String {
        let critical = reported.filter { $0.finding.severity == .critical }
        let warnings = reported.filter { $0.finding.severity == .warning }
        var sentences: [String] = []
        switch verdict {
        case .fail:
            let named = critical.prefix(3).map(\.finding.title).joined(separator: "; ")
            sentences.append("Fail: \(critical.count) critical finding\(critical.count == 1 ? "" : "s") – \(named)\(critical.count > 3 ? "; …" : "").")
        case .inconclusive:
            if facts.isEmpty {
                sentences.append("Inconclusive: no facts were gathered, so nothing can be judged.")
            } else {
                let blocking = reported.filter { $0.effect == .undetermined }.prefix(3).map(\.finding.title).joined(separator: "; ")
                sentences.append("Inconclusive: \(blocking). Missing data is never read as healthy.")
            }
        case .pass:
            sentences.append("Pass: no critical findings.")
        }
        if !healthy.isEmpty {
            let names = healthy.prefix(4).map(\.finding.title).joined(separator: ", ")
            sentences.append("Within limits: \(names)\(healthy.count > 4 ? " and \(healthy.count - 4) more" : "").")
        }
        if !warnings.isEmpty, verdict != .inconclusive {
            sentences.append("\(warnings.count) warning\(warnings.count == 1 ? "" : "s"): \(warnings.prefix(2).map(\.finding.title).joined(separator: "; ")).")
        }
        return sentences.joined(separator: " ")
    }
}
