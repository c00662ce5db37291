import Foundation
import KubeClient

extension DeploymentSync {
    /// `syncStatusOnly`: for a Deployment being deleted.
    mutating func syncStatusOnly() throws {
        let (new, _) = try replicaSetsAndRevision(create: false)
        try syncStatus(new: new)
    }

    /// `syncDeploymentStatus`: counts and the Available condition.
    mutating func syncStatus(new: ReplicaSetView?) throws {
        let counts = DeploymentCounts(deployment: deployment, all: replicaSets, new: new)
        var conditions = DeploymentConditions(deployment.json["status"]["conditions"])
        setAvailability(&conditions, counts: counts)
        try write(counts: counts, conditions: conditions)
    }

    /// `syncRolloutStatus`: counts, Available, and the Progressing condition with its deadline.
    mutating func syncRolloutStatus(new: ReplicaSetView?) throws {
        let counts = DeploymentCounts(deployment: deployment, all: replicaSets, new: new)
        let old = DeploymentCounts(status: deployment.json["status"])
        var conditions = DeploymentConditions(deployment.json["status"]["conditions"])
        setAvailability(&conditions, counts: counts)
        let now = clock.now
        let stamp = SimTime.string(now)
        if deployment.progressDeadlineSeconds == nil {
            conditions.remove("Progressing")
        } else {
            let current = conditions["Progressing"]
            let complete = counts.replicas == counts.updatedReplicas
                && current?.reason == DeploymentReason.newReplicaSetAvailable
            if !complete {
                let subject = new.map { "ReplicaSet \"\($0.name)\"" } ?? "Deployment \"\(deployment.name)\""
                if counts.isComplete(for: deployment) {
                    conditions.set(DeploymentCondition(type: "Progressing", status: "True",
                                                       reason: DeploymentReason.newReplicaSetAvailable,
                                                       message: "\(subject) has successfully progressed.", at: stamp))
                } else if counts.isProgressing(since: old) {
                    var condition = DeploymentCondition(type: "Progressing", status: "True",
                                                        reason: DeploymentReason.replicaSetUpdated,
                                                        message: "\(subject) is progressing.", at: stamp)
                    if let current, current.status == "True" { condition.lastTransitionTime = current.lastTransitionTime }
                    // Progress moves lastUpdateTime, which pushes the deadline back.
                    conditions.remove("Progressing")
                    conditions.set(condition)
                    progressTouched = true
                } else if timedOut(current, now: now) {
                    conditions.set(DeploymentCondition(type: "Progressing", status: "False",
                                                       reason: DeploymentReason.progressDeadlineExceeded,
                                                       message: "\(subject) has timed out progressing.", at: stamp))
                }
            }
        }
        // ReplicaSet failures (such as pods that cannot be created) surface on the Deployment.
        if let failure = replicaSets.lazy.compactMap({ rs in
            rs.json["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == "ReplicaFailure" }
        }).first {
            conditions.set(DeploymentCondition(type: "ReplicaFailure", status: failure["status"].stringValue ?? "True",
                                               reason: failure["reason"].stringValue ?? "",
                                               message: failure["message"].stringValue ?? "", at: stamp))
        } else {
            conditions.remove("ReplicaFailure")
        }
        try write(counts: counts, conditions: conditions)
        scheduleDeadlineCheck(counts: counts)
    }

    /// `DeploymentTimedOut`: the Progressing condition has not moved for progressDeadlineSeconds.
    private func timedOut(_ condition: DeploymentCondition?, now: Date) -> Bool {
        guard let seconds = deployment.progressDeadlineSeconds, let condition else { return false }
        if condition.reason == DeploymentReason.newReplicaSetAvailable { return false }
        if condition.reason == DeploymentReason.progressDeadlineExceeded { return true }
        guard let from = controller.progressUpdateTime(deployment, condition) else { return false }
        return from.addingTimeInterval(clock.wall(Double(seconds))) < now
    }

    /// `requeueStuckDeployment`: look again when the deadline passes if nothing else happens.
    private mutating func scheduleDeadlineCheck(counts: DeploymentCounts) {
        guard let seconds = deployment.progressDeadlineSeconds,
              let condition = deployment.condition("Progressing").flatMap(DeploymentCondition.init),
              condition.reason != DeploymentReason.newReplicaSetAvailable,
              condition.reason != DeploymentReason.progressDeadlineExceeded,
              condition.reason != DeploymentReason.paused,
              !counts.isComplete(for: deployment),
              let from = controller.progressUpdateTime(deployment, condition) else { return }
        let deadline = from.addingTimeInterval(clock.wall(Double(seconds)) + 0.001)
        requeueAt = min(requeueAt ?? deadline, deadline)
    }

    private func setAvailability(_ conditions: inout DeploymentConditions, counts: DeploymentCounts) {
        let stamp = SimTime.string(clock.now)
        if counts.availableReplicas >= deployment.replicas - deployment.maxUnavailable {
            conditions.set(DeploymentCondition(type: "Available", status: "True",
                                               reason: DeploymentReason.minimumReplicasAvailable,
                                               message: "Deployment has minimum availability.", at: stamp))
        } else {
            conditions.set(DeploymentCondition(type: "Available", status: "False",
                                               reason: DeploymentReason.minimumReplicasUnavailable,
                                               message: "Deployment does not have minimum availability.", at: stamp))
        }
    }

    private mutating func write(counts: DeploymentCounts, conditions: DeploymentConditions) throws {
        try writeStatus { status in
            counts.write(into: &status)
            status["conditions"] = conditions.items.isEmpty ? .null : conditions.json
        }
    }
}
