/// Objects of one namespace-scoped kind indexed by label: `(namespace, key=value)` → names,
/// so "pods matching this selector" walks the smallest matching posting list instead of
/// every pod.
struct LabelIndex: Sendable {
    private struct Term: Hashable, Sendable {
        var namespace: String
        var key: String
        var value: String
    }

    private var postings: [Term: Set<String>] = [:]
    private var labels: [StoreKey: [String: String]] = [:]

    /// Records an object's current labels; returns its previous ones.
    @discardableResult
    mutating func set(_ key: StoreKey, labels new: [String: String]) -> [String: String]? {
        let old = labels[key]
        if old == new { return old }
        if let old { unindex(key, old) }
        labels[key] = new
        for (k, v) in new { postings[Term(namespace: key.namespace, key: k, value: v), default: []].insert(key.name) }
        return old
    }

    @discardableResult
    mutating func remove(_ key: StoreKey) -> [String: String]? {
        guard let old = labels.removeValue(forKey: key) else { return nil }
        unindex(key, old)
        return old
    }

    mutating func removeAll() {
        postings.removeAll()
        labels.removeAll()
    }

    func labels(of key: StoreKey) -> [String: String]? { labels[key] }

    /// The objects in `namespace` whose labels include every pair of `selector` (non-empty).
    func matching(namespace: String, selector: [String: String]) -> [StoreKey] {
        guard !selector.isEmpty else { return [] }
        var smallest: Set<String>?
        for (k, v) in selector {
            let names = postings[Term(namespace: namespace, key: k, value: v)] ?? []
            if smallest == nil || names.count < smallest!.count { smallest = names }
            if names.isEmpty { return [] }
        }
        return (smallest ?? []).compactMap { name in
            let key = StoreKey(namespace: namespace, name: name)
            guard let labels = labels[key], selector.allSatisfy({ labels[$0.key] == $0.value }) else { return nil }
            return key
        }
    }

    private mutating func unindex(_ key: StoreKey, _ old: [String: String]) {
        for (k, v) in old {
            let term = Term(namespace: key.namespace, key: k, value: v)
            postings[term]?.remove(key.name)
            if postings[term]?.isEmpty == true { postings.removeValue(forKey: term) }
        }
    }
}

/// Services by one label pair of their selectors, so a pod's change finds the services
/// that select it (before or after the change) without looking at every service.
///
/// Each service is filed under a single "anchor" pair of its selector, the one fewest other
/// selectors use when it is filed: a service can select a pod only if the pod carries every
/// pair, the anchor included. Filing under every pair would make a pair that thousands of
/// selectors share (`tier=web`, a rollout's color) cost a walk over all of them per pod event.
struct SelectorIndex: Sendable {
    private struct Term: Hashable, Sendable {
        var namespace: String
        var key: String
        var value: String
    }

    private var selectors: [StoreKey: [String: String]] = [:]
    private var anchors: [StoreKey: Term] = [:]
    /// anchor pair → names of the services filed under it.
    private var byAnchor: [Term: Set<String>] = [:]
    /// pair → how many selectors include it (to pick the rarest pair as a new anchor).
    private var usage: [Term: Int] = [:]

    mutating func set(_ key: StoreKey, selector: [String: String]) {
        if selectors[key] == selector { return }
        remove(key)
        guard !selector.isEmpty else { return }
        selectors[key] = selector
        var anchor: (term: Term, uses: Int)?
        for (k, v) in selector.sorted(by: { $0.key < $1.key }) {
            let term = Term(namespace: key.namespace, key: k, value: v)
            let uses = usage[term, default: 0]
            usage[term] = uses + 1
            if anchor == nil || uses < anchor!.uses { anchor = (term, uses) }
        }
        guard let anchor else { return }
        anchors[key] = anchor.term
        byAnchor[anchor.term, default: []].insert(key.name)
    }

    mutating func remove(_ key: StoreKey) {
        guard let old = selectors.removeValue(forKey: key) else { return }
        for (k, v) in old {
            let term = Term(namespace: key.namespace, key: k, value: v)
            if let uses = usage[term], uses > 1 { usage[term] = uses - 1 } else { usage.removeValue(forKey: term) }
        }
        if let anchor = anchors.removeValue(forKey: key) {
            byAnchor[anchor]?.remove(key.name)
            if byAnchor[anchor]?.isEmpty == true { byAnchor.removeValue(forKey: anchor) }
        }
    }

    mutating func removeAll() {
        selectors.removeAll()
        anchors.removeAll()
        byAnchor.removeAll()
        usage.removeAll()
    }

    /// Services in `namespace` whose selector matches `labels`.
    func selecting(namespace: String, labels: [String: String]) -> Set<StoreKey> {
        var out = Set<StoreKey>()
        for (k, v) in labels {
            guard let names = byAnchor[Term(namespace: namespace, key: k, value: v)] else { continue }
            for name in names {
                let key = StoreKey(namespace: namespace, name: name)
                if let selector = selectors[key], selector.allSatisfy({ labels[$0.key] == $0.value }) { out.insert(key) }
            }
        }
        return out
    }
}
