import Foundation
import KubeClient

/// One sync of one Deployment (`syncDeployment`): reads its ReplicaSets, decides, writes.
/// Every write replaces the local copy with what the API returned, so later steps of the
/// same sync see fresh resourceVersions.
struct DeploymentSync {
    let controller: DeploymentController
    var deployment: DeploymentView
    var replicaSets: [ReplicaSetView]
    /// When to look again even if nothing changes (a progress deadline).
    var requeueAt: Date?
    /// The next status write re-stamps the Progressing condition (progress was made).
    var progressTouched = false

    var client: ClusterClient { controller.client }
    var clock: SimulationClock { controller.clock }

    init(controller: DeploymentController, deployment: DeploymentView, replicaSets: [ReplicaSetView]) {
        self.controller = controller
        self.deployment = deployment
        self.replicaSets = replicaSets
    }

    mutating func run() throws {
        if deployment.json.sim.isDeleting {
            try syncStatusOnly()
            return
        }
        let selector = deployment.spec["selector"]
        if selector.isNull || (selector["matchLabels"].objectValue?.isEmpty ?? true)
            && (selector["matchExpressions"].arrayValue?.isEmpty ?? true) {
            controller.event(deployment, .warning, "SelectingAll",
                             "This deployment is selecting all pods. A non-empty selector is required.")
            if deployment.json["status"]["observedGeneration"].intValue != deployment.json.sim.generation {
                var updated = deployment.json
                updated[path: ["status", "observedGeneration"]] = .int(Int64(deployment.json.sim.generation))
                deployment.json = try client.updateStatus(WorkloadResource.deployments, updated).object
            }
            return
        }
        try checkPausedConditions()
        if deployment.isPaused {
            try syncScaling()
            return
        }
        if try isScalingEvent() {
            try syncScaling()
            return
        }
        if deployment.isRecreate {
            try rolloutRecreate()
        } else {
            try rolloutRolling()
        }
    }

    // MARK: ReplicaSets

    /// The ReplicaSet whose template matches the Deployment's, the others, and the revision
    /// bookkeeping (`getAllReplicaSetsAndSyncRevision`).
    mutating func replicaSetsAndRevision(create: Bool) throws -> (new: ReplicaSetView?, old: [ReplicaSetView]) {
        let sorted = replicaSets.sorted(by: ReplicaSetView.byCreation)
        let template = PodTemplateHash.withoutHash(deployment.template)
        let existing = sorted.first { PodTemplateHash.withoutHash($0.json["spec"]["template"]) == template }
        let old = sorted.filter { $0.uid != existing?.uid }
        let newRevision = (old.map(\.revision).max() ?? 0) + 1
        if let existing {
            return (try syncExistingNewReplicaSet(existing, newRevision: newRevision), old)
        }
        guard create else { return (nil, old) }
        return (try createNewReplicaSet(old: old, newRevision: newRevision), old)
    }

    private mutating func syncExistingNewReplicaSet(_ rs: ReplicaSetView, newRevision: Int) throws -> ReplicaSetView {
        var updated = rs.json
        let annotationsChanged = copyAnnotations(into: &updated, revision: newRevision, onlyIfNewer: true)
        let minReady = deployment.minReadySeconds
        let minReadyChanged = (rs.json["spec"]["minReadySeconds"].intValue ?? 0) != minReady
        var result = rs
        if annotationsChanged || minReadyChanged {
            updated[path: ["spec", "minReadySeconds"]] = minReady == 0 ? .null : .int(Int64(minReady))
            result = try replace(rs, with: updated)
        }
        try setDeploymentRevision(result.json.sim.annotation(DeploymentAnnotation.revision) ?? String(newRevision))
        if deployment.progressDeadlineSeconds != nil, deployment.condition("Progressing") == nil {
            var conditions = DeploymentConditions(deployment.json["status"]["conditions"])
            conditions.set(progressing("True", DeploymentReason.foundNewReplicaSet,
                                       "Found new replica set \"\(result.name)\""))
            try writeStatus { $0["conditions"] = conditions.json }
        }
        return result
    }

    private mutating func createNewReplicaSet(old: [ReplicaSetView], newRevision: Int) throws -> ReplicaSetView? {
        let hash = PodTemplateHash.compute(template: deployment.template, collisionCount: deployment.collisionCount)
        var template = deployment.template
        template[path: ["metadata", "labels", PodTemplateHash.label]] = .string(hash)
        var selector = deployment.spec["selector"]
        selector[path: ["matchLabels", PodTemplateHash.label]] = .string(hash)
        let name = "\(deployment.name)-\(hash)"
        var rs: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string(name), "namespace": .string(deployment.namespace),
                "labels": template["metadata"]["labels"],
                "ownerReferences": [deployment.json.controllerReference(kind: "Deployment", apiVersion: "apps/v1")],
            ],
            "spec": ["replicas": 0, "selector": selector, "template": template],
        ]
        if deployment.minReadySeconds > 0 { rs[path: ["spec", "minReadySeconds"]] = .int(Int64(deployment.minReadySeconds)) }
        let placeholder = ReplicaSetView(json: rs)
        let replicas = newReplicaSetReplicas(all: old + [placeholder], new: placeholder)
        rs[path: ["spec", "replicas"]] = .int(Int64(replicas))
        _ = copyAnnotations(into: &rs, revision: newRevision, onlyIfNewer: false)
        setReplicasAnnotations(&rs)

        var created: ReplicaSetView
        var alreadyExisted = false
        do {
            created = ReplicaSetView(json: try client.create(WorkloadResource.replicaSets, rs).object)
        } catch where error.reason == "AlreadyExists" {
            guard let existing = client.object(WorkloadResource.replicaSets, StoreKey(namespace: deployment.namespace, name: name)) else {
                throw error
            }
            let sameTemplate = PodTemplateHash.withoutHash(existing["spec"]["template"])
                == PodTemplateHash.withoutHash(deployment.template)
            if existing.sim.controllerUID == deployment.uid && sameTemplate {
                created = ReplicaSetView(json: existing)
                alreadyExisted = true
            } else {
                // A hash collision: count it, so the next attempt hashes differently.
                let collisions = (deployment.collisionCount ?? 0) + 1
                try writeStatus { $0["collisionCount"] = .int(Int64(collisions)) }
                controller.event(deployment, .warning, "HashCollision",
                                 "Found a hash collision for deployment \(deployment.name) - bumping collisionCount to \((deployment.collisionCount ?? 0))")
                throw error
            }
        } catch {
            if deployment.progressDeadlineSeconds != nil {
                var conditions = DeploymentConditions(deployment.json["status"]["conditions"])
                conditions.set(progressing("False", DeploymentReason.failedReplicaSetCreate,
                                           "Failed to create new replica set \"\(name)\": \(error.message)"))
                try writeStatus { $0["conditions"] = conditions.json }
            }
            controller.event(deployment, .warning, "FailedCreate", "Failed to create new replica set \(name): \(error.message)")
            throw error
        }
        if !alreadyExisted {
            replicaSets.append(created)
            if replicas > 0 {
                controller.event(deployment, .normal, "ScalingReplicaSet",
                                 "Scaled up replica set \(created.name) from 0 to \(replicas)")
            }
        }
        try setDeploymentRevision(String(newRevision))
        if !alreadyExisted, deployment.progressDeadlineSeconds != nil {
            var conditions = DeploymentConditions(deployment.json["status"]["conditions"])
            conditions.set(progressing("True", DeploymentReason.newReplicaSetCreated,
                                       "Created new replica set \"\(created.name)\""))
            try writeStatus { $0["conditions"] = conditions.json }
        }
        return created
    }

    /// Copies the Deployment's annotations onto a ReplicaSet and sets its revision; true when
    /// anything changed.
    private func copyAnnotations(into rs: inout JSONValue, revision: Int, onlyIfNewer: Bool) -> Bool {
        var annotations = rs["metadata"]["annotations"].objectValue ?? [:]
        let before = annotations
        for (key, value) in deployment.json.sim.annotations where !DeploymentAnnotation.notCopied.contains(key) {
            annotations[key] = .string(value)
        }
        let current = annotations[DeploymentAnnotation.revision]?.stringValue.flatMap { Int($0) } ?? 0
        if !onlyIfNewer || current < revision {
            annotations[DeploymentAnnotation.revision] = .string(String(revision))
        }
        if !onlyIfNewer { /* replicas annotations are set by the caller */ }
        rs[path: ["metadata", "annotations"]] = .object(annotations)
        return annotations != before
    }

    private func setReplicasAnnotations(_ rs: inout JSONValue) {
        rs[path: ["metadata", "annotations", DeploymentAnnotation.desiredReplicas]] = .string(String(deployment.replicas))
        rs[path: ["metadata", "annotations", DeploymentAnnotation.maxReplicas]] =
            .string(String(deployment.replicas + deployment.maxSurge))
    }

    /// Keeps the Deployment's revision annotation in step with its new ReplicaSet.
    private mutating func setDeploymentRevision(_ revision: String) throws {
        guard deployment.json.sim.annotation(DeploymentAnnotation.revision) != revision else { return }
        var updated = deployment.json
        updated[path: ["metadata", "annotations", DeploymentAnnotation.revision]] = .string(revision)
        deployment.json = try client.update(WorkloadResource.deployments, updated).object
    }

    /// `NewRSNewReplicas`: how many replicas the new ReplicaSet should have now.
    func newReplicaSetReplicas(all: [ReplicaSetView], new: ReplicaSetView) -> Int {
        if deployment.isRecreate { return deployment.replicas }
        let current = all.specReplicas
        let maxTotal = deployment.replicas + deployment.maxSurge
        if current >= maxTotal { return new.specReplicas }
        let scaleUp = min(maxTotal - current, max(0, deployment.replicas - new.specReplicas))
        return new.specReplicas + scaleUp
    }

    /// Sets a ReplicaSet's size (and replicas annotations) and reports a size change.
    @discardableResult
    mutating func scale(_ rs: ReplicaSetView, to replicas: Int) throws -> (scaled: Bool, rs: ReplicaSetView) {
        let sizeChanges = rs.specReplicas != replicas
        let annotationsChange = rs.intAnnotation(DeploymentAnnotation.desiredReplicas) != deployment.replicas
            || rs.intAnnotation(DeploymentAnnotation.maxReplicas) != deployment.replicas + deployment.maxSurge
        guard sizeChanges || annotationsChange else { return (false, rs) }
        var updated = rs.json
        updated[path: ["spec", "replicas"]] = .int(Int64(replicas))
        setReplicasAnnotations(&updated)
        let result = try replace(rs, with: updated)
        if sizeChanges {
            let direction = replicas > rs.specReplicas ? "up" : "down"
            controller.event(deployment, .normal, "ScalingReplicaSet",
                             "Scaled \(direction) replica set \(rs.name) from \(rs.specReplicas) to \(replicas)")
        }
        return (sizeChanges, result)
    }

    /// Writes a ReplicaSet and keeps the local list current.
    private mutating func replace(_ rs: ReplicaSetView, with json: JSONValue) throws -> ReplicaSetView {
        let written = ReplicaSetView(json: try client.update(WorkloadResource.replicaSets, json).object)
        if let index = replicaSets.firstIndex(where: { $0.uid == rs.uid }) { replicaSets[index] = written }
        return written
    }

    /// Writes the status after `change`, if it changes anything.
    mutating func writeStatus(_ change: (inout JSONValue) -> Void) throws {
        var status = deployment.json["status"]
        if case .object = status {} else { status = .emptyObject }
        change(&status)
        guard status != deployment.json["status"] else { return }
        let before = DeploymentConditions(deployment.json["status"]["conditions"])["Progressing"]
        var updated = deployment.json
        updated["status"] = status
        deployment.json = try client.updateStatus(WorkloadResource.deployments, updated).object
        let after = DeploymentConditions(deployment.json["status"]["conditions"])["Progressing"]
        let touched = progressTouched
        progressTouched = false
        if let after, touched || after.lastUpdateTime != before?.lastUpdateTime || after.reason != before?.reason,
           let stamp = after.lastUpdateTime.stringValue {
            // Stamped just now: remember the exact time behind the whole-second stamp.
            controller.rememberProgressTime(deployment, stamp: stamp, date: clock.now)
        }
    }

    func progressing(_ status: String, _ reason: String, _ message: String) -> DeploymentCondition {
        DeploymentCondition(type: "Progressing", status: status, reason: reason, message: message,
                            at: SimTime.string(clock.now))
    }
}
