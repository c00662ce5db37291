import KubeClient

/// Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.
///
/// Follows k8s.io/apimachinery/pkg/util/strategicpatch: objects merge member by member and
/// `null` deletes; lists tagged `patchStrategy: merge` merge by their `patchMergeKey` (or as
/// a set of scalars); other lists are replaced. Directives: `$patch: replace|delete|merge`
/// on objects and list elements, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
/// `$setElementOrder/<field>`.
public enum StrategicMergePatch {
    static let directive = "$patch"
    static let retainKeys = "$retainKeys"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
    static let setElementOrderPrefix = "$setElementOrder/"

    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: StrategicSchema) throws(PatchError) -> JSONValue {
        guard case .object(let patchMembers) = patch else {
            throw .bad("a strategic merge patch must be a JSON object, got \(patch.jsonTypeName)")
        }
        let base: [String: JSONValue]
        switch original {
        case .object(let members): base = members
        case .null: base = [:]
        default: throw .bad("the object to patch must be a JSON object, got \(original.jsonTypeName)")
        }
        return .object(try mergeMap(base, patchMembers, node: schema.root, path: ""))
    }

    // MARK: - Objects

    static func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], node: StrategicSchema.Node, path: String) throws(PatchError) -> [String: JSONValue] {
        var patch = patch
        if let marker = patch[directive] {
            switch marker.stringValue {
            case "replace":
                patch.removeValue(forKey: directive)
                return try mergeMap([:], patch, node: node, path: path)
            case "delete":
                return [:]
            case "merge":
                patch.removeValue(forKey: directive)
            default:
                throw .bad("unknown patch type \(marker.serialized()) in \(describe(path)); use \"replace\", \"delete\" or \"merge\"")
            }
        }

        var result = original
        try applyRetainKeys(&result, patch: &patch, path: path)

        // `$setElementOrder/<field>` lists are merged together with their list field.
        for key in patch.keys.sorted() where key.hasPrefix(setElementOrderPrefix) {
            let field = String(key.dropFirst(setElementOrderPrefix.count))
            guard case .array(let order) = patch[key]! else {
                throw .bad("invalid patch format of setElementOrder list at \(describe(join(path, key))): must be a list")
            }
            let child = node.child(field)
            let originalList = result[field]?.arrayValue
            let patchList = patch[field]?.arrayValue
            patch.removeValue(forKey: key)
            patch.removeValue(forKey: field)
            var merged: [JSONValue]
            switch (originalList, patchList) {
            case (nil, nil): continue
            case (let list?, nil): merged = list
            case (nil, let list?): merged = try mergeList([], list, node: child, path: join(path, field))
            case (let old?, let new?):
                merged = child.listRule.patchMerge
                    ? try mergeList(old, new, node: child, path: join(path, field))
                    : try clean(.array(new), node: child, path: join(path, field))?.arrayValue ?? []
            }
            if child.listRule.patchMerge {
                merged = try StrategicListOrder.reorder(merged, by: order, serverOrder: originalList ?? [], mergeKey: child.listRule.patchMergeKey, path: join(path, field))
            }
            result[field] = .array(merged)
        }

        // `$deleteFromPrimitiveList/<field>` removes scalars after the merges above.
        var deletions: [(String, [JSONValue])] = []
        for key in patch.keys.sorted() where key.hasPrefix(deleteFromPrimitiveListPrefix) {
            let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
            guard case .array(let values) = patch[key]! else {
                throw .bad("invalid patch format of primitive list at \(describe(join(path, key))): must be a list")
            }
            deletions.append((field, values))
            patch.removeValue(forKey: key)
        }

        for key in patch.keys.sorted() {
            let value = patch[key]!
            let childPath = join(path, key)
            let child = node.child(key)
            if value.isNull {
                result.removeValue(forKey: key)
                continue
            }
            guard let existing = result[key] else {
                if let cleaned = try clean(value, node: child, path: childPath) { result[key] = cleaned }
                continue
            }
            switch (existing, value) {
            case (.object(let old), .object(let new)):
                if child.replacesWhole {
                    if let cleaned = try clean(value, node: child, path: childPath) { result[key] = cleaned }
                } else {
                    result[key] = .object(try mergeMap(old, new, node: child, path: childPath))
                }
            case (.array(let old), .array(let new)):
                if child.listRule.patchMerge {
                    result[key] = .array(try mergeList(old, new, node: child, path: childPath))
                } else if let cleaned = try clean(value, node: child, path: childPath) {
                    result[key] = cleaned
                }
            default:
                if let cleaned = try clean(value, node: child, path: childPath) {
                    result[key] = cleaned
                } else {
                    result.removeValue(forKey: key)
                }
            }
        }

        for (field, values) in deletions {
            guard case .array(let list) = result[field] ?? .null else { continue }
            result[field] = .array(list.filter { item in !values.contains { $0.semanticallyEquals(item) } })
        }
        return result
    }

    static func applyRetainKeys(_ original: inout [String: JSONValue], patch: inout [String: JSONValue], path: String) throws(PatchError) {
        guard let retain = patch.removeValue(forKey: retainKeys) else { return }
        guard case .array(let names) = retain else {
            throw .bad("invalid patch format of retainKeys at \(describe(path)): must be a list of field names")
        }
        let kept = Set(names.compactMap(\.stringValue))
        for (key, value) in patch where !value.isNull && !key.hasPrefix("$") && !kept.contains(key) {
            throw .bad("invalid patch format of retainKeys at \(describe(path)): field \"\(key)\" is patched but not listed in $retainKeys")
        }
        original = original.filter { kept.contains($0.key) }
    }

    /// A patch value written where the original has nothing: directives are resolved
    /// against an empty original and nulls dropped. Nil when nothing should be written.
    static func clean(_ value: JSONValue, node: StrategicSchema.Node, path: String) throws(PatchError) -> JSONValue? {
        switch value {
        case .object(let members):
            if members[directive]?.stringValue == "delete" { return nil }
            return .object(try mergeMap([:], members, node: node, path: path))
        case .array(let elements):
            if node.listRule.patchMerge { return .array(try mergeList([], elements, node: node, path: path)) }
            var out: [JSONValue] = []
            for (index, element) in elements.enumerated() {
                if case .object(let members) = element, members[directive] != nil { continue }
                if let cleaned = try clean(element, node: node.element, path: "\(path)[\(index)]") { out.append(cleaned) }
            }
            return .array(out)
        default:
            return value
        }
    }

    // MARK: - Lists

    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], node: StrategicSchema.Node, path: String) throws(PatchError) -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        let objects = try elementsAreObjects(original + patch, path: path)
        if !objects {
            var merged: [JSONValue] = []
            for item in original + patch where !merged.contains(where: { $0.semanticallyEquals(item) }) {
                merged.append(item)
            }
            return try StrategicListOrder.reorder(merged, by: patch, serverOrder: original, mergeKey: nil, path: path)
        }
        guard let mergeKey = node.listRule.patchMergeKey else {
            throw .bad("cannot merge the list of objects at \(describe(path)) without a merge key")
        }
        var base = original
        var items: [[String: JSONValue]] = []
        var replace = false
        for element in patch {
            let members = element.objectValue!
            guard let marker = members[directive] else { items.append(members); continue }
            switch marker.stringValue {
            case "delete":
                guard let keyValue = members[mergeKey] else {
                    throw .bad("a $patch: delete element of \(describe(path)) does not contain the merge key \"\(mergeKey)\"")
                }
                base.removeAll { $0[mergeKey].semanticallyEquals(keyValue) }
            case "replace":
                replace = true
            case "merge":
                var rest = members
                rest.removeValue(forKey: directive)
                if rest.count > 0 { items.append(rest) }
            default:
                throw .bad("unknown patch type \(marker.serialized()) in an element of \(describe(path)); use \"replace\", \"delete\" or \"merge\"")
            }
        }
        if replace {
            var replaced: [JSONValue] = []
            for (index, item) in items.enumerated() {
                replaced.append(.object(try mergeMap([:], item, node: node.element, path: "\(path)[\(index)]")))
            }
            return replaced
        }
        for item in items {
            guard let keyValue = item[mergeKey], !keyValue.isNull else {
                throw .bad("an element of \(describe(path)) does not contain the merge key \"\(mergeKey)\": \(JSONValue.object(item).serialized())")
            }
            let elementPath = "\(path)[\(mergeKey)=\(keyValue.serialized())]"
            if let at = base.firstIndex(where: { $0[mergeKey].semanticallyEquals(keyValue) }) {
                base[at] = .object(try mergeMap(base[at].objectValue ?? [:], item, node: node.element, path: elementPath))
            } else {
                base.append(.object(try mergeMap([:], item, node: node.element, path: elementPath)))
            }
        }
        return try StrategicListOrder.reorder(base, by: items.map(JSONValue.object), serverOrder: original, mergeKey: mergeKey, path: path)
    }

    static func elementsAreObjects(_ elements: [JSONValue], path: String) throws(PatchError) -> Bool {
        var sawObject = false
        var sawScalar = false
        for element in elements {
            switch element {
            case .array: throw .bad("lists of lists are not supported (at \(describe(path)))")
            case .object: sawObject = true
            default: sawScalar = true
            }
        }
        if sawObject && sawScalar {
            throw .bad("the list at \(describe(path)) mixes objects and scalars and cannot be merged")
        }
        return sawObject
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    static func describe(_ path: String) -> String { path.isEmpty ? "the patch root" : "\"\(path)\"" }
}
