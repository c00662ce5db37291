import KubeClient

/// Owner references between the objects a controller creates and the object that owns them.
public enum OwnerReferences {
    /// The controller reference an owner puts on what it creates
    /// (`controller: true, blockOwnerDeletion: true`).
    public static func controllerReference(to owner: JSONValue) throws -> JSONValue {
        guard let apiVersion = owner["apiVersion"].stringValue, let kind = owner["kind"].stringValue,
            let name = owner["metadata"]["name"].stringValue, let uid = owner["metadata"]["uid"].stringValue
        else {
            throw OwnerReferenceError.incompleteOwner(
                "the owner needs apiVersion, kind, metadata.name and metadata.uid; read it from the API server before using it as an owner"
            )
        }
        return ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
                "controller": true, "blockOwnerDeletion": true]
    }

    /// Makes `owner` the controller of `child` (controller-runtime's `SetControllerReference`):
    /// replaces an older reference to the same owner, keeps other non-controller owners, and
    /// refuses to take over a child another object controls.
    public static func setController(_ owner: JSONValue, of child: inout JSONValue) throws {
        let reference = try controllerReference(to: owner)
        var references = child["metadata"]["ownerReferences"].arrayValue ?? []
        if let other = controller(of: child), other["uid"] != reference["uid"] {
            throw OwnerReferenceError.alreadyControlled(
                child: ObjectKey(of: child)?.description ?? "(unnamed)",
                controller: "\(other["kind"].stringValue ?? "?") \(other["name"].stringValue ?? "?")")
        }
        references.removeAll { $0["uid"] == reference["uid"] }
        references.append(reference)
        child["metadata"]["ownerReferences"] = .array(references)
    }

    /// Whether `owner` is the controller of `child` (matched by UID, as the garbage collector does).
    public static func isControlled(_ child: JSONValue, by owner: JSONValue) -> Bool {
        guard let uid = owner["metadata"]["uid"].stringValue else { return false }
        return controller(of: child)?["uid"].stringValue == uid
    }

    /// The reference to `child`'s controller (the API server allows at most one).
    public static func controller(of child: JSONValue) -> JSONValue? {
        (child["metadata"]["ownerReferences"].arrayValue ?? []).first { $0["controller"].boolValue == true }
    }
}

public enum OwnerReferenceError: Error, CustomStringConvertible {
    case incompleteOwner(String)
    case alreadyControlled(child: String, controller: String)

    public var description: String {
        switch self {
        case .incompleteOwner(let message): return message
        case .alreadyControlled(let child, let controller):
            return "\(child) is already controlled by \(controller); delete it or remove that owner reference before another controller adopts it"
        }
    }
}
