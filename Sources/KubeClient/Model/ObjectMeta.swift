/// `metav1.ObjectMeta`: the metadata every stored object carries.
public struct ObjectMeta: Codable, Sendable, Hashable, DefaultConstructible {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: KubeTime?
    public var deletionTimestamp: KubeTime?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?
    /// Server-side apply bookkeeping, kept as raw JSON.
    public var managedFields: JSONValue?

    public init(
        name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
        resourceVersion: String? = nil, generation: Int64? = nil, creationTimestamp: KubeTime? = nil,
        deletionTimestamp: KubeTime? = nil, deletionGracePeriodSeconds: Int64? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil, finalizers: [String]? = nil, managedFields: JSONValue? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.managedFields = managedFields
    }

    public init() { self.init(name: nil) }

    /// Whether deletion has started (the object waits on finalizers).
    public var isDeleting: Bool { deletionTimestamp != nil }

    public func hasFinalizer(_ finalizer: String) -> Bool { finalizers?.contains(finalizer) ?? false }

    /// Adds a finalizer; false when it was already there.
    @discardableResult
    public mutating func addFinalizer(_ finalizer: String) -> Bool {
        if hasFinalizer(finalizer) { return false }
        finalizers = (finalizers ?? []) + [finalizer]
        return true
    }

    /// Removes a finalizer; false when it was not there.
    @discardableResult
    public mutating func removeFinalizer(_ finalizer: String) -> Bool {
        guard let list = finalizers, list.contains(finalizer) else { return false }
        finalizers = list.filter { $0 != finalizer }
        return true
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? { ownerReferences?.first { $0.controller == true } }
}

/// `metav1.OwnerReference`: links a dependent to its owner for garbage collection.
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// The controller reference an owner puts on what it creates
    /// (`controller: true, blockOwnerDeletion: true`).
    public static func controller<Owner: KubeObject>(_ owner: Owner) -> OwnerReference {
        OwnerReference(
            apiVersion: Owner.apiVersion, kind: Owner.kind, name: owner.metadata.name ?? "",
            uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    }
}

/// `metav1.ListMeta`: the metadata of a list (and of a `Status`).
public struct ListMeta: Codable, Sendable, Hashable, DefaultConstructible {
    public var resourceVersion: String?
    /// The token for the next page; empty or absent on the last page.
    public var `continue`: String?
    public var remainingItemCount: Int64?
    public var selfLink: String?

    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }

    public init() { self.init(resourceVersion: nil) }
}

/// `core/v1 ObjectReference`: a pointer to another object (events, endpoints, service
/// accounts).
public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(
        apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil,
        uid: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// A reference to a typed object.
    public init<Object: KubeObject>(to object: Object) {
        self.init(
            apiVersion: Object.apiVersion, kind: Object.kind, namespace: object.metadata.namespace,
            name: object.metadata.name, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion)
    }
}

/// `core/v1 LocalObjectReference`: `{name}` (image pull secrets, config map refs).
public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var name: String?
    public init(name: String? = nil) { self.name = name }
}

/// `True`, `False` or `Unknown`.
public enum ConditionStatus: String, Codable, Sendable, Hashable {
    case `true` = "True"
    case `false` = "False"
    case unknown = "Unknown"

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = ConditionStatus(rawValue: text) ?? .unknown
    }
}

/// A status condition: `metav1.Condition`, plus the timestamps older condition types
/// (Deployment, Pod, Node, Job) carry.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: ConditionStatus
    public var observedGeneration: Int64?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?
    /// Deployment and ReplicaSet conditions.
    public var lastUpdateTime: KubeTime?
    /// Pod and Job conditions.
    public var lastProbeTime: KubeTime?
    /// Node conditions.
    public var lastHeartbeatTime: KubeTime?

    public init(
        type: String, status: ConditionStatus, observedGeneration: Int64? = nil, lastTransitionTime: KubeTime? = nil,
        reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }

    public var isTrue: Bool { status == .true }
}

extension Array where Element == Condition {
    /// The condition of a type.
    public subscript(type type: String) -> Condition? { first { $0.type == type } }

    /// Whether the condition of a type is `True`.
    public func isTrue(_ type: String) -> Bool { self[type: type]?.status == .true }

    /// Sets a condition as `meta.SetStatusCondition` does: `lastTransitionTime` changes only
    /// when the status changes (now when not given). Returns whether anything changed.
    @discardableResult
    public mutating func set(_ condition: Condition, now: KubeTime = .now()) -> Bool {
        var new = condition
        if let i = firstIndex(where: { $0.type == condition.type }) {
            let old = self[i]
            if old.status == new.status {
                new.lastTransitionTime = old.lastTransitionTime ?? new.lastTransitionTime ?? now
            } else if new.lastTransitionTime == nil {
                new.lastTransitionTime = now
            }
            if old == new { return false }
            self[i] = new
            return true
        }
        if new.lastTransitionTime == nil { new.lastTransitionTime = now }
        append(new)
        return true
    }

    /// Removes the condition of a type; whether it was there.
    @discardableResult
    public mutating func remove(type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }
}
