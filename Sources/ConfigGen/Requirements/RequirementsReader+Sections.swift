import KubeClient

/// The nested sections of a requirements document.
extension RequirementsReader {
    static func readResources(_ root: FieldReader, _ log: IssueLog) -> ResourceRequirement? {
        guard let section = root.object("resources", allowed: ["size", "requests", "limits"]) else { return nil }
        if let size = section.choice("size", SizeClass.allCases.map(\.rawValue)) {
            if section.has("requests") || section.has("limits") {
                log.add(section.child("size"), "is given together with requests or limits",
                        hint: "give either a size class or explicit requests and limits")
            }
            return .size(SizeClass(rawValue: size)!)
        }
        func quantities(_ key: String) -> [String: String] {
            guard let reader = section.object(key, allowed: ["cpu", "memory"]) else { return [:] }
            var values: [String: String] = [:]
            for resource in ["cpu", "memory"] {
                guard let text = reader.string(resource) else { continue }
                if let problem = Validators.quantityProblem(text) {
                    log.add(reader.child(resource), "\"\(text)\" \(problem)",
                            hint: resource == "cpu" ? "write cores or millicores, e.g. 250m or 1" : "write bytes with a suffix, e.g. 256Mi or 1Gi")
                } else {
                    values[resource] = text
                }
            }
            return values
        }
        let requests = quantities("requests"), limits = quantities("limits")
        if !section.has("requests") && !section.has("limits") && !section.has("size") {
            log.add(section.path, "gives neither a size nor requests", hint: "write `size: small|medium|large` or `requests: {cpu: 250m, memory: 256Mi}`")
        }
        for resource in ["cpu", "memory"] {
            guard let request = requests[resource].flatMap({ try? Quantity(parsing: $0) }),
                  let limit = limits[resource].flatMap({ try? Quantity(parsing: $0) }), limit < request else { continue }
            log.add(section.child("limits.\(resource)"), "\(limits[resource]!) is below the request \(requests[resource]!)",
                    hint: "raise the limit to at least the request")
        }
        return .explicit(requests: requests, limits: limits)
    }

    static func readScaling(_ root: FieldReader, _ log: IssueLog) -> ScalingRequirement? {
        guard let section = root.object("scaling", allowed: ["min", "max", "cpuTarget"]) else { return nil }
        let min = section.int("min", in: 1...1000) ?? 1
        guard let max = section.int("max", in: 1...1000) else {
            if !section.has("max") { log.add(section.child("max"), "is required", hint: "give the most pods the autoscaler may run") }
            return nil
        }
        if max < min { log.add(section.child("max"), "\(max) is below min \(min)", hint: "make max at least min") }
        let target = section.int("cpuTarget", in: 10...100, hint: "a percentage of the CPU request, e.g. 70") ?? 70
        return ScalingRequirement(min: min, max: max, cpuTarget: target)
    }

    static func readExposure(_ root: FieldReader, _ log: IssueLog) -> Exposure {
        var exposure = Exposure()
        if let text = root.fields["exposure"]?.stringValue {
            // `exposure: cluster` is short for `exposure: {type: cluster}`.
            guard let kind = Exposure.Kind(rawValue: text) else {
                log.add("exposure", "is \"\(text)\", not one of none, cluster, ingress", hint: "pick one of them")
                return exposure
            }
            exposure.kind = kind
            return exposure
        }
        guard let section = root.object("exposure", allowed: ["type", "host", "path", "tlsSecret", "ingressClass"]) else { return exposure }
        exposure.kind = section.choice("type", Exposure.Kind.allCases.map(\.rawValue)).flatMap(Exposure.Kind.init(rawValue:))
        if let host = section.string("host") {
            if Validators.isHost(host) { exposure.host = host } else {
                log.add(section.child("host"), "\"\(host)\" is not a DNS name", hint: "write a lowercase host such as shop.example.com")
            }
        }
        if let path = section.string("path") {
            if Validators.isAbsolutePath(path) { exposure.path = path } else {
                log.add(section.child("path"), "\"\(path)\" is not an absolute path", hint: "start it with /")
            }
        }
        for (key, keyPath) in [("tlsSecret", \Exposure.tlsSecret), ("ingressClass", \Exposure.ingressClass)] {
            guard let value = section.string(key) else { continue }
            if Validators.isDNSSubdomain(value) { exposure[keyPath: keyPath] = value } else {
                log.add(section.child(key), "\"\(value)\" is not a valid name", hint: "use a DNS-1123 name")
            }
        }
        return exposure
    }

    static let accessModes = ["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany"]

    static func readStorage(_ root: FieldReader, _ log: IssueLog) -> StorageRequirement? {
        guard let section = root.object("storage", allowed: ["size", "accessMode", "mountPath", "storageClass"]) else { return nil }
        guard let size = section.string("size", required: true, hint: "give the volume size, e.g. 10Gi") else { return nil }
        if let problem = Validators.quantityProblem(size) {
            log.add(section.child("size"), "\"\(size)\" \(problem)", hint: "write bytes with a suffix, e.g. 10Gi")
        }
        var storage = StorageRequirement(size: size)
        if let mode = section.choice("accessMode", accessModes) { storage.accessMode = mode }
        if let mountPath = section.string("mountPath") {
            if Validators.isAbsolutePath(mountPath) && mountPath != "/" { storage.mountPath = mountPath } else {
                log.add(section.child("mountPath"), "\"\(mountPath)\" is not an absolute path below /", hint: "e.g. /data")
            }
        }
        if let storageClass = section.string("storageClass") {
            if Validators.isDNSSubdomain(storageClass) { storage.storageClass = storageClass } else {
                log.add(section.child("storageClass"), "\"\(storageClass)\" is not a StorageClass name", hint: "use a DNS-1123 name")
            }
        }
        return storage
    }

    static func readRollout(_ root: FieldReader, _ log: IssueLog) -> RolloutRequirement {
        var rollout = RolloutRequirement()
        guard let section = root.object("rollout", allowed: ["strategy", "autoPromote", "errorRateQuery", "maxErrorRate"]) else {
            return rollout
        }
        if let strategy = section.choice("strategy", RolloutRequirement.Strategy.allCases.map(\.rawValue)) {
            rollout.strategy = RolloutRequirement.Strategy(rawValue: strategy)!
        }
        rollout.autoPromote = section.bool("autoPromote") ?? true
        rollout.errorRateQuery = section.string("errorRateQuery")
        rollout.maxErrorRate = section.double("maxErrorRate", in: 0...1) ?? 0.05
        if rollout.strategy == .rolling {
            for key in ["autoPromote", "errorRateQuery", "maxErrorRate"] where section.has(key) {
                log.add(section.child(key), "applies to blue-green rollouts only", hint: "set `strategy: blue-green` or remove it")
            }
        }
        return rollout
    }

    static func readHealth(_ root: FieldReader, _ log: IssueLog) -> HealthRequirement {
        var health = HealthRequirement()
        guard let section = root.object("health", allowed: ["liveness", "readiness", "startup", "port", "command"]) else { return health }
        for (key, keyPath) in [("liveness", \HealthRequirement.liveness), ("readiness", \HealthRequirement.readiness),
                               ("startup", \HealthRequirement.startup)] {
            guard let path = section.string(key) else { continue }
            if Validators.isAbsolutePath(path) { health[keyPath: keyPath] = path } else {
                log.add(section.child(key), "\"\(path)\" is not an HTTP path", hint: "start it with /, e.g. /healthz")
            }
        }
        health.port = section.string("port")
        let command = section.list("command").compactMap { value, path -> String? in
            guard let word = value.stringValue else {
                log.add(path, "must be a string", hint: "write the command as a list of words")
                return nil
            }
            return word
        }
        if !command.isEmpty { health.command = command }
        return health
    }

    static func readEgress(_ root: FieldReader, _ log: IssueLog) -> [EgressRule] {
        root.list("egress").compactMap { value, path -> EgressRule? in
            guard let item = FieldReader(value, path: path, log: log, allowed: ["port", "protocol", "cidr"]) else { return nil }
            guard let port = item.int("port", in: 1...65535) else {
                if !item.has("port") { log.add(item.child("port"), "is required", hint: "give the destination port, e.g. 5432") }
                return nil
            }
            var rule = EgressRule(port: port, protocol: item.choice("protocol", protocols) ?? "TCP")
            if let cidr = item.string("cidr") {
                if Validators.isCIDR(cidr) { rule.cidr = cidr } else {
                    log.add(item.child("cidr"), "\"\(cidr)\" is not a CIDR", hint: "write a network such as 10.0.0.0/16")
                }
            }
            return rule
        }
    }
}
