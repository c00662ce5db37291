import KubeClient

/// The Deployment, or the BlueGreenDeployment that runs two colored Deployments and
/// gates the switch on analysis checks.
enum WorkloadObjects {
    static func build(_ w: ResolvedWorkload) -> Manifest {
        w.isBlueGreen ? blueGreen(w) : deployment(w)
    }

    static func deployment(_ w: ResolvedWorkload) -> Manifest {
        let pod = PodTemplate.build(w)
        var spec: JSONValue = [
            "revisionHistoryLimit": .number(Hardening.revisionHistoryLimit),
            "selector": ["matchLabels": Labels.selector(w)],
            "template": pod.template,
        ]
        let recreate = w.requirements.storage?.isSingleWriter ?? false
        spec["strategy"] = recreate
            ? ["type": "Recreate"]
            : ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": 0]]
        if w.requirements.scaling == nil { spec["replicas"] = .number(w.replicas) }
        var manifest = Manifest(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": Labels.metadata(w, name: w.name),
                                 "spec": spec])
        manifest.explain(under: "spec.template", pod.explanations)
        manifest.explain("spec.strategy", recreate
            ? "the \(w.requirements.storage!.accessMode) volume mounts on one node: the old pod stops before the new one starts"
            : "maxUnavailable 0: a rollout never drops below the desired pods")
        manifest.explain("spec.selector", "name and instance only: a selector cannot change after creation")
        if w.requirements.scaling != nil {
            manifest.explain("spec", "no replicas: the HorizontalPodAutoscaler owns the count, so re-applying does not reset it")
        } else if w.requirements.replicas == nil {
            manifest.explain("spec.replicas", w.replicas == 1 && w.requirements.storage?.isSingleWriter == true
                ? "one pod: the volume mounts on one node"
                : "\(w.requirements.environment.rawValue) default")
        }
        return manifest
    }

    static func servicePorts(_ w: ResolvedWorkload) -> JSONValue {
        .array(w.requirements.ports.map {
            ["name": .string($0.name), "port": .number($0.port), "targetPort": .string($0.name), "protocol": .string($0.protocol)]
        })
    }

    static func blueGreen(_ w: ResolvedWorkload) -> Manifest {
        let pod = PodTemplate.build(w)
        let rollout = w.requirements.rollout
        var checks: [JSONValue] = [
            ["name": "pods-ready", "builtin": ["type": "PodReadiness"], "interval": "5s", "count": 3, "failureLimit": 0],
            ["name": "no-restarts", "builtin": ["type": "Restarts", "threshold": 0], "interval": "10s", "count": 3, "failureLimit": 0],
        ]
        if let query = rollout.errorRateQuery {
            checks.append([
                "name": "error-rate", "prometheus": ["query": .string(query)],
                "successCondition": .string("result < \(rollout.maxErrorRate)"),
                "failureCondition": .string("result >= \(rollout.maxErrorRate)"),
                "interval": "10s", "count": 6, "failureLimit": 1, "inconclusiveLimit": 2, "emptyResult": "Inconclusive",
            ])
        }
        var spec: JSONValue = [
            "selector": ["matchLabels": Labels.selector(w)],
            "template": pod.template,
            "activeService": ["name": .string(w.name), "ports": servicePorts(w)],
            "previewService": ["name": .string("\(w.name)-preview"), "ports": servicePorts(w)],
            "autoPromotion": ["enabled": .bool(rollout.autoPromote)],
            "prePromotionAnalysis": ["checks": .array(checks)],
            "postPromotionAnalysis": ["checks": [["name": "pods-ready", "builtin": ["type": "PodReadiness"], "interval": "5s", "count": 2]]],
            "rollbackOnFailure": true,
            "revisionHistoryLimit": .number(Hardening.revisionHistoryLimit),
        ]
        if w.requirements.scaling == nil { spec["replicas"] = .number(w.replicas) }
        var manifest = Manifest(["apiVersion": "opsagent.dev/v1alpha1", "kind": "BlueGreenDeployment",
                                 "metadata": Labels.metadata(w, name: w.name), "spec": spec])
        manifest.explain(under: "spec.template", pod.explanations)
        manifest.explain("spec.activeService", "the operator creates and switches this Service; no separate Service is generated")
        manifest.explain("spec.prePromotionAnalysis", "the preview must be ready and restart-free before traffic moves"
            + (rollout.errorRateQuery == nil ? "; add rollout.errorRateQuery to gate on errors too" : ", and its error rate low"))
        manifest.explain("spec.rollbackOnFailure", "a failed analysis returns traffic to the stable color")
        return manifest
    }
}
