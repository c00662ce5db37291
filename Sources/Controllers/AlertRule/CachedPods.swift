import KubeClient
import OperatorKit

/// The pods of the manager's shared informer, looked up by namespace and label, so that a
/// rule's evaluation reads its target's pods without an API call (the informer is shared
/// with audits and workflows). The informer is opened on demand, by the first rule with a
/// target: an operator whose rules all query Prometheus or a cloud never caches pods.
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

    /// How long a read waits for the pods informer's first list.
    static let syncTimeout = Duration.seconds(60)

    public init(cache: InformerCache) {
        self.cache = cache
    }

    /// The pods of `namespace` that `selector` matches, without those being deleted. The
    /// first read opens the pods informer, with its label index, and waits for its sync.
    ///
    /// - Throws: ``CacheNotSynced`` when the pods were not listed in time.
    public func pods(namespace: String, selector: LabelSelector) async throws(CacheNotSynced) -> [JSONValue] {
        let informer = cache.informer(for: Self.resource)
        if !informer.cache.hasIndexer(named: Self.labels.name) { informer.addIndexer(Self.labels) }
        try await cache.synced([Self.resource], timeout: Self.syncTimeout)
        let narrowest = selector.requirements.first { $0.`operator` == .equals && $0.values.count == 1 }
        let candidates = narrowest.map { requirement in
            informer.cache.list(index: Self.labels.name, value: "\(namespace)|\(requirement.key)=\(requirement.values[0])")
        } ?? cache.list(Self.resource, namespace: namespace)
        return candidates.filter { selector.matches(object: $0) && $0["metadata"]["deletionTimestamp"].isNull }
    }
}
