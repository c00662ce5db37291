/// One resource an API server serves, from discovery.
public struct APIResourceInfo: Sendable, Hashable {
    public var group: String
    public var version: String
    /// The plural resource name used in paths ("deployments").
    public var name: String
    public var singularName: String
    public var kind: String
    public var namespaced: Bool
    public var verbs: [String]
    public var shortNames: [String]
    public var categories: [String]

    public var resource: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: name) }
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
}

/// Discovery results, fetched once per group-version and refreshed when a lookup misses.
actor DiscoveryCache {
    var byGroupVersion: [String: [APIResourceInfo]] = [:]
    /// Preferred group-versions in server order ("v1", "apps/v1", …), once fetched.
    var preferred: [String]?

    func resources(_ groupVersion: String) -> [APIResourceInfo]? { byGroupVersion[groupVersion] }
    func store(_ groupVersion: String, _ resources: [APIResourceInfo]) { byGroupVersion[groupVersion] = resources }
    func storePreferred(_ list: [String]) { preferred = list }
    func clear() { byGroupVersion = [:]; preferred = nil }
}

extension KubernetesClient {
    /// `/version` of the server.
    public func serverVersion() async throws -> JSONValue {
        try await requestJSON("GET", "/version")
    }

    /// The top-level resources of one group-version ("v1", "apps/v1"), cached.
    public func resources(groupVersion: String) async throws -> [APIResourceInfo] {
        if let cached = await discoveryCache.resources(groupVersion) { return cached }
        let path = groupVersion.contains("/") ? "/apis/\(groupVersion)" : "/api/\(groupVersion)"
        let list = try await requestJSON("GET", path)
        let parts = groupVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let group = parts.count == 2 ? parts[0] : ""
        let version = parts.count == 2 ? parts[1] : parts[0]
        let resources = (list["resources"].arrayValue ?? []).compactMap { r -> APIResourceInfo? in
            guard let name = r["name"].stringValue, !name.contains("/"), let kind = r["kind"].stringValue else { return nil }
            return APIResourceInfo(
                group: group, version: version, name: name,
                singularName: r["singularName"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? kind.lowercased(),
                kind: kind, namespaced: r["namespaced"].boolValue ?? false,
                verbs: (r["verbs"].arrayValue ?? []).compactMap(\.stringValue),
                shortNames: (r["shortNames"].arrayValue ?? []).compactMap(\.stringValue),
                categories: (r["categories"].arrayValue ?? []).compactMap(\.stringValue))
        }
        await discoveryCache.store(groupVersion, resources)
        return resources
    }

    /// The preferred version of every group, core first.
    public func preferredGroupVersions() async throws -> [String] {
        if let cached = await discoveryCache.preferred { return cached }
        let core = try await requestJSON("GET", "/api")
        var list = (core["versions"].arrayValue ?? []).compactMap(\.stringValue)
        let groups = try await requestJSON("GET", "/apis")
        for g in groups["groups"].arrayValue ?? [] {
            if let gv = g["preferredVersion"]["groupVersion"].stringValue ?? g["versions"][0]["groupVersion"].stringValue {
                list.append(gv)
            }
        }
        await discoveryCache.storePreferred(list)
        return list
    }

    /// The resource that serves a kind, e.g. `apps/v1 Deployment` → `deployments`.
    /// A miss refreshes discovery once (a CRD may have just been registered).
    public func resource(for gvk: GroupVersionKind) async throws -> APIResourceInfo {
        let gv = gvk.group.isEmpty ? gvk.version : "\(gvk.group)/\(gvk.version)"
        for attempt in 0..<2 {
            if attempt == 1 { await discoveryCache.clear() }
            let found = try? await resources(groupVersion: gv).first { $0.kind == gvk.kind }
            if let found { return found }
        }
        throw KubeError.configuration("the server has no resource for kind \(gvk.kind) in \(gv); is its CRD installed?")
    }

    /// Resolves what a user types after `kubectl get`: a plural, singular, short name or kind,
    /// optionally qualified by group (`deployments.apps`, `bgd`, `po`).
    public func resolve(_ text: String) async throws -> APIResourceInfo {
        let lowered = text.lowercased()
        let (name, group): (String, String?) = {
            guard let dot = lowered.firstIndex(of: ".") else { return (lowered, nil) }
            return (String(lowered[..<dot]), String(lowered[lowered.index(after: dot)...]))
        }()
        for attempt in 0..<2 {
            if attempt == 1 { await discoveryCache.clear() }
            for gv in try await preferredGroupVersions() {
                let resources = try await resources(groupVersion: gv)
                let match = resources.first { r in
                    (group == nil || r.group == group || r.apiVersion == group)
                        && (r.name == name || r.singularName == name || r.shortNames.contains(name) || r.kind.lowercased() == name)
                }
                if let match { return match }
            }
        }
        throw KubeError.configuration("the server doesn't have a resource type \"\(text)\"")
    }

    /// Forgets cached discovery (after installing a CRD, say).
    public func invalidateDiscovery() async { await discoveryCache.clear() }
}
