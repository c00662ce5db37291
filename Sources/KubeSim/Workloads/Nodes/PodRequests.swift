import KubeClient

/// The CPU and memory a pod asks for (the sum over its app containers, or the largest init
/// container if that is more), as the scheduler counts them.
struct PodRequests: Sendable, Equatable {
    var milliCPU: Int64 = 0
    var memory: Int64 = 0

    init(milliCPU: Int64 = 0, memory: Int64 = 0) {
        self.milliCPU = milliCPU
        self.memory = memory
    }

    init(pod: JSONValue) {
        var sum = PodRequests()
        for container in pod["spec"]["containers"].arrayValue ?? [] {
            let r = Self.container(container)
            sum.milliCPU += r.milliCPU
            sum.memory += r.memory
        }
        for container in pod["spec"]["initContainers"].arrayValue ?? [] {
            let r = Self.container(container)
            sum.milliCPU = max(sum.milliCPU, r.milliCPU)
            sum.memory = max(sum.memory, r.memory)
        }
        self = sum
    }

    /// A container's requests; limits stand in for absent requests, as API defaulting does.
    static func container(_ container: JSONValue) -> PodRequests {
        let resources = container["resources"]
        func value(_ name: String) -> Quantity? {
            let text = resources["requests"][name].stringValue ?? resources["limits"][name].stringValue
            return text.flatMap { try? Quantity(parsing: $0) }
        }
        return PodRequests(milliCPU: value("cpu")?.milliValue ?? 0, memory: value("memory")?.int64Value ?? 0)
    }
}
