import KubeClient

/// The ServiceAccount, the ConfigMaps, the PersistentVolumeClaim, the autoscaler and the
/// disruption budget.
enum ConfigObjects {
    static func envConfigMapName(_ w: ResolvedWorkload) -> String { "\(w.name)-env" }
    static func filesConfigMapName(_ w: ResolvedWorkload) -> String { "\(w.name)-files" }
    static func claimName(_ w: ResolvedWorkload) -> String { "\(w.name)-data" }

    static func serviceAccount(_ w: ResolvedWorkload) -> Manifest {
        Manifest(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": Labels.metadata(w, name: w.name),
                  "automountServiceAccountToken": false],
                 explanations: ["automountServiceAccountToken": "its own identity, no API token in the pods"])
    }

    static func configMaps(_ w: ResolvedWorkload) -> [Manifest] {
        var maps: [Manifest] = []
        var literals: [String: String] = [:]
        for (key, value) in w.requirements.env { if case .literal(let text) = value { literals[key] = text } }
        if !literals.isEmpty {
            maps.append(Manifest(["apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": Labels.metadata(w, name: envConfigMapName(w)), "data": .strings(literals)]))
        }
        if !w.requirements.configFiles.isEmpty {
            maps.append(Manifest(["apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": Labels.metadata(w, name: filesConfigMapName(w)),
                                  "data": .strings(w.requirements.configFiles)]))
        }
        return maps
    }

    static func claim(_ w: ResolvedWorkload) -> Manifest? {
        guard let storage = w.requirements.storage else { return nil }
        var spec: JSONValue = ["accessModes": [.string(storage.accessMode)], "resources": ["requests": ["storage": .string(storage.size)]]]
        if let storageClass = storage.storageClass { spec["storageClassName"] = .string(storageClass) }
        return Manifest(["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": Labels.metadata(w, name: claimName(w)),
                         "spec": spec])
    }
}

enum ScalingObjects {
    static func autoscaler(_ w: ResolvedWorkload) -> Manifest? {
        guard let scaling = w.requirements.scaling else { return nil }
        let target: JSONValue = w.isBlueGreen
            ? ["apiVersion": "opsagent.dev/v1alpha1", "kind": "BlueGreenDeployment", "name": .string(w.name)]
            : ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(w.name)]
        return Manifest(["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": Labels.metadata(w, name: w.name),
                         "spec": [
                            "scaleTargetRef": target, "minReplicas": .number(scaling.min), "maxReplicas": .number(scaling.max),
                            "metrics": [["type": "Resource", "resource": [
                                "name": "cpu", "target": ["type": "Utilization", "averageUtilization": .number(scaling.cpuTarget)],
                            ]]],
                         ]],
                        explanations: ["spec.metrics": "CPU utilization relative to the request of \(w.requests["cpu"] ?? "")"])
    }

    static func disruptionBudget(_ w: ResolvedWorkload) -> Manifest? {
        guard w.hasDisruptionBudget else { return nil }
        return Manifest(["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": Labels.metadata(w, name: w.name),
                         "spec": ["maxUnavailable": 1, "selector": ["matchLabels": Labels.selector(w)]]],
                        explanations: ["spec.maxUnavailable": "\(w.requirements.environment.rawValue): node drains take one pod at a time"])
    }
}
