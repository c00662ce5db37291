import KubeClient

/// Element order of merged lists, as strategic merge patch defines it: elements named by
/// the patch (or by its `$setElementOrder` list) follow that order; elements only the
/// server has keep their place relative to them as in the live list.
enum StrategicListOrder {
    static func reorder(_ merged: [JSONValue], by order: [JSONValue], serverOrder: [JSONValue], mergeKey: String?, path: String) throws(PatchError) -> [JSONValue] {
        func identity(_ value: JSONValue) -> JSONValue {
            guard let mergeKey else { return value }
            return value[mergeKey]
        }
        func position(of value: JSONValue, in list: [JSONValue]) -> Int? {
            let id = identity(value)
            return list.firstIndex { identity($0).semanticallyEquals(id) }
        }
        if let mergeKey {
            for item in order where item[mergeKey].isNull && item[StrategicMergePatch.directive].isNull {
                throw .bad("an element of the order for \"\(path)\" does not contain the merge key \"\(mergeKey)\"")
            }
        }
        var patchItems: [(Int, JSONValue)] = []
        var serverOnly: [JSONValue] = []
        for item in merged {
            if let at = position(of: item, in: order) {
                patchItems.append((at, item))
            } else {
                serverOnly.append(item)
            }
        }
        let sortedPatch = patchItems.enumerated()
            .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
            .map(\.element.1)

        var result: [JSONValue] = []
        result.reserveCapacity(merged.count)
        var i = 0
        var j = 0
        while i < serverOnly.count || j < sortedPatch.count {
            if i >= serverOnly.count {
                result.append(sortedPatch[j]); j += 1
            } else if j >= sortedPatch.count {
                result.append(serverOnly[i]); i += 1
            } else if let left = position(of: serverOnly[i], in: serverOrder),
                      let right = position(of: sortedPatch[j], in: serverOrder), left < right {
                result.append(serverOnly[i]); i += 1
            } else {
                result.append(sortedPatch[j]); j += 1
            }
        }
        return result
    }
}
