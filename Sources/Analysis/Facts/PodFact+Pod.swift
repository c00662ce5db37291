import KubeClient

extension PodFact {
    /// The fact of a pod object: phase, readiness, scheduling, and per container its state,
    /// restarts, last termination, limits and literal environment values (values from
    /// Secrets and ConfigMaps are references, never read here).
    public init(pod: JSONValue) {
        let statuses = pod["status"]["containerStatuses"].arrayValue ?? []
        let containers = (pod["spec"]["containers"].arrayValue ?? []).map { spec -> ContainerFact in
            let name = spec["name"].stringValue ?? ""
            let status = statuses.first { $0["name"].stringValue == name } ?? .null
            let state: ContainerState
            if let waiting = status["state"]["waiting"].objectValue {
                state = .waiting(reason: waiting["reason"]?.stringValue ?? "Waiting", message: waiting["message"]?.stringValue)
            } else if let terminated = status["state"]["terminated"].objectValue {
                state = .terminated(ContainerTermination(reason: terminated["reason"]?.stringValue ?? "Terminated",
                                                         exitCode: terminated["exitCode"]?.intValue ?? 0))
            } else {
                state = .running
            }
            let last = status["lastState"]["terminated"]
            let lastTermination = last.isNull ? nil : ContainerTermination(reason: last["reason"].stringValue ?? "Terminated",
                                                                            exitCode: last["exitCode"].intValue ?? 0)
            let cpu = spec["resources"]["limits"]["cpu"], memory = spec["resources"]["limits"]["memory"]
            let limits = ResourceLimits(cpuCores: Self.quantity(cpu), memoryBytes: Self.quantity(memory),
                                        cpu: cpu.stringValue ?? cpu.intValue.map(String.init),
                                        memory: memory.stringValue ?? memory.intValue.map(String.init))
            var env: [String: String] = [:]
            for e in spec["env"].arrayValue ?? [] {
                if let n = e["name"].stringValue, let v = e["value"].stringValue { env[n] = v }
            }
            return ContainerFact(name: name, image: spec["image"].stringValue ?? "", ready: status["ready"].boolValue ?? false,
                                 restartCount: status["restartCount"].intValue ?? 0, state: state,
                                 lastTermination: lastTermination, limits: limits, environment: env)
        }
        let scheduled = (pod["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "PodScheduled" }
        let unscheduled = scheduled?["status"] == "False"
        self.init(name: pod["metadata"]["name"].stringValue ?? "",
                  phase: PodPhase(rawValue: pod["status"]["phase"].stringValue ?? "") ?? .unknown,
                  ready: (pod["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" },
                  pendingReason: unscheduled ? scheduled?["reason"].stringValue : nil,
                  pendingMessage: unscheduled ? scheduled?["message"].stringValue : nil,
                  containers: containers)
    }

    private static func quantity(_ value: JSONValue) -> Double? {
        (value.stringValue ?? value.intValue.map(String.init)).flatMap { try? Quantity(parsing: $0) }?.doubleValue
    }
}
