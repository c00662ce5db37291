import KubeClient
import OpsAPI

/// A BlueGreenDeployment as the API shows it (the seed's `Deployment`), read from a cached
/// object. `id` is `namespace/name`, which every mutation takes back.
public struct DeploymentNode: Sendable, Hashable, Encodable {
    public var id: String
    public var name: String
    public var namespace: String
    /// The first container's image of the pod template.
    public var image: String?
    public var replicas: Int
    public var readyReplicas: Int
    /// The controller's phase; `Pending` before its first status, `Deleted` in the last event of a removed rollout.
    public var phase: String
    public var activeColor: String?
    /// The color the preview revision runs in, while there is one.
    public var previewColor: String?
    public var activeRevision: String?
    public var previewRevision: String?
    public var stableRevision: String?
    public var message: String?
    public var analysis: AnalysisNode?
    public var conditions: [ConditionNode]
    public var generation: Int
    public var observedGeneration: Int?
    public var createdAt: String?

    public init(_ object: JSONValue) {
        let meta = object["metadata"], status = object["status"]
        name = meta["name"].stringValue ?? ""
        namespace = meta["namespace"].stringValue ?? ""
        id = "\(namespace)/\(name)"
        image = object["spec"]["template"]["spec"]["containers"][0]["image"].stringValue
        replicas = status["replicas"].intValue ?? object["spec"]["replicas"].intValue ?? 1
        readyReplicas = status["readyReplicas"].intValue ?? 0
        phase = status["phase"].stringValue ?? "Pending"
        activeColor = status["activeColor"].stringValue
        activeRevision = status["activeRevision"].stringValue
        previewRevision = status["previewRevision"].stringValue
        stableRevision = status["stableRevision"].stringValue
        if previewRevision != nil, previewRevision != activeRevision, let active = activeColor {
            previewColor = active == "blue" ? "green" : "blue"
        }
        message = status["message"].stringValue
        analysis = status["analysis"].isNull ? nil : AnalysisNode(status["analysis"])
        conditions = ConditionNode.list(status["conditions"])
        generation = meta["generation"].intValue ?? 0
        observedGeneration = status["observedGeneration"].intValue
        createdAt = meta["creationTimestamp"].stringValue
    }

    /// The last state of a rollout that was deleted.
    func deleted() -> DeploymentNode {
        var node = self
        node.phase = "Deleted"
        return node
    }
}

/// The analysis of the rollout's current revision: each check, and the analyzer's verdict.
public struct AnalysisNode: Sendable, Hashable, Encodable {
    public var stage: String?
    public var revision: String?
    public var phase: String?
    public var verdict: String?
    public var summary: String?
    public var provider: String?
    public var checks: [AnalysisCheckNode]

    init(_ analysis: JSONValue) {
        stage = analysis["stage"].stringValue
        revision = analysis["revision"].stringValue
        phase = analysis["phase"].stringValue
        verdict = analysis["analyzer"]["verdict"].stringValue
        summary = analysis["analyzer"]["summary"].stringValue
        provider = analysis["analyzer"]["provider"].stringValue
        checks = (analysis["checks"].arrayValue ?? []).map {
            AnalysisCheckNode(name: $0["name"].stringValue ?? "", phase: $0["phase"].stringValue ?? "", message: $0["message"].stringValue)
        }
    }
}

public struct AnalysisCheckNode: Sendable, Hashable, Encodable {
    public var name: String
    public var phase: String
    public var message: String?
}

/// A status condition (kstatus `Ready`, `Reconciling`, `Stalled`, and the kind's own).
public struct ConditionNode: Sendable, Hashable, Encodable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?

    static func list(_ conditions: JSONValue) -> [ConditionNode] {
        (conditions.arrayValue ?? []).map {
            ConditionNode(type: $0["type"].stringValue ?? "", status: $0["status"].stringValue ?? "Unknown",
                          reason: $0["reason"].stringValue, message: $0["message"].stringValue,
                          lastTransitionTime: $0["lastTransitionTime"].stringValue)
        }
    }
}

/// What the caller may do to an object, from SubjectAccessReviews (a dashboard shows the
/// promote and abort buttons only when `update` is true).
public struct PermissionsNode: Sendable, Hashable, Encodable {
    public var update: Bool
    public var delete: Bool
}
