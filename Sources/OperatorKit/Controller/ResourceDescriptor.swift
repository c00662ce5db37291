import KubeClient

/// A resource a controller works with: where it lives in the API (group, version, plural),
/// its kind (for owner references and events) and whether it is namespaced.
public struct ResourceDescriptor: Hashable, Sendable, CustomStringConvertible {
    public var resource: GroupVersionResource
    public var kind: String
    public var namespaced: Bool

    public init(resource: GroupVersionResource, kind: String, namespaced: Bool = true) {
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
    }

    /// The descriptor of a typed view.
    public init<Object: KubeObject>(_ type: Object.Type) {
        self.init(resource: Object.groupVersionResource, kind: Object.kind, namespaced: Object.namespaced)
    }

    public var apiVersion: String { resource.apiVersion }
    public var group: String { resource.group }

    /// Whether an owner reference points at an object of this kind (any version of the group).
    public func isReferenced(by reference: JSONValue) -> Bool {
        guard reference["kind"].stringValue == kind, let apiVersion = reference["apiVersion"].stringValue else {
            return false
        }
        return GroupVersion(apiVersion: apiVersion).group == group
    }

    public var description: String { resource.groupResource }
}
