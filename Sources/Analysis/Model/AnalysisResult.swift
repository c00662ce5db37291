/// An analyzer's answer, small enough to write into a custom resource's status as it is.
///
/// Every string is bounded (see ``AnalysisResult/Limits``), so a chatty model cannot
/// bloat an object in etcd.
public struct AnalysisResult: Sendable, Hashable, Codable {
    public var verdict: Verdict
    /// How sure the analyzer is of the verdict, 0–1.
    public var confidence: Double
    /// What was judged and why, at most ``Limits/summary`` characters.
    public var summary: String
    public var findings: [Finding]
    public var recommendations: [String]
    /// `builtin`, `openai`, `azure-openai`, `vllm`, `ollama`, `lmstudio`, `anthropic`.
    public var provider: String
    public var model: String
    /// The SHA-256 (hex) of what the verdict was computed from: provider, model, prompt
    /// version and the redacted facts. Equal inputs give equal hashes.
    public var inputHash: String
    /// Why this result came from the built-in analyzer although an LLM provider is
    /// configured; nil when the configured analyzer answered. Callers set their
    /// `AnalysisDegraded` condition from it.
    public var degraded: DegradedReason?

    public init(verdict: Verdict, confidence: Double, summary: String, findings: [Finding],
                recommendations: [String], provider: String, model: String, inputHash: String,
                degraded: DegradedReason? = nil) {
        self.verdict = verdict
        self.confidence = confidence
        self.summary = summary
        self.findings = findings
        self.recommendations = recommendations
        self.provider = provider
        self.model = model
        self.inputHash = inputHash
        self.degraded = degraded
        self = bounded()
    }

    /// The size bounds every result is cut to.
    public enum Limits {
        public static let summary = 500
        public static let findings = 10
        public static let findingTitle = 120
        public static let findingEvidence = 300
        public static let recommendations = 5
        public static let recommendation = 300
    }

    /// This result cut to ``Limits``, with confidence clamped to 0–1.
    public func bounded() -> AnalysisResult {
        var copy = self
        copy.confidence = confidence.isFinite ? min(1, max(0, confidence)) : 0
        copy.summary = summary.truncated(to: Limits.summary)
        copy.findings = findings.prefix(Limits.findings).map {
            Finding(severity: $0.severity, title: $0.title.truncated(to: Limits.findingTitle),
                    evidence: $0.evidence.truncated(to: Limits.findingEvidence), bounded: true)
        }
        copy.recommendations = recommendations.prefix(Limits.recommendations).map {
            $0.truncated(to: Limits.recommendation)
        }
        if let degraded {
            copy.degraded = DegradedReason(degraded.reason, message: degraded.message)
        }
        return copy
    }
}

/// The answer to the question asked.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// The facts support going ahead.
    case pass
    /// The facts show a problem.
    case fail
    /// The facts do not allow a judgement (missing or NaN metrics, pods not started yet).
    case inconclusive
}

/// How much a finding matters (the seed's critical / warning / info).
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case critical
    case warning
    case info

    private var rank: Int {
        switch self {
        case .critical: 0
        case .warning: 1
        case .info: 2
        }
    }

    /// `critical` sorts first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One thing an analyzer noticed, with the evidence for it.
public struct Finding: Sendable, Hashable, Codable {
    public var severity: Severity
    /// A short name: "CrashLoopBackOff in checkout-green-abc/app".
    public var title: String
    /// The facts behind it: values, reasons, log excerpts.
    public var evidence: String

    public init(severity: Severity, title: String, evidence: String) {
        self.init(severity: severity, title: title.truncated(to: AnalysisResult.Limits.findingTitle),
                  evidence: evidence.truncated(to: AnalysisResult.Limits.findingEvidence), bounded: true)
    }

    fileprivate init(severity: Severity, title: String, evidence: String, bounded: Bool) {
        self.severity = severity
        self.title = title
        self.evidence = evidence
    }
}

extension String {
    /// At most `limit` characters, ending in `…` when cut.
    func truncated(to limit: Int) -> String {
        guard count > limit else { return self }
        return String(prefix(max(0, limit - 1))) + "…"
    }
}
