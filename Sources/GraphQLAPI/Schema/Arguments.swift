import KubeClient

// The arguments of each field, as Graphiti decodes them.

public struct NamespaceArguments: Codable, Sendable { public var namespace: String? }
public struct IDArguments: Codable, Sendable { public var id: NodeID }
public struct AlertsArguments: Codable, Sendable { public var status: AlertStatusValue? }
public struct VulnerabilitiesArguments: Codable, Sendable {
    public var severity: VulnerabilitySeverity?
    public var namespace: String?
    /// At most this many, most severe first (default 500, at most 5000).
    public var limit: Int?
}
public struct ComplianceArguments: Codable, Sendable { public var standard: String? }
public struct MetricsArguments: Codable, Sendable {
    public var resource: String
    public var timeRange: TimeRangeInput
}
public struct MetricUpdatedArguments: Codable, Sendable { public var resource: String? }

/// What `createDeployment` and `updateDeployment` take: a rollout of one container image.
public struct DeploymentInput: Codable, Sendable {
    public var name: String?
    public var namespace: String?
    public var image: String
    public var replicas: Int?
    public var port: Int?
    public var autoPromotion: Bool?
}
public struct CreateDeploymentArguments: Codable, Sendable { public var input: DeploymentInput }
public struct UpdateDeploymentArguments: Codable, Sendable {
    public var id: NodeID
    public var input: DeploymentInput
}

/// What `createAlert` and `updateAlert` take: the seed's AlertRule fields (a built-in
/// metric with operator, threshold and duration) or a PromQL `expr`.
public struct AlertInput: Codable, Sendable {
    public var name: String?
    public var namespace: String?
    public var description: String?
    public var severity: String?
    public var metric: String?
    public var `operator`: String?
    public var threshold: Double?
    public var duration: String?
    public var expr: String?
    /// Label selector of the pods a built-in metric reads (e.g. `app=web`).
    public var target: String?
}
public struct CreateAlertArguments: Codable, Sendable { public var input: AlertInput }
public struct UpdateAlertArguments: Codable, Sendable {
    public var id: NodeID
    public var input: AlertInput
}

public struct ExecuteWorkflowArguments: Codable, Sendable {
    /// `namespace/name`, or a name in the `default` namespace.
    public var workflow: String
    public var parameters: JSONScalar?
}
