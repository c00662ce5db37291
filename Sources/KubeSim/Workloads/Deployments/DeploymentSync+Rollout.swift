import Foundation
import KubeClient

extension DeploymentSync {
    // MARK: RollingUpdate

    /// `rolloutRolling`: scale the new ReplicaSet up within maxSurge, the old ones down
    /// within maxUnavailable, one step per sync.
    mutating func rolloutRolling() throws {
        var (new, old) = try replicaSetsAndRevision(create: true)
        if let current = new, try reconcileNewReplicaSet(current, all: old + [current]) {
            new = replicaSets.first { $0.uid == current.uid }
            try syncRolloutStatus(new: new)
            return
        }
        if try reconcileOldReplicaSets(old: old, new: new) {
            new = new.flatMap { n in replicaSets.first { $0.uid == n.uid } }
            try syncRolloutStatus(new: new)
            return
        }
        if DeploymentCounts(deployment: deployment, all: replicaSets, new: new).isComplete(for: deployment) {
            try cleanup(old: old)
        }
        try syncRolloutStatus(new: new)
    }

    private mutating func reconcileNewReplicaSet(_ new: ReplicaSetView, all: [ReplicaSetView]) throws -> Bool {
        if new.specReplicas == deployment.replicas { return false }
        if new.specReplicas > deployment.replicas {
            return try scale(new, to: deployment.replicas).scaled
        }
        return try scale(new, to: newReplicaSetReplicas(all: all, new: new)).scaled
    }

    private mutating func reconcileOldReplicaSets(old: [ReplicaSetView], new: ReplicaSetView?) throws -> Bool {
        let oldActive = old.compactMap { o in replicaSets.first { $0.uid == o.uid } }.active
        guard oldActive.specReplicas > 0 else { return false }
        let all = replicaSets
        let minAvailable = deployment.replicas - deployment.maxUnavailable
        let newUnavailable = new.map { $0.specReplicas - $0.availableReplicas } ?? 0
        let maxScaledDown = all.specReplicas - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return false }

        // First get rid of old replicas that are not available anyway.
        var cleaned = 0
        for rs in oldActive.sorted(by: ReplicaSetView.byCreation) {
            if cleaned >= maxScaledDown { break }
            guard rs.specReplicas > 0, rs.specReplicas != rs.availableReplicas else { continue }
            let count = min(maxScaledDown - cleaned, rs.specReplicas - rs.availableReplicas)
            guard count > 0 else { continue }
            try scale(rs, to: rs.specReplicas - count)
            cleaned += count
        }

        // Then scale down available old replicas, keeping minAvailable available.
        let available = replicaSets.availableReplicas
        var scaledDown = 0
        if available > minAvailable {
            let total = available - minAvailable
            let current = old.compactMap { o in replicaSets.first { $0.uid == o.uid } }.sorted(by: ReplicaSetView.byCreation)
            for rs in current {
                if scaledDown >= total { break }
                guard rs.specReplicas > 0 else { continue }
                let count = min(rs.specReplicas, total - scaledDown)
                try scale(rs, to: rs.specReplicas - count)
                scaledDown += count
            }
        }
        return cleaned + scaledDown > 0
    }

    // MARK: Recreate

    /// `rolloutRecreate`: scale every old ReplicaSet to zero, wait until their pods are gone,
    /// then create or scale up the new one.
    mutating func rolloutRecreate() throws {
        var (new, old) = try replicaSetsAndRevision(create: false)
        var scaledDown = false
        for rs in old.active {
            if try scale(rs, to: 0).scaled { scaledDown = true }
        }
        if scaledDown {
            try syncRolloutStatus(new: new)
            return
        }
        let oldPodsRunning = old.contains { rs in
            client.dependents(of: rs.uid, WorkloadResource.pods).contains { pod in
                let value = pod.object
                return value.sim.controllerUID == rs.uid && PodState.phase(value) != "Succeeded"
                    && PodState.phase(value) != "Failed"
            }
        }
        if oldPodsRunning {
            try syncRolloutStatus(new: new)
            return
        }
        if new == nil {
            (new, old) = try replicaSetsAndRevision(create: true)
        }
        if let current = new, current.specReplicas != deployment.replicas {
            new = try scale(current, to: deployment.replicas).rs
        }
        if DeploymentCounts(deployment: deployment, all: replicaSets, new: new).isComplete(for: deployment) {
            try cleanup(old: old)
        }
        try syncRolloutStatus(new: new)
    }

    // MARK: Scaling and pause

    /// A scaling event: an active ReplicaSet was sized for another replica count.
    mutating func isScalingEvent() throws -> Bool {
        let (new, old) = try replicaSetsAndRevision(create: false)
        let active = (old + (new.map { [$0] } ?? [])).active
        return active.contains { rs in
            rs.intAnnotation(DeploymentAnnotation.desiredReplicas).map { $0 != deployment.replicas } ?? false
        }
    }

    /// `sync`: scale without rolling out (paused Deployments and scaling events).
    mutating func syncScaling() throws {
        let (new, old) = try replicaSetsAndRevision(create: false)
        try proportionalScale(new: new, old: old)
        if deployment.isPaused {
            try cleanup(old: old.compactMap { o in replicaSets.first { $0.uid == o.uid } })
        }
        let currentNew = new.flatMap { n in replicaSets.first { $0.uid == n.uid } }
        try syncStatus(new: currentNew)
    }

    /// `scale`: resize the one active ReplicaSet, or spread a replica change over several in
    /// proportion to their sizes.
    private mutating func proportionalScale(new: ReplicaSetView?, old: [ReplicaSetView]) throws {
        let activeAll = (old + (new.map { [$0] } ?? [])).active
        if activeAll.count <= 1 {
            let target = activeAll.first ?? new ?? old.sorted(by: ReplicaSetView.byCreation).last
            if let target, target.specReplicas != deployment.replicas {
                try scale(target, to: deployment.replicas)
            } else if let target {
                try scale(target, to: target.specReplicas)  // annotations only
            }
            return
        }
        if let new, new.specReplicas == deployment.replicas,
           new.intAnnotation(DeploymentAnnotation.desiredReplicas) == deployment.replicas,
           new.availableReplicas == deployment.replicas {
            for rs in old.active { try scale(rs, to: 0) }
            return
        }
        guard !deployment.isRecreate else { return }
        let allowed = deployment.replicas > 0 ? deployment.replicas + deployment.maxSurge : 0
        let toAdd = allowed - activeAll.specReplicas
        let ordered: [ReplicaSetView] = activeAll.sorted { a, b in
            if a.specReplicas != b.specReplicas {
                return toAdd > 0 ? a.specReplicas > b.specReplicas : a.specReplicas > b.specReplicas
            }
            return toAdd > 0 ? ReplicaSetView.byCreation(b, a) : ReplicaSetView.byCreation(a, b)
        }
        var sizes: [String: Int] = [:]
        var added = 0
        for rs in ordered {
            var proportion = 0
            if toAdd != 0 && rs.specReplicas > 0 && added != toAdd {
                let fraction = replicaSetFraction(rs)
                let remaining = toAdd - added
                proportion = toAdd > 0 ? min(fraction, remaining) : max(fraction, remaining)
            }
            sizes[rs.uid] = rs.specReplicas + proportion
            added += proportion
        }
        if toAdd != 0, let first = ordered.first {
            sizes[first.uid] = max(0, (sizes[first.uid] ?? 0) + toAdd - added)
        }
        for rs in ordered {
            let current = replicaSets.first { $0.uid == rs.uid } ?? rs
            try scale(current, to: max(0, sizes[rs.uid] ?? rs.specReplicas))
        }
    }

    /// `getReplicaSetFraction`: how many replicas a ReplicaSet gains or loses when the
    /// Deployment is resized, in proportion to the size it was annotated for.
    private func replicaSetFraction(_ rs: ReplicaSetView) -> Int {
        if deployment.replicas == 0 { return -rs.specReplicas }
        let target = deployment.replicas + deployment.maxSurge
        let annotated = rs.intAnnotation(DeploymentAnnotation.maxReplicas)
            ?? (deployment.json["status"]["replicas"].intValue ?? 0)
        guard annotated > 0 else { return 0 }
        let size = (Double(rs.specReplicas * target) / Double(annotated)).rounded()
        return Int(size) - rs.specReplicas
    }

    /// Adds or removes the `DeploymentPaused` / `DeploymentResumed` Progressing condition.
    mutating func checkPausedConditions() throws {
        guard deployment.progressDeadlineSeconds != nil else { return }
        let current = deployment.condition("Progressing").flatMap(DeploymentCondition.init)
        if current?.reason == DeploymentReason.progressDeadlineExceeded { return }
        let pausedCondition = current?.reason == DeploymentReason.paused
        var conditions = DeploymentConditions(deployment.json["status"]["conditions"])
        if deployment.isPaused && !pausedCondition {
            conditions.set(progressing("Unknown", DeploymentReason.paused, "Deployment is paused"))
        } else if !deployment.isPaused && pausedCondition {
            conditions.set(progressing("Unknown", DeploymentReason.resumed, "Deployment is resumed"))
        } else {
            return
        }
        try writeStatus { $0["conditions"] = conditions.json }
    }

    // MARK: Clean-up

    /// Deletes the oldest unused ReplicaSets beyond `revisionHistoryLimit`.
    mutating func cleanup(old: [ReplicaSetView]) throws {
        guard let limit = deployment.revisionHistoryLimit else { return }
        let candidates = old.compactMap { o in replicaSets.first { $0.uid == o.uid } }.filter { !$0.isDeleting }
        let surplus = candidates.count - limit
        guard surplus > 0 else { return }
        let ordered = candidates.sorted { a, b in
            a.revision == b.revision ? ReplicaSetView.byCreation(a, b) : a.revision < b.revision
        }
        for rs in ordered.prefix(surplus) {
            guard rs.statusReplicas == 0, rs.specReplicas == 0, rs.generation <= rs.observedGeneration else { continue }
            try client.delete(WorkloadResource.replicaSets, rs.key, uid: rs.uid)
            replicaSets.removeAll { $0.uid == rs.uid }
        }
    }
}
