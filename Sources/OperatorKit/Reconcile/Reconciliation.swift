import Foundation
import KubeClient

/// One pass of a typed reconciler over one object: what it read, and what it decided to
/// record. The kit writes ``status`` and ``conditions`` once the pass returns, and emits
/// ``events`` only after that write succeeded, so an Event never reports a transition the
/// status does not show. A pass that throws records nothing.
public struct Reconciliation<Status: ObjectStatus>: Sendable {
    public let key: ObjectKey
    /// The object as cached (with its status as it was read).
    public let object: JSONValue
    /// `metadata.generation`: the conditions' and status' `observedGeneration`.
    public let generation: Int64?
    /// The wall time of this pass, from the controller's clock.
    public let now: Date
    public let context: ControllerContext
    /// The status as the pass leaves it; starts as the object's.
    public var status: Status
    /// Condition changes, applied to the status when it is written.
    public var conditions = ConditionChanges()
    /// Events to emit once the status is written.
    public private(set) var events: [RecordedEvent] = []

    public init(key: ObjectKey, object: JSONValue, now: Date, context: ControllerContext, status: Status) {
        self.key = key
        self.object = object
        generation = object.generation
        self.now = now
        self.context = context
        self.status = status
    }

    /// An Event about the object, emitted after the status write.
    public mutating func record(_ type: EventRecorder.EventType, reason: String, message: String) {
        events.append(RecordedEvent(type: type, reason: reason, message: message))
    }

    /// Writes the object's children, noting them as this object's writes.
    public var children: ChildWriter { ChildWriter(context: context, owner: key) }

    /// Enqueues this object again from outside the pass (when a background job finishes).
    public var wake: @Sendable () -> Void { context.trigger.callback(for: key) }

    public var name: String { key.name }
    public var namespace: String { key.namespace ?? "" }
}

/// An Event a pass recorded.
public struct RecordedEvent: Sendable, Hashable {
    public var type: EventRecorder.EventType
    public var reason: String
    public var message: String
}
