import KubeClient

/// A field that another manager owns with a different value than the one being applied.
public struct ApplyConflict: Sendable, Hashable {
    /// The other manager as kube-apiserver prints it: `"kubectl"` or `"mgr" using apps/v1`.
    public var manager: String
    /// The conflicting path, e.g. `.spec.replicas`.
    public var field: FieldPath

    /// The `StatusCause` kube-apiserver reports: reason `FieldManagerConflict`.
    public var cause: JSONValue {
        ["reason": "FieldManagerConflict", "message": .string("conflict with \(manager)"), "field": .string(field.description)]
    }
}

/// Why a server-side apply was refused.
public enum ApplyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fields owned by other managers would change: HTTP 409 Conflict. Retry with
    /// `force=true` to take ownership, or stop applying those fields.
    case conflicts([ApplyConflict])
    /// The applied configuration is unusable: HTTP 400 Bad Request.
    case invalid(String)

    public var httpStatus: Int {
        switch self {
        case .conflicts: return 409
        case .invalid: return 400
        }
    }

    /// The text kube-apiserver sends, e.g.
    /// `Apply failed with 1 conflict: conflict with "mgr" using apps/v1: .spec.replicas`.
    public var message: String {
        switch self {
        case .invalid(let text):
            return text
        case .conflicts(let conflicts):
            if conflicts.count == 1 {
                return "Apply failed with 1 conflict: conflict with \(conflicts[0].manager): \(conflicts[0].field)"
            }
            var lines: [String] = []
            var byManager: [String: [FieldPath]] = [:]
            for conflict in conflicts { byManager[conflict.manager, default: []].append(conflict.field) }
            for manager in byManager.keys.sorted() {
                lines.append("conflicts with \(manager):")
                lines.append(contentsOf: byManager[manager]!.map { "- \($0)" })
            }
            return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
    }

    public var description: String { message }

    /// The complete `Status` object to send as the response body.
    public var status: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "code": .int(Int64(httpStatus)),
        ]
        switch self {
        case .conflicts(let conflicts):
            status["reason"] = "Conflict"
            status["details"] = ["causes": .array(conflicts.map(\.cause))]
        case .invalid:
            status["reason"] = "BadRequest"
        }
        return status
    }
}
