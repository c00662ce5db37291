/// An API group and version: `apps/v1`, or `v1` for the core group.
public struct GroupVersion: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Splits an `apiVersion` (`apps/v1` → group `apps`, version `v1`; `v1` → core group).
    public init(apiVersion: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
    }

    /// The `apiVersion` string.
    public var apiVersion: String { group.isEmpty ? version : group + "/" + version }
    public var description: String { apiVersion }

    /// `/api/v1` or `/apis/<group>/<version>`.
    public var pathPrefix: String { group.isEmpty ? "/api/" + version : "/apis/" + group + "/" + version }
}

/// A kind in a group version: what an object says it is (`apiVersion` + `kind`).
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    public init(apiVersion: String, kind: String) {
        let gv = GroupVersion(apiVersion: apiVersion)
        self.init(group: gv.group, version: gv.version, kind: kind)
    }

    /// Reads `apiVersion` and `kind` of an object; nil when either is missing.
    public init?(of object: JSONValue) {
        guard let apiVersion = object["apiVersion"].stringValue, let kind = object["kind"].stringValue else { return nil }
        self.init(apiVersion: apiVersion, kind: kind)
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var apiVersion: String { groupVersion.apiVersion }
    /// `Deployment.apps`, as error messages qualify kinds.
    public var groupKind: String { group.isEmpty ? kind : kind + "." + group }
    public var description: String { apiVersion + ", Kind=" + kind }
}

/// A resource in a group version: what a URL addresses (`apps/v1` `deployments`).
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    /// The plural, lower-case resource name: `deployments`.
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    public init(apiVersion: String, resource: String) {
        let gv = GroupVersion(apiVersion: apiVersion)
        self.init(group: gv.group, version: gv.version, resource: resource)
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var apiVersion: String { groupVersion.apiVersion }
    /// `deployments.apps`, as error messages qualify resources.
    public var groupResource: String { group.isEmpty ? resource : resource + "." + group }
    public var description: String { groupResource + "/" + version }

    /// The request path: `/api/v1/namespaces/default/pods/web-1/log`,
    /// `/apis/apps/v1/deployments` (all namespaces), `/api/v1/nodes/n1`. Segments are
    /// percent-encoded.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersion.pathPrefix
        if let namespace, !namespace.isEmpty {
            path += "/namespaces/" + GroupVersionResource.escape(namespace)
        }
        path += "/" + resource
        if let name, !name.isEmpty {
            path += "/" + GroupVersionResource.escape(name)
            if let subresource, !subresource.isEmpty { path += "/" + subresource }
        }
        return path
    }

    /// Percent-encodes a path segment (everything but unreserved characters).
    static func escape(_ segment: String) -> String {
        var out = ""
        out.reserveCapacity(segment.utf8.count)
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
