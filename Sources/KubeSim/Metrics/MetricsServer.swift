import Foundation
import KubeClient

/// `metrics.k8s.io/v1beta1` as metrics-server serves it — PodMetrics and NodeMetrics — so
/// `kubectl top pod` and `kubectl top node` work. Usage comes from the simulated
/// containers' behaviours; pods without a running container have no metrics yet.
struct MetricsServer: Sendable {
    static let group = "metrics.k8s.io"
    static let version = "v1beta1"
    static let apiVersion = "metrics.k8s.io/v1beta1"
    static let window = "15s"
    /// What each node itself uses besides its pods.
    static let systemCPUCores = 0.1
    static let systemMemoryBytes = 512.0 * 1024 * 1024

    /// The resource types to list in discovery (served by this type, never stored).
    static let resourceTypes: [ResourceType] = [
        ResourceType(group: group, versions: [version], resource: "pods", singular: "", kind: "PodMetrics",
                     namespaced: true, verbs: ["get", "list"]),
        ResourceType(group: group, versions: [version], resource: "nodes", singular: "", kind: "NodeMetrics",
                     namespaced: false, verbs: ["get", "list"]),
    ]

    let client: ClusterClient
    let kubelet: Kubelet
    let pool: NodePool
    let clock: SimulationClock

    /// Answers a GET under `/apis/metrics.k8s.io/v1beta1/`.
    func respond(resource: String, namespace: String?, name: String?, query: QueryParameters) throws(APIError) -> JSONValue {
        let labelSelector: LabelSelector
        do {
            labelSelector = try query["labelSelector"].map { try LabelSelector(parsing: $0) } ?? .everything
        } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)")
        }
        let fieldName = try Self.nameFromFieldSelector(query["fieldSelector"])
        let now = clock.now
        switch resource {
        case "pods":
            let resourceName = GroupResource(group: Self.group, resource: "pods")
            if let name {
                guard let namespace,
                      let item = podMetrics(StoreKey(namespace: namespace, name: name), now: now) else {
                    throw APIError.notFound(resourceName, name: "\(namespace ?? "")/\(name)")
                }
                return item
            }
            let items = kubelet.pods
                .filter { namespace == nil || $0.key.namespace == namespace }
                .filter { fieldName == nil || $0.key.name == fieldName }
                .sorted { $0.key < $1.key }
                .compactMap { runtime -> JSONValue? in
                    guard let item = podMetrics(runtime.key, now: now) else { return nil }
                    return labelSelector.matches(SimFields.strings(item["metadata"]["labels"])) ? item : nil
                }
            return list("PodMetricsList", items)
        case "nodes":
            guard namespace == nil else { throw APIError.pathNotFound() }
            let resourceName = GroupResource(group: Self.group, resource: "nodes")
            let usage = nodeUsage(now: now)
            if let name {
                guard let item = nodeMetrics(name, usage: usage, now: now) else {
                    throw APIError.notFound(resourceName, name: name)
                }
                return item
            }
            let items = pool.nodeNames.filter { fieldName == nil || $0 == fieldName }.compactMap { node -> JSONValue? in
                guard let item = nodeMetrics(node, usage: usage, now: now) else { return nil }
                return labelSelector.matches(SimFields.strings(item["metadata"]["labels"])) ? item : nil
            }
            return list("NodeMetricsList", items)
        default:
            throw APIError.pathNotFound()
        }
    }

    private func list(_ kind: String, _ items: [JSONValue]) -> JSONValue {
        ["kind": .string(kind), "apiVersion": .string(Self.apiVersion), "metadata": .emptyObject, "items": .array(items)]
    }

    private func podMetrics(_ key: StoreKey, now: Date) -> JSONValue? {
        guard let runtime = kubelet.pod(key), let pod = client.object(WorkloadResource.pods, key),
              pod.sim.uid == runtime.uid else { return nil }
        let containers: [JSONValue] = runtime.containers.compactMap { container in
            guard let usage = ContainerUsage(container, at: now, clock: clock) else { return nil }
            return ["name": .string(container.name), "usage": Self.usage(cpu: usage.cpuCores, memory: usage.workingSetBytes)]
        }
        guard !containers.isEmpty else { return nil }
        var metadata: JSONValue = [
            "name": .string(key.name), "namespace": .string(key.namespace),
            "creationTimestamp": SimTime.string(now),
        ]
        if case .object(let labels) = pod["metadata"]["labels"], !labels.isEmpty { metadata["labels"] = .object(labels) }
        return [
            "kind": "PodMetrics", "apiVersion": .string(Self.apiVersion), "metadata": metadata,
            "timestamp": SimTime.string(now), "window": .string(Self.window), "containers": .array(containers),
        ]
    }

    private func nodeUsage(now: Date) -> [String: (cpu: Double, memory: Double)] {
        var usage: [String: (cpu: Double, memory: Double)] = [:]
        for runtime in kubelet.pods {
            for container in runtime.containers {
                guard let u = ContainerUsage(container, at: now, clock: clock) else { continue }
                let current = usage[runtime.node] ?? (0, 0)
                usage[runtime.node] = (current.cpu + u.cpuCores, current.memory + u.workingSetBytes)
            }
        }
        return usage
    }

    private func nodeMetrics(_ name: String, usage: [String: (cpu: Double, memory: Double)], now: Date) -> JSONValue? {
        guard pool.nodeNames.contains(name) else { return nil }
        let used = usage[name] ?? (0, 0)
        var metadata: JSONValue = ["name": .string(name), "creationTimestamp": SimTime.string(now)]
        let labels = pool.labels(of: name)
        if !labels.isEmpty { metadata["labels"] = SimFields.object(labels) }
        return [
            "kind": "NodeMetrics", "apiVersion": .string(Self.apiVersion), "metadata": metadata,
            "timestamp": SimTime.string(now), "window": .string(Self.window),
            "usage": Self.usage(cpu: used.cpu + Self.systemCPUCores, memory: used.memory + Self.systemMemoryBytes),
        ]
    }

    /// `{"cpu": "12345678n", "memory": "32768Ki"}`, in metrics-server's units.
    static func usage(cpu: Double, memory: Double) -> JSONValue {
        ["cpu": .string("\(Int64((cpu * 1e9).rounded()))n"), "memory": .string("\(Int64((memory / 1024).rounded()))Ki")]
    }

    /// metrics-server accepts only `metadata.name` (and namespace) in field selectors.
    static func nameFromFieldSelector(_ text: String?) throws(APIError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        let selector: FieldSelector
        do { selector = try FieldSelector(parsing: text) } catch { throw APIError.badRequest("\(error)") }
        var name: String?
        for requirement in selector.requirements {
            guard requirement.field == "metadata.name" || requirement.field == "metadata.namespace" else {
                throw APIError.badRequest("field label not supported: \(requirement.field)")
            }
            if requirement.field == "metadata.name" { name = requirement.value }
        }
        return name
    }
}
