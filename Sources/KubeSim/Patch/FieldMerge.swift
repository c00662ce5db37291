import KubeClient

/// Merging an applied configuration into a live object and removing owned paths, with
/// structured-merge-diff semantics.
enum FieldMerge {
    typealias Node = StrategicSchema.Node

    /// `live` with `config` merged in: config scalars and atomic lists win, objects merge
    /// member by member, granular lists merge element by element. Explicit `null` in the
    /// config removes the member.
    static func merge(_ live: JSONValue?, _ config: JSONValue?, node: Node) -> JSONValue? {
        guard let config else { return live }
        if config.isNull { return nil }
        guard let live, !live.isNull else { return stripNulls(config) }
        switch (live, config) {
        case (.object(let a), .object(let b)) where !node.isAtomic:
            var out = a
            for (name, value) in b {
                out[name] = merge(a[name], value, node: node.child(name))
            }
            return .object(out)
        case (.array(let a), .array(let b)) where FieldWalk.isGranularList(config, node: node):
            let rule = node.listRule
            guard let left = FieldWalk.indexedElements(a, rule: rule),
                  let right = FieldWalk.indexedElements(b, rule: rule) else { return stripNulls(config) }
            return .array(mergeElements(left, right, node: node.element))
        default:
            return stripNulls(config)
        }
    }

    static func stripNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.filter { !$0.value.isNull }.mapValues(stripNulls))
        case .array(let elements):
            return .array(elements.map(stripNulls))
        default:
            return value
        }
    }

    /// Element order: live-only elements keep their place, shared and new elements follow
    /// the config's order.
    static func mergeElements(_ live: [(PathElement, JSONValue)], _ config: [(PathElement, JSONValue)], node: Node) -> [JSONValue] {
        let liveByID = Dictionary(live, uniquingKeysWith: { first, _ in first })
        let configByID = Dictionary(config, uniquingKeysWith: { first, _ in first })
        var shared = config.map(\.0).filter { liveByID[$0] != nil }[...]
        var emitted: Set<PathElement> = []
        var out: [JSONValue] = []
        var l = 0, r = 0
        while l < live.count || r < config.count {
            if l < live.count && r < config.count && live[l].0 == config[r].0 {
                let id = live[l].0
                if let merged = merge(live[l].1, config[r].1, node: node) { out.append(merged) }
                emitted.insert(id)
                l += 1; r += 1
                if shared.first == id { shared = shared.dropFirst() }
                continue
            }
            if l < live.count {
                let id = live[l].0
                if emitted.contains(id) { l += 1; continue }
                if configByID[id] == nil {
                    out.append(live[l].1); l += 1; continue
                }
                if let next = shared.first, next != id { l += 1; continue }
            }
            if r < config.count {
                let id = config[r].0
                if !emitted.contains(id), let merged = merge(liveByID[id], config[r].1, node: node) {
                    out.append(merged)
                }
                emitted.insert(id)
                r += 1
                if shared.first == id { shared = shared.dropFirst() }
            } else if l < live.count {
                l += 1
            }
        }
        return out
    }

    /// `value` without the members of `set` (each removed with everything below it).
    static func removing(_ set: FieldSet, from value: JSONValue, node: Node) -> JSONValue {
        if set.isEmpty { return value }
        switch value {
        case .object(var members) where !node.isAtomic:
            for element in set.members {
                if case .field(let name) = element { members.removeValue(forKey: name) }
            }
            for (element, child) in set.children {
                guard case .field(let name) = element, let current = members[name] else { continue }
                members[name] = removing(child, from: current, node: node.child(name))
            }
            return .object(members)
        case .array(let elements) where FieldWalk.isGranularList(value, node: node):
            let rule = node.listRule
            var out: [JSONValue] = []
            for (index, item) in elements.enumerated() {
                guard let id = FieldWalk.identity(of: item, at: index, rule: rule) else { out.append(item); continue }
                if set.members.contains(id) { continue }
                if let child = set.children[id] {
                    out.append(removing(child, from: item, node: node.element))
                } else {
                    out.append(item)
                }
            }
            return .array(out)
        default:
            return value
        }
    }
}
