import Foundation
import Logging

/// The reconcile a task runs in: the controller, the object's key and a reconcile ID unique to
/// this run of the reconciler (controller-runtime's `reconcileID`). The controller sets it
/// around each reconcile; ``Logger/MetadataProvider/reconcile`` adds it to every log line
/// written inside, whichever logger writes it, so one rollout's story can be followed by key
/// and one reconcile by ID.
public struct ReconcileContext: Sendable, Hashable {
    public var controller: String
    public var key: ObjectKey
    public var reconcileID: String

    public init(controller: String, key: ObjectKey, reconcileID: String = ReconcileContext.newID()) {
        self.controller = controller
        self.key = key
        self.reconcileID = reconcileID
    }

    /// The reconcile the current task runs in, if any.
    @TaskLocal public static var current: ReconcileContext?

    /// A fresh ID: a random UUID, as controller-runtime uses.
    public static func newID() -> String { UUID().uuidString.lowercased() }

    /// The metadata of a log line written in this reconcile.
    public var metadata: Logger.Metadata {
        ["controller": .string(controller), "object": .string(key.description), "reconcileID": .string(reconcileID)]
    }
}

extension Logger.MetadataProvider {
    /// `controller`, `object` and `reconcileID` of the reconcile the logging task runs in.
    public static let reconcile = Logger.MetadataProvider { ReconcileContext.current?.metadata ?? [:] }
}
