import KubeClient
import OperatorKit

/// Pod CPU (cores) and memory (bytes) from `metrics.k8s.io` PodMetrics, as metrics-server
/// serves them, summed over containers.
public struct PodMetricsReader: Sendable {
    let api: any KubernetesAPI
    static let resource = GroupVersionResource(group: "metrics.k8s.io", version: "v1beta1", resource: "pods")

    public init(api: any KubernetesAPI) { self.api = api }

    public func read(namespace: String, pods: [String]) async -> [String: PodUsage] {
        guard let list = try? await api.list(Self.resource, namespace: namespace, options: ListOptions()) else { return [:] }
        let wanted = Set(pods)
        var out: [String: PodUsage] = [:]
        for item in list.items {
            guard let name = item["metadata"]["name"].stringValue, wanted.contains(name) else { continue }
            var usage = PodUsage()
            for c in item["containers"].arrayValue ?? [] {
                usage.cpu += c["usage"]["cpu"].stringValue.flatMap { try? Quantity(parsing: $0) }?.doubleValue ?? 0
                usage.memory += c["usage"]["memory"].stringValue.flatMap { try? Quantity(parsing: $0) }?.doubleValue ?? 0
            }
            out[name] = usage
        }
        return out
    }
}

/// One pod's resource usage.
public struct PodUsage: Sendable, Hashable {
    public var cpu = 0.0
    public var memory = 0.0
}
