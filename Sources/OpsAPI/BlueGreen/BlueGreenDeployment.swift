import KubeClient

/// A blue-green rollout: two colored Deployments behind an active (and a preview) Service,
/// with analysis gating the switch and automatic rollback.
public struct BlueGreenDeployment: KubeObject, Hashable {
    public static let apiVersion = "opsagent.dev/v1alpha1"
    public static let kind = "BlueGreenDeployment"
    public static let plural = "bluegreendeployments"
    public static let namespaced = true

    public var apiVersion: String? = Self.apiVersion
    public var kind: String? = Self.kind
    public var metadata: ObjectMeta
    public var spec: BlueGreenSpec
    public var status: BlueGreenStatus?

    public init(metadata: ObjectMeta, spec: BlueGreenSpec, status: BlueGreenStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// What the user asks for.
public struct BlueGreenSpec: Codable, Sendable, Hashable {
    public var replicas: Int?
    /// Pods of this rollout; derived from the template's labels when absent.
    public var selector: JSONValue?
    /// A full PodTemplateSpec.
    public var template: JSONValue
    public var activeService: ServiceRef
    public var previewService: ServiceRef?
    public var autoPromotion: AutoPromotion?
    public var prePromotionAnalysis: AnalysisSpec?
    public var postPromotionAnalysis: AnalysisSpec?
    public var scaleDownDelaySeconds: Int?
    public var progressDeadlineSeconds: Int?
    public var revisionHistoryLimit: Int?
    public var paused: Bool?
    public var rollbackOnFailure: Bool?

    public init(replicas: Int? = nil, selector: JSONValue? = nil, template: JSONValue, activeService: ServiceRef,
                previewService: ServiceRef? = nil, autoPromotion: AutoPromotion? = nil,
                prePromotionAnalysis: AnalysisSpec? = nil, postPromotionAnalysis: AnalysisSpec? = nil,
                scaleDownDelaySeconds: Int? = nil, progressDeadlineSeconds: Int? = nil,
                revisionHistoryLimit: Int? = nil, paused: Bool? = nil, rollbackOnFailure: Bool? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.activeService = activeService
        self.previewService = previewService
        self.autoPromotion = autoPromotion
        self.prePromotionAnalysis = prePromotionAnalysis
        self.postPromotionAnalysis = postPromotionAnalysis
        self.scaleDownDelaySeconds = scaleDownDelaySeconds
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
        self.rollbackOnFailure = rollbackOnFailure
    }

    // Defaults, applied by the schema on the server and again here for objects read from older servers.
    public var effectiveReplicas: Int { replicas ?? 1 }
    public var effectiveScaleDownDelaySeconds: Int { scaleDownDelaySeconds ?? 30 }
    public var effectiveProgressDeadlineSeconds: Int { progressDeadlineSeconds ?? 600 }
    public var effectiveRevisionHistoryLimit: Int { revisionHistoryLimit ?? 10 }
    public var isPaused: Bool { paused ?? false }
    public var rollsBackOnFailure: Bool { rollbackOnFailure ?? true }
}

/// A Service the rollout routes through.
public struct ServiceRef: Codable, Sendable, Hashable {
    public var name: String
    /// Ports of the Service; defaults to the first container port of the template when absent.
    public var ports: [ServicePortSpec]?

    public init(name: String, ports: [ServicePortSpec]? = nil) {
        self.name = name
        self.ports = ports
    }
}

public struct ServicePortSpec: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var `protocol`: String?

    public init(name: String? = nil, port: Int, targetPort: IntOrString? = nil, protocol: String? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.protocol = `protocol`
    }
}

public struct AutoPromotion: Codable, Sendable, Hashable {
    public var enabled: Bool?
    /// Seconds to wait after the preview passes analysis before switching traffic.
    public var delaySeconds: Int?

    public init(enabled: Bool? = nil, delaySeconds: Int? = nil) {
        self.enabled = enabled
        self.delaySeconds = delaySeconds
    }
    public var isEnabled: Bool { enabled ?? true }
}

/// Checks that gate (pre-promotion) or confirm (post-promotion) a revision.
public struct AnalysisSpec: Codable, Sendable, Hashable {
    public var checks: [AnalysisCheck]?
    public var llm: LLMAnalysisSpec?

    public init(checks: [AnalysisCheck]? = nil, llm: LLMAnalysisSpec? = nil) {
        self.checks = checks
        self.llm = llm
    }
}

public struct LLMAnalysisSpec: Codable, Sendable, Hashable {
    /// `advisory` records the analyzer's verdict; `gate` also fails the rollout on a fail verdict; `disabled` skips it.
    public var mode: String?

    public init(mode: String? = nil) { self.mode = mode }
}
