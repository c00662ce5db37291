import Foundation

/// Which namespaces an informer (or the whole manager) watches.
public enum NamespaceScope: Hashable, Sendable, CustomStringConvertible {
    /// Every namespace, with one cluster-wide watch per resource.
    case all
    /// Only these namespaces, with one watch per namespace and resource.
    case namespaces(Set<String>)

    /// Parses a comma-separated list; empty (or `*`) means all namespaces.
    public init(parsing text: String) {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self = names.isEmpty || names == ["*"] ? .all : .namespaces(Set(names))
    }

    /// Whether an object in `namespace` is in scope (cluster-scoped objects always are).
    public func contains(_ namespace: String?) -> Bool {
        switch self {
        case .all: return true
        case .namespaces(let names): return namespace.map(names.contains) ?? true
        }
    }

    /// The namespace argument of each list/watch: `[nil]` for all namespaces.
    var watchNamespaces: [String?] {
        switch self {
        case .all: return [nil]
        case .namespaces(let names): return names.sorted()
        }
    }

    public var description: String {
        switch self {
        case .all: return "all namespaces"
        case .namespaces(let names): return names.sorted().joined(separator: ",")
        }
    }
}
