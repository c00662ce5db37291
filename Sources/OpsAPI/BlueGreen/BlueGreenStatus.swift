import KubeClient

/// What the platform team reads.
public struct BlueGreenStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int?
    /// Progressing, Paused, Analyzing, Promoting, Healthy, Degraded or RolledBack.
    public var phase: String?
    /// `blue` or `green`: the color behind the active Service.
    public var activeColor: String?
    public var activeRevision: String?
    public var previewRevision: String?
    /// The last revision that passed its analysis and served traffic.
    public var stableRevision: String?
    public var replicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    /// `readyReplicas/replicas`, for the READY column of `kubectl get`.
    public var readyText: String?
    /// Label selector of the active pods, for the scale subresource.
    public var selector: String?
    public var analysis: AnalysisStatus?
    public var conditions: [Condition]?
    public var history: [RevisionRecord]?
    public var message: String?
    /// When the current step started: the progress deadline counts from it.
    public var stepStartedAt: String?
    /// When the preview passed its pre-promotion analysis: the promotion delay counts from it.
    public var analysisPassedAt: String?
    /// Revisions the controller gave up on; a spec naming one does not roll out again until `retry`.
    public var abortedRevision: String?
    /// Why `abortedRevision` failed (a condition reason such as ProgressDeadlineExceeded) and what was seen.
    public var failureReason: String?
    public var failureMessage: String?
    /// When the previous color is scaled down (scaleDownDelaySeconds after a switch).
    public var scaleDownAt: String?
    /// The token of each operation annotation already carried out (promote, abort, retry, undo).
    public var handledOperations: [String: String]?

    public init() {}

    /// ``phase`` as a typed value (nil when unset or written by a newer version).
    public var typedPhase: BlueGreenPhase? { phase.flatMap(BlueGreenPhase.init(rawValue:)) }
}

public struct AnalysisStatus: Codable, Sendable, Hashable {
    /// pre or post promotion.
    public var stage: String?
    public var revision: String?
    /// Running, Successful, Failed, Inconclusive.
    public var phase: String?
    public var checks: [CheckStatus]?
    public var analyzer: AnalyzerVerdict?

    public init() {}
}

public struct CheckStatus: Codable, Sendable, Hashable {
    public var name: String
    public var phase: String
    public var measurements: [Measurement]?
    public var successful: Int?
    public var failed: Int?
    public var inconclusive: Int?
    public var message: String?

    public init(name: String, phase: String) {
        self.name = name
        self.phase = phase
    }
}

public struct Measurement: Codable, Sendable, Hashable {
    /// The value as text ("0.031", "NaN", "empty").
    public var value: String
    public var phase: String
    public var at: String

    public init(value: String, phase: String, at: String) {
        self.value = value
        self.phase = phase
        self.at = at
    }
}

public struct AnalyzerVerdict: Codable, Sendable, Hashable {
    public var verdict: String
    public var confidence: Double?
    public var summary: String
    public var recommendations: [String]?
    public var provider: String
    public var model: String?
    public var inputHash: String?
    /// Why the LLM was not used (budget, timeout, invalid replies…), when the built-in analyzer answered instead.
    public var degradedReason: String?
    public var degradedMessage: String?

    public init(verdict: String, confidence: Double? = nil, summary: String, recommendations: [String]? = nil,
                provider: String, model: String? = nil, inputHash: String? = nil) {
        self.verdict = verdict
        self.confidence = confidence
        self.summary = summary
        self.recommendations = recommendations
        self.provider = provider
        self.model = model
        self.inputHash = inputHash
    }
}

public struct RevisionRecord: Codable, Sendable, Hashable {
    public var revision: String
    public var color: String?
    public var images: [String]
    public var promotedAt: String?
    /// Promoted, RolledBack, Aborted, Superseded.
    public var outcome: String
    public var message: String?

    public init(revision: String, color: String? = nil, images: [String], promotedAt: String? = nil, outcome: String, message: String? = nil) {
        self.revision = revision
        self.color = color
        self.images = images
        self.promotedAt = promotedAt
        self.outcome = outcome
        self.message = message
    }
}

/// The phases a rollout moves through.
public enum BlueGreenPhase: String, Sendable, CaseIterable {
    case progressing = "Progressing"
    case paused = "Paused"
    case analyzing = "Analyzing"
    case promoting = "Promoting"
    case healthy = "Healthy"
    case degraded = "Degraded"
    case rolledBack = "RolledBack"
}
