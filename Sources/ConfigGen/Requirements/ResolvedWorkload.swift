import KubeClient

/// The requirements with every default applied: what the object builders read.
struct ResolvedWorkload: Sendable {
    let requirements: WorkloadRequirements
    let profile: EnvironmentProfile
    let replicas: Int
    let exposure: Exposure.Kind
    let requests: [String: String]
    let limits: [String: String]
    /// Where requests and limits came from, for `--explain`.
    let resourcesOrigin: String
    let uid: Int
    /// The port probes use, when there is one.
    let probePort: PortRequirement?

    var name: String { requirements.name }
    var isBlueGreen: Bool { requirements.rollout.strategy == .blueGreen }
    var hasService: Bool { exposure != .none }
    var hasDisruptionBudget: Bool { profile.disruptionBudget && (requirements.scaling?.min ?? replicas) >= 2 }

    init(_ requirements: WorkloadRequirements) {
        self.requirements = requirements
        profile = EnvironmentProfile.of(requirements.environment)
        let singleWriter = requirements.storage?.isSingleWriter ?? false
        replicas = requirements.replicas ?? requirements.scaling?.min ?? (singleWriter ? 1 : profile.replicas)
        let serves = requirements.type != .worker && !requirements.ports.isEmpty
        exposure = requirements.exposure.kind ?? (serves ? .cluster : .none)
        switch requirements.resources {
        case .size(let size)?:
            requests = size.requests
            limits = size.limits
            resourcesOrigin = "size class \(size.rawValue)"
        case .explicit(let given, let givenLimits)?:
            let fallback = profile.defaultSize
            var requests = given, limits = givenLimits
            for resource in ["cpu", "memory"] {
                // A missing request is the limit (as Kubernetes defaults it), a missing
                // limit the size class's, never below the request.
                if requests[resource] == nil { requests[resource] = limits[resource] ?? fallback.requests[resource] }
                if limits[resource] == nil {
                    limits[resource] = Self.larger(requests[resource]!, fallback.limits[resource]!)
                }
            }
            self.requests = requests
            self.limits = limits
            resourcesOrigin = "the requirements, completed from size class \(fallback.rawValue)"
        case nil:
            requests = profile.defaultSize.requests
            limits = profile.defaultSize.limits
            resourcesOrigin = "size class \(profile.defaultSize.rawValue), the \(requirements.environment.rawValue) default"
        }
        uid = requirements.runAsUser ?? Hardening.defaultUID
        if let wanted = requirements.health.port {
            probePort = requirements.ports.first { $0.name == wanted || String($0.port) == wanted }
        } else {
            probePort = requirements.ports.first { $0.protocol == "TCP" }
        }
    }

    static func larger(_ a: String, _ b: String) -> String {
        guard let qa = try? Quantity(parsing: a), let qb = try? Quantity(parsing: b) else { return a }
        return qa < qb ? b : a
    }
}

/// Contradictions between sections, judged with defaults applied.
enum Consistency {
    static func check(_ requirements: WorkloadRequirements, _ log: IssueLog) {
        let resolved = ResolvedWorkload(requirements)
        let health = requirements.health
        if let wanted = health.port, resolved.probePort == nil {
            log.add("health.port", "\"\(wanted)\" is not a declared TCP port", hint: "name one of ports[].name or ports[].port")
        }
        let paths = [("liveness", health.liveness), ("readiness", health.readiness), ("startup", health.startup)]
        for (key, path) in paths where path != nil && resolved.probePort == nil && health.port == nil {
            log.add("health.\(key)", "needs a TCP port to probe", hint: "declare one under ports, or use health.command")
        }
        if health.command == nil && resolved.probePort == nil {
            log.add("health", "gives no way to probe the workload (no TCP port, no command)",
                    hint: "set health.command (e.g. [\"/app/healthcheck\"]) or declare a port")
        }
        if resolved.exposure != .none && requirements.ports.isEmpty {
            log.add("exposure", "is \(resolved.exposure.rawValue) but no port is declared", hint: "declare ports, or set exposure to none")
        }
        if resolved.exposure == .ingress {
            if requirements.exposure.host == nil {
                log.add("exposure.host", "is required for an Ingress", hint: "give the public host, e.g. shop.example.com")
            }
            if requirements.exposure.tlsSecret == nil {
                log.add("exposure.tlsSecret", "is required for an Ingress (plain HTTP is not generated)",
                        hint: "name the TLS Secret (e.g. one cert-manager issues)")
            }
            if !requirements.ports.contains(where: { $0.protocol == "TCP" }) {
                log.add("ports", "has no TCP port for the Ingress", hint: "declare an HTTP port")
            }
        } else {
            let ingressOnly: [(String, String?)] = [("host", requirements.exposure.host), ("tlsSecret", requirements.exposure.tlsSecret),
                                                   ("ingressClass", requirements.exposure.ingressClass)]
            for (key, given) in ingressOnly where given != nil {
                log.add("exposure.\(key)", "applies to exposure type ingress only", hint: "set `type: ingress` or remove it")
            }
        }
        if let scaling = requirements.scaling, let replicas = requirements.replicas,
           !(scaling.min...max(scaling.min, scaling.max)).contains(replicas) {
            log.add("replicas", "\(replicas) is outside scaling \(scaling.min)…\(scaling.max)",
                    hint: "remove replicas (the autoscaler decides) or move it into the range")
        }
        if let storage = requirements.storage, storage.isSingleWriter {
            if resolved.replicas > 1 || (requirements.scaling?.max ?? 1) > 1 {
                log.add("storage.accessMode", "\(storage.accessMode) volumes mount on one node, but the workload runs more than one pod",
                        hint: "use replicas: 1 without scaling, or accessMode ReadWriteMany")
            }
            if resolved.isBlueGreen {
                log.add("storage.accessMode", "\(storage.accessMode) volumes cannot be shared by the blue and green pods",
                        hint: "use accessMode ReadWriteMany, or rollout strategy rolling")
            }
        }
        if resolved.isBlueGreen && requirements.ports.isEmpty {
            log.add("rollout.strategy", "blue-green switches a Service between colors, but no port is declared",
                    hint: "declare ports, or use strategy rolling")
        }
        let mounts = [Hardening.scratchMountPath, "/etc/\(requirements.name)", requirements.storage?.mountPath]
            + requirements.secretMounts.map { $0.mountPath ?? "/var/run/secrets/\($0.name)" }
        var seen = Set<String>()
        for case let path? in mounts where !seen.insert(path).inserted {
            log.add("secrets", "two volumes mount at \(path)", hint: "give each mount its own path")
        }
    }
}
