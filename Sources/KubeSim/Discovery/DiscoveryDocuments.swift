import Crypto
import Foundation
import KubeClient

/// The discovery documents: `/api`, `/apis`, `/apis/{group}`, the per-group-version
/// APIResourceLists and the aggregated `apidiscovery.k8s.io/v2` lists, all built from the
/// live catalog so CRDs appear and disappear at once.
public struct DiscoveryDocuments: Sendable {
    public let catalog: ResourceCatalog

    public init(catalog: ResourceCatalog) { self.catalog = catalog }

    public static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    public func apiVersions(serverAddress: String) -> JSONValue {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    public func apiGroupList() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1",
         "groups": .array(catalog.groups.filter { !$0.name.isEmpty }.map(Self.groupJSON))]
    }

    public func apiGroup(_ name: String) -> JSONValue? {
        guard !name.isEmpty, let group = catalog.groups.first(where: { $0.name == name }) else { return nil }
        var json = Self.groupJSON(group)
        json["kind"] = "APIGroup"
        json["apiVersion"] = "v1"
        return json
    }

    static func groupJSON(_ group: ResourceCatalog.Group) -> JSONValue {
        let versions: [JSONValue] = group.versions.map {
            ["groupVersion": .string("\(group.name)/\($0)"), "version": .string($0)]
        }
        return ["name": .string(group.name), "versions": .array(versions), "preferredVersion": versions.first ?? .null]
    }

    /// The APIResourceList of one group version, nil when it is not served.
    public func resourceList(group: String, version: String) -> JSONValue? {
        let types = catalog.types(group: group, version: version)
        guard !types.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for type in types {
            var entry: JSONValue = [
                "name": .string(type.resource), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(type.verbs.map { .string($0) }),
                "storageVersionHash": .string(Self.storageVersionHash(type)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(entry)
            for sub in type.subresources.sorted(by: { $0.name < $1.name }) {
                var subEntry: JSONValue = [
                    "name": .string("\(type.resource)/\(sub.name)"), "singularName": "",
                    "namespaced": .bool(type.namespaced), "kind": .string(sub.kind.isEmpty ? type.kind : sub.kind),
                    "verbs": .array(sub.verbs.map { .string($0) }),
                ]
                if let g = sub.group { subEntry["group"] = .string(g) }
                if let v = sub.version { subEntry["version"] = .string(v) }
                resources.append(subEntry)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }

    /// The aggregated discovery document for `/api` (core only) or `/apis` (every other group).
    public func aggregated(core: Bool) -> JSONValue {
        let groups = catalog.groups.filter { core ? $0.name.isEmpty : !$0.name.isEmpty }
        let items: [JSONValue] = groups.map { group in
            var metadata: JSONValue = ["creationTimestamp": nil]
            if !group.name.isEmpty { metadata["name"] = .string(group.name) }
            let versions: [JSONValue] = group.versions.map { version in
                let resources: [JSONValue] = catalog.types(group: group.name, version: version).map { type in
                    var entry: JSONValue = [
                        "resource": .string(type.resource),
                        "responseKind": ["group": "", "version": "", "kind": .string(type.kind)],
                        "scope": .string(type.namespaced ? "Namespaced" : "Cluster"),
                        "singularResource": .string(type.singular),
                        "verbs": .array(type.verbs.map { .string($0) }),
                    ]
                    if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
                    if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
                    if !type.subresources.isEmpty {
                        entry["subresources"] = .array(type.subresources.sorted { $0.name < $1.name }.map { sub in
                            ["subresource": .string(sub.name),
                             "responseKind": ["group": .string(sub.group ?? ""), "version": .string(sub.version ?? ""),
                                              "kind": .string(sub.kind.isEmpty ? type.kind : sub.kind)],
                             "verbs": .array(sub.verbs.map { .string($0) })]
                        })
                    }
                    return entry
                }
                return ["version": .string(version), "resources": .array(resources), "freshness": "Current"]
            }
            return ["metadata": metadata, "versions": .array(versions)]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .emptyObject,
                "items": .array(items)]
    }

    /// kube-apiserver's storageVersionHash: the first 8 bytes of sha256("group/version/kind"), base64,
    /// of the kind objects are stored as (events.k8s.io Events hash as core v1 Events).
    static func storageVersionHash(_ type: ResourceType) -> String {
        let text = "\(type.storedAs?.group ?? type.group)/\(type.storageVersion)/\(type.kind)"
        return Data(SHA256.hash(data: Data(text.utf8)).prefix(8)).base64EncodedString()
    }
}

