import KubeClient

/// The pod template: Pod Security Standards restricted, whatever the requirements say.
///
/// Non-root with a fixed UID and GID, read-only root filesystem (with an emptyDir at
/// `/tmp`), all capabilities dropped, seccomp RuntimeDefault, no privilege escalation, no
/// service account token, requests and limits, probes. Configuration arrives from the
/// workload's ConfigMaps and Secrets by reference only.
enum PodTemplate {
    static func build(_ w: ResolvedWorkload) -> (template: JSONValue, explanations: [String: String]) {
        var why: [String: String] = [:]
        let r = w.requirements
        var container: JSONValue = [
            "name": .string(w.name),
            "image": .string(r.image),
            "imagePullPolicy": "IfNotPresent",
            "resources": ["requests": .strings(w.requests), "limits": .strings(w.limits)],
            "securityContext": [
                "allowPrivilegeEscalation": false,
                "privileged": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "capabilities": ["drop": ["ALL"]],
            ],
        ]
        let c = "spec.containers[0]"
        why["\(c).resources"] = "requests and limits from \(w.resourcesOrigin)"
        why["\(c).securityContext.readOnlyRootFilesystem"] = "nothing can be written into the image; /tmp is a sized emptyDir"
        why["\(c).securityContext.capabilities"] = "restricted profile: no Linux capabilities (add back NET_BIND_SERVICE only if a port is below 1024)"
        why["\(c).securityContext.allowPrivilegeEscalation"] = "setuid binaries and file capabilities cannot raise privileges"
        if !r.ports.isEmpty {
            container["ports"] = .array(r.ports.map {
                ["name": .string($0.name), "containerPort": .number($0.port), "protocol": .string($0.protocol)]
            })
        }
        let literals = r.env.keys.sorted().filter { if case .literal = r.env[$0]! { true } else { false } }
        if !literals.isEmpty {
            container["envFrom"] = [["configMapRef": ["name": .string(ConfigObjects.envConfigMapName(w))]]]
            why["\(c).envFrom"] = "literal settings live in the ConfigMap, not in the pod spec"
        }
        let secretEnv: [JSONValue] = r.env.keys.sorted().compactMap { key in
            guard case .secret(let name, let secretKey) = r.env[key]! else { return nil }
            return ["name": .string(key), "valueFrom": ["secretKeyRef": ["name": .string(name), "key": .string(secretKey)]]]
        }
        if !secretEnv.isEmpty { container["env"] = .array(secretEnv) }

        var mounts: [JSONValue] = [["name": "tmp", "mountPath": .string(Hardening.scratchMountPath)]]
        var volumes: [JSONValue] = [["name": "tmp", "emptyDir": ["sizeLimit": .string(Hardening.scratchSizeLimit)]]]
        if !r.configFiles.isEmpty {
            mounts.append(["name": "config", "mountPath": .string("/etc/\(w.name)"), "readOnly": true])
            volumes.append(["name": "config", "configMap": ["name": .string(ConfigObjects.filesConfigMapName(w))]])
        }
        for (index, secret) in r.secretMounts.enumerated() {
            let volume = "secret-\(index)"
            mounts.append(["name": .string(volume), "mountPath": .string(secret.mountPath ?? "/var/run/secrets/\(secret.name)"),
                           "readOnly": true])
            volumes.append(["name": .string(volume), "secret": ["secretName": .string(secret.name), "defaultMode": 288]])
            why["spec.volumes[\(volumes.count - 1)].secret.defaultMode"] = "0440: readable by the pod's group (fsGroup) only, files rather than env vars"
        }
        if let storage = r.storage {
            mounts.append(["name": "data", "mountPath": .string(storage.mountPath)])
            volumes.append(["name": "data", "persistentVolumeClaim": ["claimName": .string(ConfigObjects.claimName(w))]])
        }
        container["volumeMounts"] = .array(mounts)
        let probes = Probes.build(w)
        for (key, probe) in probes.probes { container[key] = probe }
        for (path, reason) in probes.explanations { why["\(c).\(path)"] = reason }

        var spec: JSONValue = [
            "serviceAccountName": .string(w.name),
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "terminationGracePeriodSeconds": .number(Hardening.terminationGracePeriodSeconds),
            "securityContext": [
                "runAsNonRoot": true,
                "runAsUser": .number(w.uid),
                "runAsGroup": .number(w.uid),
                "fsGroup": .number(w.uid),
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "containers": [container],
            "volumes": .array(volumes),
        ]
        why["spec.automountServiceAccountToken"] = "the app does not call the Kubernetes API; no token to steal"
        why["spec.enableServiceLinks"] = "no env vars describing every Service of the namespace"
        why["spec.securityContext.runAsUser"] = r.runAsUser == nil
            ? "fixed non-root UID above host users' range; set runAsUser if the image needs another" : "the UID the requirements name"
        why["spec.securityContext.seccompProfile"] = "the runtime's default syscall filter (restricted profile)"
        if w.profile.spreadAcrossNodes {
            spec["topologySpreadConstraints"] = [[
                "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": ["matchLabels": Labels.selector(w)],
            ]]
            why["spec.topologySpreadConstraints"] = "prod: pods spread across nodes so one node failure leaves the others serving"
        }
        return (["metadata": ["labels": Labels.common(w)], "spec": spec], why)
    }
}

/// Liveness, readiness and (in prod, or when asked) startup probes: HTTP on the given
/// paths, else the health command, else a TCP check of the first port.
enum Probes {
    static func build(_ w: ResolvedWorkload) -> (probes: [String: JSONValue], explanations: [String: String]) {
        let health = w.requirements.health
        let threshold = w.profile.probeFailureThreshold
        var why: [String: String] = [:]
        func action(_ path: String?) -> JSONValue {
            if let path, let port = w.probePort {
                return ["httpGet": ["path": .string(path), "port": .string(port.name)]]
            }
            if let command = health.command { return ["exec": ["command": .array(command.map { .string($0) })]] }
            return ["tcpSocket": ["port": .string(w.probePort?.name ?? "http")]]
        }
        func probe(_ path: String?, period: Int, failures: Int) -> JSONValue {
            var probe = action(path)
            probe["periodSeconds"] = .number(period)
            probe["timeoutSeconds"] = 2
            probe["failureThreshold"] = .number(failures)
            return probe
        }
        var probes: [String: JSONValue] = [
            "livenessProbe": probe(health.liveness ?? health.readiness, period: 10, failures: threshold),
            "readinessProbe": probe(health.readiness ?? health.liveness, period: 5, failures: threshold),
        ]
        if health.liveness == nil && health.readiness == nil {
            why["livenessProbe"] = health.command != nil
                ? "no HTTP health path given: the health command decides"
                : "no HTTP health path given: a TCP check of port \(w.probePort?.name ?? "") (add health.liveness for a real check)"
        }
        if threshold != 3 {
            why["readinessProbe"] = "\(w.requirements.environment.rawValue): \(threshold) failures tolerated, for debugging sessions"
        }
        if w.profile.startupProbe || health.startup != nil {
            probes["startupProbe"] = probe(health.startup ?? health.liveness ?? health.readiness, period: 5, failures: 30)
            why["startupProbe"] = "up to 150 s to start before the liveness probe may restart the container"
        }
        return (probes, why)
    }
}
