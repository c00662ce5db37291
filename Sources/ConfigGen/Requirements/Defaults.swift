/// What each environment changes. Hardening is the same everywhere; availability and
/// tolerance are what differ.
struct EnvironmentProfile: Sendable {
    var replicas: Int
    /// A PodDisruptionBudget is written when the workload runs at least two pods.
    var disruptionBudget: Bool
    /// Failed probes before a container is restarted or taken out of the Service.
    var probeFailureThreshold: Int
    /// A startup probe guards slow starts from the liveness probe.
    var startupProbe: Bool
    /// Pods are spread across nodes.
    var spreadAcrossNodes: Bool
    var defaultSize: SizeClass

    static func of(_ environment: DeploymentEnvironment) -> EnvironmentProfile {
        switch environment {
        case .dev:
            EnvironmentProfile(replicas: 1, disruptionBudget: false, probeFailureThreshold: 6, startupProbe: false,
                               spreadAcrossNodes: false, defaultSize: .small)
        case .staging:
            EnvironmentProfile(replicas: 2, disruptionBudget: true, probeFailureThreshold: 3, startupProbe: false,
                               spreadAcrossNodes: false, defaultSize: .small)
        case .prod:
            EnvironmentProfile(replicas: 3, disruptionBudget: true, probeFailureThreshold: 3, startupProbe: true,
                               spreadAcrossNodes: true, defaultSize: .medium)
        }
    }
}

extension SizeClass {
    /// Requests and limits of the class: limits at twice the requests (memory) and four
    /// times (CPU), so bursts are allowed while the node cannot be starved.
    var requests: [String: String] {
        switch self {
        case .small: ["cpu": "100m", "memory": "128Mi"]
        case .medium: ["cpu": "250m", "memory": "512Mi"]
        case .large: ["cpu": "1", "memory": "2Gi"]
        }
    }

    var limits: [String: String] {
        switch self {
        case .small: ["cpu": "500m", "memory": "256Mi"]
        case .medium: ["cpu": "1", "memory": "1Gi"]
        case .large: ["cpu": "4", "memory": "4Gi"]
        }
    }
}

/// Fixed hardening values.
enum Hardening {
    /// The UID and GID containers run as unless the requirements name one: above the
    /// range of host users, never root.
    static let defaultUID = 10001
    static let scratchMountPath = "/tmp"
    static let scratchSizeLimit = "64Mi"
    static let revisionHistoryLimit = 5
    static let terminationGracePeriodSeconds = 30
}
