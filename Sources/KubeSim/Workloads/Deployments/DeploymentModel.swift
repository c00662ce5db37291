import Foundation
import KubeClient

/// Annotations the Deployment controller reads and writes.
enum DeploymentAnnotation {
    static let revision = "deployment.kubernetes.io/revision"
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    /// Never copied from a Deployment to its ReplicaSets.
    static let notCopied: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revision, revisionHistory, desiredReplicas, maxReplicas,
        "deprecated.deployment.rollback.to",
    ]
}

/// A Deployment as its controller reads it, with API defaults applied.
struct DeploymentView {
    var json: JSONValue

    var spec: JSONValue { json["spec"] }
    var name: String { json.sim.name }
    var namespace: String { json.sim.namespace }
    var uid: String { json.sim.uid }
    var replicas: Int { spec["replicas"].intValue ?? 1 }
    var isRecreate: Bool { spec["strategy"]["type"].stringValue == "Recreate" }
    var isPaused: Bool { spec["paused"].boolValue == true }
    var minReadySeconds: Int { spec["minReadySeconds"].intValue ?? 0 }
    var template: JSONValue { spec["template"] }
    var collisionCount: Int? { json["status"]["collisionCount"].intValue }

    /// nil: no deadline (unset is defaulted to 600 by the API; `MaxInt32` means none).
    var progressDeadlineSeconds: Int? {
        let value = spec["progressDeadlineSeconds"].intValue ?? 600
        return value >= Int(Int32.max) ? nil : value
    }

    /// nil: keep every old ReplicaSet.
    var revisionHistoryLimit: Int? {
        spec["revisionHistoryLimit"].isNull ? 10 : spec["revisionHistoryLimit"].intValue
    }

    private func fencepost(_ field: String, roundUp: Bool) -> Int {
        let value = spec["strategy"]["rollingUpdate"][field]
        let parsed: IntOrString
        if let int = value.intValue { parsed = .int(int) } else if let text = value.stringValue { parsed = .string(text) }
        else { parsed = "25%" }
        return max(0, parsed.scaledValue(total: replicas, roundUp: roundUp) ?? 0)
    }

    /// `maxSurge` resolved against replicas (0 for Recreate).
    var maxSurge: Int {
        guard !isRecreate else { return 0 }
        return fencepost("maxSurge", roundUp: true)
    }

    /// `maxUnavailable` resolved against replicas, at least 1 when maxSurge is 0, at most replicas.
    var maxUnavailable: Int {
        guard !isRecreate, replicas > 0 else { return 0 }
        var unavailable = fencepost("maxUnavailable", roundUp: false)
        if unavailable == 0 && fencepost("maxSurge", roundUp: true) == 0 { unavailable = 1 }
        return min(unavailable, replicas)
    }

    var revision: Int? { json.sim.annotation(DeploymentAnnotation.revision).flatMap { Int($0) } }

    func condition(_ type: String) -> JSONValue? {
        json["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == type }
    }
}

/// A ReplicaSet as the Deployment controller reads it.
struct ReplicaSetView {
    var json: JSONValue

    var name: String { json.sim.name }
    var uid: String { json.sim.uid }
    var key: StoreKey { json.sim.key }
    var specReplicas: Int { json["spec"]["replicas"].intValue ?? 0 }
    var statusReplicas: Int { json["status"]["replicas"].intValue ?? 0 }
    var readyReplicas: Int { json["status"]["readyReplicas"].intValue ?? 0 }
    var availableReplicas: Int { json["status"]["availableReplicas"].intValue ?? 0 }
    var generation: Int { json.sim.generation }
    var observedGeneration: Int { json["status"]["observedGeneration"].intValue ?? 0 }
    var isDeleting: Bool { json.sim.isDeleting }
    var created: Date { json.sim.creationTimestamp ?? .distantPast }
    var revision: Int { json.sim.annotation(DeploymentAnnotation.revision).flatMap { Int($0) } ?? 0 }
    var isActive: Bool { specReplicas > 0 }

    func intAnnotation(_ key: String) -> Int? { json.sim.annotation(key).flatMap { Int($0) } }

    /// Oldest first (creation time, then name), as `ReplicaSetsByCreationTimestamp` sorts.
    static func byCreation(_ a: ReplicaSetView, _ b: ReplicaSetView) -> Bool {
        a.created == b.created ? a.name < b.name : a.created < b.created
    }
}

extension Array where Element == ReplicaSetView {
    var specReplicas: Int { reduce(0) { $0 + $1.specReplicas } }
    var statusReplicas: Int { reduce(0) { $0 + $1.statusReplicas } }
    var readyReplicas: Int { reduce(0) { $0 + $1.readyReplicas } }
    var availableReplicas: Int { reduce(0) { $0 + $1.availableReplicas } }
    var active: [ReplicaSetView] { filter(\.isActive) }
}
