import KubeClient
import OperatorKit

/// The pods of the manager's shared informer, looked up by namespace and label, so that a
/// rule's evaluation reads its target's pods without an API call (the informer is shared:
/// with SecurityAudit installed, the operator caches pods anyway).
///
/// An index keyed `namespace|label=value` narrows a lookup to the pods carrying one of the
/// selector's equality labels; the whole selector then filters those. A selector without an
/// equality requirement reads the namespace's pods.
public struct CachedPods: Sendable {
    static let resource = ResourceDescriptor(resource: .pods, kind: "Pod")
    static let labels = Indexer(name: "alertrule:pod-labels") { pod in
        let namespace = pod["metadata"]["namespace"].stringValue ?? ""
        return (pod["metadata"]["labels"].objectValue ?? [:]).compactMap { key, value in
            value.stringValue.map { "\(namespace)|\(key)=\($0)" }
        }
    }

    let cache: InformerCache

    /// Opens the pods informer (the manager syncs it before controllers start) with the label index.
    public init(cache: InformerCache) {
        self.cache = cache
        cache.informer(for: Self.resource).addIndexer(Self.labels)
    }

    /// The pods of `namespace` that `selector` matches, without those being deleted.
    public func pods(namespace: String, selector: LabelSelector) -> [JSONValue] {
        let narrowest = selector.requirements.first { $0.`operator` == .equals && $0.values.count == 1 }
        let candidates = narrowest.map { requirement in
            cache.informer(for: Self.resource).cache.list(index: Self.labels.name, value: "\(namespace)|\(requirement.key)=\(requirement.values[0])")
        } ?? cache.list(Self.resource, namespace: namespace)
        return candidates.filter { selector.matches(object: $0) && $0["metadata"]["deletionTimestamp"].isNull }
    }
}
