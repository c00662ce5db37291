import KubeClient

/// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge member by
/// member, `null` deletes a member, and every other value — arrays included — replaces.
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified`.
    ///
    /// Members missing from `modified` become `null`; nested objects are diffed recursively;
    /// any other difference is sent whole. Equal documents give `{}`.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let old) = original, case .object(let new) = modified else {
            return original.semanticallyEquals(modified) ? .object([:]) : modified
        }
        var patch: [String: JSONValue] = [:]
        for key in old.keys where new[key] == nil {
            patch[key] = .null
        }
        for (key, newValue) in new {
            guard let oldValue = old[key] else {
                patch[key] = newValue
                continue
            }
            if oldValue.isObject && newValue.isObject {
                let sub = diff(from: oldValue, to: newValue)
                if sub != .object([:]) { patch[key] = sub }
            } else if !oldValue.semanticallyEquals(newValue) {
                patch[key] = newValue
            }
        }
        return .object(patch)
    }
}
