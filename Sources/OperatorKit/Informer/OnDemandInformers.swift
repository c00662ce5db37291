import KubeClient

/// Informers opened when a controller first needs them, as controller-runtime's informer
/// cache starts the informer of a kind on its first read and waits for its sync.
///
/// A kind that a controller reads only for some of its work (the pods an audit inspects, the
/// nodes a workflow's health check counts) is opened by ``synced(_:timeout:)`` at that
/// work's first run, not at registration: an operator whose users never run an audit never
/// lists the cluster's pods or holds them. Once open, an informer stays open.
///
/// The manager's readiness does not wait for these: it reports the informers open when
/// the manager started. Work that reads an on-demand kind must go through
/// ``synced(_:timeout:)`` first, or it reads an empty cache.
extension InformerCache {
    /// Opens the informers of `resources` that are not open yet, and returns once each has
    /// listed its resource once.
    ///
    /// - Throws: ``CacheNotSynced`` naming the resources still unsynced after `timeout`, or
    ///   when the task is cancelled first. Their informers keep retrying, so a later call
    ///   can succeed.
    public func synced(_ resources: [ResourceDescriptor], timeout: Duration) async throws(CacheNotSynced) {
        let informers = resources.map { informer(for: $0) }
        if informers.allSatisfy(\.hasSynced) { return }
        let waiting = Task { for informer in informers { await informer.waitUntilSynced() } }
        _ = await waitForTask(waiting, timeout: timeout, on: clock)
        let missing = zip(resources, informers).filter { !$0.1.hasSynced }.map(\.0.description)
        if !missing.isEmpty { throw CacheNotSynced(resources: missing, timeout: timeout) }
    }
}

/// Informers that had not listed their resources within the time allowed.
public struct CacheNotSynced: Error, Sendable, Equatable, CustomStringConvertible {
    /// The resources, as `resource.group`.
    public let resources: [String]
    public let timeout: Duration

    public init(resources: [String], timeout: Duration) {
        self.resources = resources
        self.timeout = timeout
    }

    public var description: String {
        "the operator's cache of \(resources.joined(separator: ", ")) had not synced after \(timeout.components.seconds) s: "
            + "check that the operator's ClusterRole may list and watch \(resources.count == 1 ? "it" : "them") "
            + "and that the cluster serves \(resources.count == 1 ? "it" : "them") (the operator keeps retrying)"
    }
}
