import Foundation
import KubeClient

/// Deployment condition reasons and messages, as kube-controller-manager writes them.
enum DeploymentReason {
    static let minimumReplicasAvailable = "MinimumReplicasAvailable"
    static let minimumReplicasUnavailable = "MinimumReplicasUnavailable"
    static let newReplicaSetCreated = "NewReplicaSetCreated"
    static let foundNewReplicaSet = "FoundNewReplicaSet"
    static let replicaSetUpdated = "ReplicaSetUpdated"
    static let newReplicaSetAvailable = "NewReplicaSetAvailable"
    static let progressDeadlineExceeded = "ProgressDeadlineExceeded"
    static let failedReplicaSetCreate = "ReplicaSetCreateError"
    static let paused = "DeploymentPaused"
    static let resumed = "DeploymentResumed"
}

/// One `status.conditions` entry of a Deployment.
struct DeploymentCondition: Equatable {
    var type: String
    var status: String
    var reason: String
    var message: String
    var lastUpdateTime: JSONValue
    var lastTransitionTime: JSONValue

    init(type: String, status: String, reason: String, message: String, at time: JSONValue) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastUpdateTime = time
        self.lastTransitionTime = time
    }

    init?(_ json: JSONValue) {
        guard let type = json["type"].stringValue else { return nil }
        self.type = type
        status = json["status"].stringValue ?? "Unknown"
        reason = json["reason"].stringValue ?? ""
        message = json["message"].stringValue ?? ""
        lastUpdateTime = json["lastUpdateTime"]
        lastTransitionTime = json["lastTransitionTime"]
    }

    var json: JSONValue {
        [
            "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": lastUpdateTime, "lastTransitionTime": lastTransitionTime,
        ]
    }
}

/// The conditions of a Deployment status, with `deploymentutil`'s update rules.
struct DeploymentConditions {
    var items: [DeploymentCondition]

    init(_ json: JSONValue) {
        items = (json.arrayValue ?? []).compactMap(DeploymentCondition.init)
    }

    subscript(type: String) -> DeploymentCondition? { items.first { $0.type == type } }

    /// `SetDeploymentCondition`: nothing changes when status and reason are the same; the
    /// transition time is kept while the status is.
    mutating func set(_ condition: DeploymentCondition) {
        var condition = condition
        if let current = self[condition.type] {
            if current.status == condition.status && current.reason == condition.reason { return }
            if current.status == condition.status { condition.lastTransitionTime = current.lastTransitionTime }
        }
        items.removeAll { $0.type == condition.type }
        items.append(condition)
    }

    mutating func remove(_ type: String) { items.removeAll { $0.type == type } }

    var json: JSONValue { .array(items.map(\.json)) }
}
