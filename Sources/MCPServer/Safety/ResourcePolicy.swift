import Foundation

/// What `--denied-resources` keeps away from agents. Each entry is
/// `TARGET[:SCOPE]`, where TARGET is
/// - a kind or resource name, optionally with its group: `Secret`, `secrets`, `ClusterRole.rbac.authorization.k8s.io`;
/// - a whole API group: `rbac.authorization.k8s.io/*` (`/*` alone names the core group);
/// - a namespace: `ns/opsagent-system` (objects in it, and the Namespace itself);
///
/// and SCOPE is `all` (the default: no read, no write), `write` (reads allowed) or `data`
/// (reads allowed with every value under `data`/`stringData` hidden; writes refused).
public struct ResourcePolicy: Sendable, Hashable {
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        public enum Target: Sendable, Hashable {
            case kind(String, group: String?)
            case group(String)
            case namespace(String)
        }

        public enum Scope: String, Sendable, Hashable {
            case all, write, data
        }

        public var target: Target
        public var scope: Scope
        public let description: String

        /// - Throws: ``ToolError/invalidArgument(name:problem:)`` for `--denied-resources`.
        public init(parsing text: String) throws(ToolError) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            var body = Substring(trimmed)
            scope = .all
            if let colon = trimmed.lastIndex(of: ":") {
                guard let parsed = Scope(rawValue: String(trimmed[trimmed.index(after: colon)...]).lowercased()) else {
                    throw .invalidArgument(name: "--denied-resources",
                                           problem: "'\(trimmed)': the scope after ':' must be all, write or data")
                }
                scope = parsed
                body = trimmed[..<colon]
            }
            guard !body.isEmpty else {
                throw .invalidArgument(name: "--denied-resources", problem: "'\(trimmed)' names no kind, group or namespace")
            }
            if body.hasPrefix("ns/") {
                target = .namespace(String(body.dropFirst(3)))
            } else if body.hasSuffix("/*") {
                target = .group(String(body.dropLast(2)).lowercased())
            } else if let dot = body.firstIndex(of: ".") {
                target = .kind(body[..<dot].lowercased(), group: body[body.index(after: dot)...].lowercased())
            } else {
                target = .kind(body.lowercased(), group: nil)
            }
            description = trimmed
        }

        /// Whether the rule is about this resource (namespace rules match by namespace).
        func covers(_ resource: ResourceRef, namespace: String?, name: String?) -> Bool {
            switch target {
            case .kind(let kind, let group):
                return (group == nil || group == resource.group)
                    && [resource.kind.lowercased(), resource.plural, resource.singular].contains(kind)
            case .group(let group):
                return resource.group == group
            case .namespace(let denied):
                return namespace == denied || (resource.kind == "Namespace" && name == denied)
            }
        }
    }

    /// Secrets' data, RBAC writes and the operator's own namespace.
    public static let defaultEntries = ["Secret:data", "rbac.authorization.k8s.io/*:write", "ns/opsagent-system"]

    public let rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    public init(entries: [String]) throws(ToolError) {
        var rules: [Rule] = []
        for entry in entries where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            rules.append(try Rule(parsing: entry))
        }
        self.rules = rules
    }

    public static let standard = try! ResourcePolicy(entries: defaultEntries)

    /// Refuses a read (`write == false`) or a write of `resource`, naming the rule.
    func check(_ resource: ResourceRef, namespace: String?, name: String? = nil, write: Bool) throws(ToolError) {
        for rule in rules where rule.covers(resource, namespace: namespace, name: name) {
            if rule.scope == .all || write {
                let what = "\(write ? "changing" : "reading") \(resource.plural)\(namespace.map { " in namespace \($0)" } ?? "")"
                throw .denied(what: what, entry: rule.description)
            }
        }
    }

    /// Whether an object in `namespace` may appear in a cluster-wide list.
    func allowsListing(_ resource: ResourceRef, namespace: String?, name: String?) -> Bool {
        !rules.contains { $0.scope == .all && $0.covers(resource, namespace: namespace, name: name) }
    }

    /// Whether the values under `data`/`stringData` of this kind are hidden.
    func hidesData(_ resource: ResourceRef) -> Bool {
        rules.contains { $0.scope == .data && $0.covers(resource, namespace: nil, name: nil) }
    }
}
