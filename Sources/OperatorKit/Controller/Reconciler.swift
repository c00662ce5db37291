/// Brings one object's world in line with its spec (controller-runtime's `reconcile.Reconciler`).
///
/// A reconciler is level-triggered and idempotent: it gets a key, never an event, reads the
/// current state (from the informer caches), acts, and says when to look again. Running it
/// twice in a row with nothing changed must change nothing.
public protocol Reconciler: Sendable {
    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult
}

/// The object to reconcile: its namespace and name.
public typealias ReconcileRequest = ObjectKey

/// What a reconcile asks of the controller.
public enum ReconcileResult: Sendable, Hashable {
    /// The object is in its desired state; look again when something changes.
    case done
    /// Look again after this delay, even if nothing changes (polling an external system,
    /// waiting for a rollout step). The failure backoff of the key is reset.
    case requeue(after: Duration)
}

/// A reconciler made of a closure, for small controllers and tests.
public struct ReconcilerFunction: Reconciler {
    private let body: @Sendable (ReconcileRequest) async throws -> ReconcileResult

    public init(_ body: @escaping @Sendable (ReconcileRequest) async throws -> ReconcileResult) {
        self.body = body
    }

    public func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        try await body(request)
    }
}
