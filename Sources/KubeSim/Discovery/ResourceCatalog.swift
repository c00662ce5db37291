import KubeClient
import NIOConcurrencyHelpers

/// The resource types the server serves right now: the built-ins plus those that
/// CustomResourceDefinitions add and remove at run time.
public final class ResourceCatalog: Sendable {
    /// One API group as discovery lists it.
    public struct Group: Sendable, Equatable {
        public var name: String
        /// Served versions, preferred first.
        public var versions: [String]
    }

    private struct State {
        var types: [GroupResource: ResourceType] = [:]
        /// The CustomResourceDefinition behind each custom type.
        var definitions: [GroupResource: JSONValue] = [:]
        var generation = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(builtins: [ResourceType] = BuiltinResources.all) {
        var s = State()
        for type in builtins { s.types[type.groupResource] = type }
        state = NIOLockedValueBox(s)
    }

    /// Bumped whenever a type is added or removed (discovery documents depend on it).
    public var generation: Int { state.withLockedValue { $0.generation } }

    public var allTypes: [ResourceType] {
        state.withLockedValue { Array($0.types.values) }.sorted { $0.groupResource < $1.groupResource }
    }

    public func type(_ resource: GroupResource) -> ResourceType? {
        state.withLockedValue { $0.types[resource] }
    }

    /// The type served at `/apis/{group}/{version}/{resource}`, nil when that version is not served.
    public func type(group: String, version: String, resource: String) -> ResourceType? {
        guard let type = type(GroupResource(group: group, resource: resource)),
              type.versions.contains(version) else { return nil }
        return type
    }

    /// The type of objects of `apiVersion`/`kind`, for ownerReferences and reviews.
    public func type(apiVersion: String, kind: String) -> ResourceType? {
        let (group, version) = Self.split(apiVersion: apiVersion)
        return state.withLockedValue { s in
            s.types.values.first { $0.group == group && $0.kind == kind && $0.versions.contains(version) }
        }
    }

    public func type(group: String, kind: String) -> ResourceType? {
        state.withLockedValue { s in s.types.values.first { $0.group == group && $0.kind == kind } }
    }

    /// The CustomResourceDefinition that defines a custom type.
    public func definition(_ resource: GroupResource) -> JSONValue? {
        state.withLockedValue { $0.definitions[resource] }
    }

    public func register(_ type: ResourceType, definition: JSONValue? = nil) {
        state.withLockedValue { s in
            s.types[type.groupResource] = type
            if let definition { s.definitions[type.groupResource] = definition }
            s.generation += 1
        }
    }

    public func unregister(_ resource: GroupResource) {
        state.withLockedValue { s in
            guard s.types[resource]?.isCustom == true else { return }
            s.types.removeValue(forKey: resource)
            s.definitions.removeValue(forKey: resource)
            s.generation += 1
        }
    }

    /// Groups in discovery order: the built-in order first, then custom groups by name.
    public var groups: [Group] {
        let types = allTypes
        var versionsByGroup: [String: [String]] = [:]
        for type in types {
            var versions = versionsByGroup[type.group] ?? []
            for version in type.versions where !versions.contains(version) { versions.append(version) }
            versionsByGroup[type.group] = versions
        }
        let known = BuiltinResources.groupOrder.filter { versionsByGroup[$0] != nil }
        let custom = versionsByGroup.keys.filter { !BuiltinResources.groupOrder.contains($0) }.sorted()
        return (known + custom).map { name in
            Group(name: name, versions: Self.sortVersions(versionsByGroup[name] ?? []))
        }
    }

    /// The types served in one group version, sorted by resource name.
    public func types(group: String, version: String) -> [ResourceType] {
        allTypes.filter { $0.group == group && $0.versions.contains(version) }.sorted { $0.resource < $1.resource }
    }

    public static func split(apiVersion: String) -> (group: String, version: String) {
        guard let slash = apiVersion.firstIndex(of: "/") else { return ("", apiVersion) }
        return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
    }

    /// Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1).
    public static func sortVersions(_ versions: [String]) -> [String] {
        versions.sorted { versionPriority($0) > versionPriority($1) }
    }

    static func versionPriority(_ version: String) -> (Int, Int, Int) {
        let chars = Array(version)
        guard chars.first == "v" else { return (-1, 0, 0) }
        var i = 1
        var major = 0
        while i < chars.count, let d = chars[i].wholeNumberValue { major = major * 10 + d; i += 1 }
        if i == chars.count { return (3, major, 0) }
        let rest = String(chars[i...])
        for (stage, rank) in [("beta", 2), ("alpha", 1)] where rest.hasPrefix(stage) {
            let minor = Int(rest.dropFirst(stage.count)) ?? 0
            return (rank, major, minor)
        }
        return (0, major, 0)
    }
}
