import KubeClient

/// The replica counts of a Deployment status (`calculateStatus` in kube's deployment controller).
struct DeploymentCounts: Equatable {
    var observedGeneration = 0
    var replicas = 0
    var updatedReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    var unavailableReplicas = 0

    init(observedGeneration: Int = 0, replicas: Int = 0, updatedReplicas: Int = 0, readyReplicas: Int = 0,
         availableReplicas: Int = 0, unavailableReplicas: Int = 0) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
    }

    init(status: JSONValue) {
        observedGeneration = status["observedGeneration"].intValue ?? 0
        replicas = status["replicas"].intValue ?? 0
        updatedReplicas = status["updatedReplicas"].intValue ?? 0
        readyReplicas = status["readyReplicas"].intValue ?? 0
        availableReplicas = status["availableReplicas"].intValue ?? 0
        unavailableReplicas = status["unavailableReplicas"].intValue ?? 0
    }

    init(deployment: DeploymentView, all: [ReplicaSetView], new: ReplicaSetView?) {
        let available = all.availableReplicas
        observedGeneration = deployment.json.sim.generation
        replicas = all.statusReplicas
        updatedReplicas = new?.statusReplicas ?? 0
        readyReplicas = all.readyReplicas
        availableReplicas = available
        unavailableReplicas = max(0, all.specReplicas - available)
    }

    /// Written into a status object; zero counts are omitted, as the API's `omitempty` does.
    func write(into status: inout JSONValue) {
        for (field, value) in [("observedGeneration", observedGeneration), ("replicas", replicas),
                               ("updatedReplicas", updatedReplicas), ("readyReplicas", readyReplicas),
                               ("availableReplicas", availableReplicas), ("unavailableReplicas", unavailableReplicas)] {
            status[field] = value == 0 ? .null : .int(Int64(value))
        }
    }

    /// `DeploymentComplete`: every replica updated and available, and the spec observed.
    func isComplete(for deployment: DeploymentView) -> Bool {
        updatedReplicas == deployment.replicas && replicas == deployment.replicas
            && availableReplicas == deployment.replicas && observedGeneration >= deployment.json.sim.generation
    }

    /// `DeploymentProgressing`: more updated, ready or available replicas, or fewer old ones, than before.
    func isProgressing(since old: DeploymentCounts) -> Bool {
        updatedReplicas > old.updatedReplicas || (replicas - updatedReplicas) < (old.replicas - old.updatedReplicas)
            || readyReplicas > old.readyReplicas || availableReplicas > old.availableReplicas
    }
}
