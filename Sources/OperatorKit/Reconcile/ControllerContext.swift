import Foundation
import KubeClient
import Logging

/// What the kit gives one controller: the API, the shared caches, Events, the clock, the
/// controller's own write expectations, background jobs and a trigger to enqueue its keys.
///
/// The manager builds it when the controller is registered
/// (``Manager/addController(named:for:owns:watches:options:reconciler:)-(_,_,_,_,_,(ControllerContext)->R)``);
/// a typed reconciler keeps it and reads everything through it.
public struct ControllerContext: Sendable {
    /// The controller's name (the `controller` label of its metrics).
    public let name: String
    /// The resource the controller reconciles.
    public let primary: ResourceDescriptor
    public let api: any KubernetesAPI
    /// The manager's informers: read objects here, not from the API server.
    public let cache: InformerCache
    public let events: EventRecorder
    public let clock: any OperatorClock
    /// The resourceVersions of this controller's own last writes, per object.
    public let writes: WriteExpectations
    /// Work started outside reconciles, shared by the manager's controllers.
    public let jobs: BackgroundJobs
    /// Enqueues this controller's keys from outside a reconcile.
    public let trigger: ReconcileTrigger
    public let logger: Logger

    public init(
        name: String, primary: ResourceDescriptor, api: any KubernetesAPI, cache: InformerCache, events: EventRecorder,
        clock: any OperatorClock, writes: WriteExpectations, jobs: BackgroundJobs, trigger: ReconcileTrigger, logger: Logger
    ) {
        self.name = name
        self.primary = primary
        self.api = api
        self.cache = cache
        self.events = events
        self.clock = clock
        self.writes = writes
        self.jobs = jobs
        self.trigger = trigger
        self.logger = logger
    }

    /// The cached object of `resource` at `key`.
    public func cached(_ resource: ResourceDescriptor, _ key: ObjectKey) -> JSONValue? { cache.get(resource, key) }

    /// A status writer for the primary resource.
    public var statusWriter: StatusWriter { StatusWriter(api: api, resource: primary.resource) }
}
