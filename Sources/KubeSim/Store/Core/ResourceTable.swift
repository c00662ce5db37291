/// The current objects of one resource type, grouped by namespace, with name order cached
/// so lists come out sorted without sorting on every write.
struct ResourceTable {
    private var namespaces: [String: Namespace] = [:]
    private var sortedNamespaces: [String]?
    private(set) var count = 0

    private struct Namespace {
        var objects: [String: StoredObject] = [:]
        var sortedNames: [String]?
    }

    func object(at key: StoreKey) -> StoredObject? {
        namespaces[key.namespace]?.objects[key.name]
    }

    /// Inserts or replaces; returns the previous object.
    @discardableResult
    mutating func put(_ object: StoredObject) -> StoredObject? {
        let key = object.key
        var ns = namespaces.removeValue(forKey: key.namespace) ?? Namespace()
        if ns.objects.isEmpty { sortedNamespaces = nil }
        let previous = ns.objects.updateValue(object, forKey: key.name)
        if previous == nil {
            ns.sortedNames = nil
            count += 1
        }
        namespaces[key.namespace] = ns
        return previous
    }

    @discardableResult
    mutating func remove(_ key: StoreKey) -> StoredObject? {
        guard var ns = namespaces.removeValue(forKey: key.namespace) else { return nil }
        let previous = ns.objects.removeValue(forKey: key.name)
        if previous != nil {
            ns.sortedNames = nil
            count -= 1
        }
        if ns.objects.isEmpty {
            sortedNamespaces = nil
        } else {
            namespaces[key.namespace] = ns
        }
        return previous
    }

    func count(inNamespace namespace: String) -> Int { namespaces[namespace]?.objects.count ?? 0 }

    /// Objects in key order, optionally within one namespace and after a given key.
    mutating func forEachSorted(namespace: String?, after start: StoreKey?,
                                _ body: (StoredObject) -> Bool) {
        let spaces: [String]
        if let namespace {
            spaces = [namespace]
        } else {
            if sortedNamespaces == nil { sortedNamespaces = namespaces.keys.sorted() }
            spaces = sortedNamespaces!
        }
        for space in spaces {
            if let start, space < start.namespace { continue }
            guard var ns = namespaces[space] else { continue }
            if ns.sortedNames == nil {
                ns.sortedNames = ns.objects.keys.sorted()
                namespaces[space] = ns
            }
            let names = ns.sortedNames!
            var index = 0
            if let start, start.namespace == space {
                // First name strictly after the start key.
                var low = 0, high = names.count
                while low < high {
                    let mid = (low + high) / 2
                    if names[mid] <= start.name { low = mid + 1 } else { high = mid }
                }
                index = low
            }
            while index < names.count {
                if let object = ns.objects[names[index]], !body(object) { return }
                index += 1
            }
        }
    }

    /// Every object, in no particular order.
    func allObjects(namespace: String?) -> [StoredObject] {
        if let namespace { return Array(namespaces[namespace]?.objects.values ?? [:].values) }
        var out: [StoredObject] = []
        out.reserveCapacity(count)
        for ns in namespaces.values { out.append(contentsOf: ns.objects.values) }
        return out
    }
}
