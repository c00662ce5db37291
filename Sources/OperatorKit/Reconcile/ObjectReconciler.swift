import KubeClient

/// The status a typed reconciler reads and writes: a Codable view of `.status`.
///
/// `conditions` and `observedGeneration`, if the view declares them, are written by the kit
/// (from ``Reconciliation/conditions`` and `metadata.generation`), not from the view.
public protocol ObjectStatus: Codable, Sendable, Equatable {
    init()
}

/// A reconciler for one typed resource: the part of a controller that is its own.
///
/// The kit (``TypedReconciler``) does what every controller repeats, so this protocol only
/// decides:
///
/// 1. the object is read from the informer cache; gone, ``forget(_:)`` is called;
/// 2. being deleted: with a ``finalizer``, ``finalize(_:key:)`` runs and the finalizer is
///    removed once it succeeds; without one there is nothing to do (children go with their
///    owner references);
/// 3. a cached object older than the controller's own last write to it waits for the watch;
/// 4. the spec is decoded (cached per resourceVersion) and checked with ``validate(_:)``;
///    a spec that cannot be read or is invalid is reported as `Ready=False`,
///    `Stalled=True`, reason `InvalidSpec`, with the field path, and left until it changes;
/// 5. ``reconcile(_:_:)`` runs with the current typed status in a ``Reconciliation``;
/// 6. the status is written once, only when it changed, with `observedGeneration`; then
///    the Events the pass recorded are emitted.
///
/// `reconcile` is level-triggered and idempotent: it reads the world, acts, updates the
/// status view and says when to look again. It never sleeps; slow work goes to
/// ``ControllerContext/jobs``.
public protocol ObjectReconciler: Sendable {
    associatedtype Object: Sendable
    associatedtype Status: ObjectStatus

    /// Reads the object (its `status` removed: a status that cannot be read never hides the
    /// spec). The default decodes `Object` as `Decodable`, naming the field of a bad value.
    func decode(_ object: JSONValue) throws(SpecError) -> Object

    /// What the schema cannot check: every problem, each naming its field.
    func validate(_ object: Object) -> [SpecError]

    /// Brings the world in line with `object`; records status, conditions and Events in `pass`.
    func reconcile(_ object: Object, _ pass: inout Reconciliation<Status>) async throws -> ReconcileResult

    /// The finalizer the controller keeps on its objects, nil for none.
    var finalizer: String? { get }

    /// Cleans up before a deleted object goes (only with a ``finalizer``).
    func finalize(_ object: JSONValue, key: ObjectKey) async throws

    /// The object is gone: drop what was kept about it.
    func forget(_ key: ObjectKey)
}

extension ObjectReconciler {
    public func validate(_ object: Object) -> [SpecError] { [] }
    public var finalizer: String? { nil }
    public func finalize(_ object: JSONValue, key: ObjectKey) async throws {}
    public func forget(_ key: ObjectKey) {}
}

extension ObjectReconciler where Object: Decodable {
    public func decode(_ object: JSONValue) throws(SpecError) -> Object { try object.decodeSpec(Object.self) }
}
