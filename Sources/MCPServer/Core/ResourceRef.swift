import KubeClient

/// A resource type as the tools name it: where it is served and how it is called.
public struct ResourceRef: Sendable, Hashable {
    public var resource: GroupVersionResource
    public var kind: String
    public var singular: String
    public var namespaced: Bool

    public var group: String { resource.group }
    public var plural: String { resource.resource }
    public var apiVersion: String { group.isEmpty ? resource.version : "\(group)/\(resource.version)" }

    public init(_ resource: GroupVersionResource, kind: String, namespaced: Bool = true) {
        self.resource = resource
        self.kind = kind
        self.singular = kind.lowercased()
        self.namespaced = namespaced
    }

    init(_ info: APIResourceInfo) {
        resource = info.resource
        kind = info.kind
        singular = info.singularName.isEmpty ? info.kind.lowercased() : info.singularName
        namespaced = info.namespaced
    }

    public static let pods = ResourceRef(.pods, kind: "Pod")
    public static let deployments = ResourceRef(.deployments, kind: "Deployment")
    public static let events = ResourceRef(.events, kind: "Event")
    public static let secrets = ResourceRef(.secrets, kind: "Secret")
    public static let nodes = ResourceRef(.nodes, kind: "Node", namespaced: false)
    public static let namespaces = ResourceRef(.namespaces, kind: "Namespace", namespaced: false)
    public static let podMetrics = ResourceRef(
        GroupVersionResource(group: "metrics.k8s.io", version: "v1beta1", resource: "pods"), kind: "PodMetrics")
    public static let nodeMetrics = ResourceRef(
        GroupVersionResource(group: "metrics.k8s.io", version: "v1beta1", resource: "nodes"), kind: "NodeMetrics",
        namespaced: false)
}
