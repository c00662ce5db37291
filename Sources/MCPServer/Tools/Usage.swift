import KubeClient

/// Resource use as metrics.k8s.io reports it, summed and printed as `kubectl top` does.
enum Usage {
    /// `{namespace, name, cpuMillicores, memoryBytes}` of an object whose `usages` add up.
    static func row(_ item: JSONValue, usages: [JSONValue]) -> JSONValue {
        var cpu = 0.0, memory = 0.0
        for usage in usages {
            cpu += (try? Quantity(parsing: usage["cpu"].stringValue ?? "0"))?.doubleValue ?? 0
            memory += (try? Quantity(parsing: usage["memory"].stringValue ?? "0"))?.doubleValue ?? 0
        }
        return ["namespace": item["metadata"]["namespace"], "name": item["metadata"]["name"],
                "cpuMillicores": .int(Int64((cpu * 1000).rounded())), "memoryBytes": .int(Int64(memory))]
    }

    static func text(_ rows: [JSONValue], namespaced: Bool) -> String {
        TextTable.render((namespaced ? ["NAMESPACE"] : []) + ["NAME", "CPU(cores)", "MEMORY(bytes)"], rows.map { r in
            (namespaced ? [r["namespace"].stringValue ?? ""] : [])
                + [r["name"].stringValue ?? "", "\(r["cpuMillicores"].intValue ?? 0)m", "\((r["memoryBytes"].intValue ?? 0) / (1 << 20))Mi"]
        })
    }
}
