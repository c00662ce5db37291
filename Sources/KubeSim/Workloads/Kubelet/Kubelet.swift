import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// The kubelets of every simulated node: run the pods bound to them, following each
/// container's ``Behaviour``, and report pod status and Events as a kubelet does.
///
/// Pods change state on timers (an image pulled, a container ready, a crash, a back-off
/// over), all on the work queue's one shared timer; a pod is looked at again only when its
/// object changes or its next transition is due.
final class Kubelet: Reconciler, FeedObserver {
    let name = "kubelet"
    private let client: ClusterClient
    private let pool: NodePool
    private let clock: SimulationClock
    private let recorder: EventRecorder?
    private let queue: WorkQueue<ObjectKey>
    private let runtimes = NIOLockedValueBox<[ObjectKey: Entry]>([:])

    private struct Entry: Sendable {
        var runtime: PodRuntime
        /// The resourceVersion of the kubelet's own last status write (its echo needs no look).
        var writtenVersion: UInt64 = 0
        /// Set once the pod is being deleted gracefully: when its last container will have stopped.
        var stopsAt: Date?
    }

    init(client: ClusterClient, pool: NodePool, clock: SimulationClock, recorder: EventRecorder?,
         queue: WorkQueue<ObjectKey>) {
        self.client = client
        self.pool = pool
        self.clock = clock
        self.recorder = recorder
        self.queue = queue
    }

    // MARK: Feed

    var followedResources: [GroupResource] { [WorkloadResource.pods] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        switch type {
        case .deleted:
            podGone(object)
        case .added, .modified:
            guard !(object.fields["spec.nodeName"] ?? "").isEmpty else { return }
            let echo = runtimes.withLockedValue { $0[object.key]?.writtenVersion == object.resourceVersion }
            if !echo { queue.add(object.key) }
        default:
            break
        }
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        let present = Set(objects.map(\.key))
        let stale = runtimes.withLockedValue { r in r.keys.filter { !present.contains($0) } }
        for key in stale {
            runtimes.withLockedValue { _ = $0.removeValue(forKey: key) }
            pool.release(key)
        }
        for object in objects where !(object.fields["spec.nodeName"] ?? "").isEmpty { queue.add(object.key) }
    }

    private func podGone(_ object: StoredObject) {
        let entry = runtimes.withLockedValue { $0.removeValue(forKey: object.key) }
        pool.release(object.key)
        guard let entry, entry.stopsAt == nil, let recorder else { return }
        let involved = InvolvedObject(object.object, kind: "Pod", apiVersion: "v1")
        for container in entry.runtime.containers {
            if case .running = container.phase {
                recorder.record(involved.container(container.name), .normal, reason: "Killing",
                                message: "Stopping container \(container.name)", source: .kubelet(entry.runtime.node))
            }
        }
    }

    // MARK: Reconcile

    func reconcile(_ key: ObjectKey) throws -> ReconcileResult {
        guard let stored = client.stored(WorkloadResource.pods, key) else {
            runtimes.withLockedValue { _ = $0.removeValue(forKey: key) }
            return .done
        }
        let pod = stored.object
        let node = pod["spec"]["nodeName"].stringValue ?? ""
        guard !node.isEmpty, pool.nodeNames.contains(node) else { return .done }
        if pod.sim.isDeleting { return try terminate(stored, node: node) }
        let now = clock.now
        var entry: Entry
        if let existing = runtimes.withLockedValue({ $0[key] }), existing.runtime.uid == stored.uid {
            entry = existing
        } else {
            guard let started = start(pod, node: node, now: now) else { return .after(.seconds(1)) }
            entry = Entry(runtime: started)
        }
        let events = entry.runtime.advance(to: now, clock: clock)
        runtimes.withLockedValue { $0[key] = entry }
        if let recorder, !events.isEmpty {
            let involved = InvolvedObject(pod, kind: "Pod", apiVersion: "v1")
            for (container, event) in events {
                recorder.record(involved.container(container), event.type, reason: event.reason,
                                message: event.message, source: .kubelet(node))
            }
        }
        let status = entry.runtime.status(now: now, clock: clock, previous: pod["status"])
        if status != pod["status"] {
            var updated = pod
            updated["status"] = status
            let written = try client.updateStatus(WorkloadResource.pods, updated)
            entry.writtenVersion = written.resourceVersion
            runtimes.withLockedValue { r in
                if r[key]?.runtime.uid == entry.runtime.uid { r[key]?.writtenVersion = written.resourceVersion }
            }
            if entry.runtime.phase == "Succeeded" || entry.runtime.phase == "Failed" {
                // A finished pod no longer holds the node's resources.
                pool.release(key)
            }
        }
        guard let next = entry.runtime.nextChange(after: now, clock: clock) else { return .done }
        return .after(.seconds(max(0.001, next.timeIntervalSince(clock.now))))
    }

    /// A graceful deletion: stop the containers (each within its shutdown time, a shell or
    /// `sleep` only when the grace period ends), then delete the pod with a grace period of 0,
    /// as the kubelet's status manager does. Simulated seconds, so a scaled clock shortens it.
    private func terminate(_ stored: StoredObject, node: String) throws -> ReconcileResult {
        let pod = stored.object
        let key = stored.key
        guard let grace = pod["metadata"]["deletionGracePeriodSeconds"].intValue, grace > 0 else { return .done }
        let now = clock.now
        guard var entry = runtimes.withLockedValue({ $0[key] }), entry.runtime.uid == stored.uid else {
            // Nothing runs here for it (the simulator restarted, or it never started): done at once.
            try client.delete(WorkloadResource.pods, key, uid: stored.uid, gracePeriodSeconds: 0)
            return .done
        }
        if entry.stopsAt == nil {
            let running = entry.runtime.containers.filter { if case .running = $0.phase { return true } else { return false } }
            let seconds = running.map { container in
                container.program.ignoresTermSignal ? Double(grace) : min(Double(grace), container.behaviour.shutdownSeconds)
            }.max() ?? 0
            entry.stopsAt = now.addingTimeInterval(clock.wall(seconds))
            runtimes.withLockedValue { $0[key] = entry }
            if let recorder {
                let involved = InvolvedObject(pod, kind: "Pod", apiVersion: "v1")
                for container in running {
                    recorder.record(involved.container(container.name), .normal, reason: "Killing",
                                    message: "Stopping container \(container.name)", source: .kubelet(node))
                }
            }
        }
        if let stopsAt = entry.stopsAt, stopsAt > now {
            return .after(.seconds(max(0.001, stopsAt.timeIntervalSince(now))))
        }
        try client.delete(WorkloadResource.pods, key, uid: stored.uid, gracePeriodSeconds: 0)
        return .done
    }

    /// Starts a pod on its node: a sandbox with an IP, then its containers' image pulls.
    private func start(_ pod: JSONValue, node: String, now: Date) -> PodRuntime? {
        let key = pod.sim.key
        guard let podIP = pool.address(for: key, on: node, preferred: pod["status"]["podIP"].stringValue) else {
            return nil
        }
        pool.account(key, node: node, requests: PodRequests(pod: pod))
        let hostIP = client.object(WorkloadResource.nodes, ObjectKey(namespace: "", name: node))
            .flatMap { node in
                (node["status"]["addresses"].arrayValue ?? []).first { $0["type"].stringValue == "InternalIP" }?["address"]
                    .stringValue
            } ?? ""
        let runtime = PodRuntime(pod: pod, node: node, hostIP: hostIP, podIP: podIP, now: now, clock: clock)
        if let recorder {
            let involved = InvolvedObject(pod, kind: "Pod", apiVersion: "v1")
            for container in runtime.containers {
                recorder.record(involved.container(container.name), .normal, reason: "Pulling",
                                message: "Pulling image \"\(container.image)\"", source: .kubelet(node))
            }
        }
        return runtime
    }

    // MARK: Reading

    /// The pods running now, for metrics and logs.
    var pods: [PodRuntime] { runtimes.withLockedValue { $0.values.map(\.runtime) } }

    func pod(_ key: ObjectKey) -> PodRuntime? { runtimes.withLockedValue { $0[key]?.runtime } }

    /// When the pod (this uid of it) last became Ready, exactly; nil when it is not Ready.
    func readySince(_ key: ObjectKey, uid: String) -> Date? {
        guard let runtime = pod(key), runtime.uid == uid else { return nil }
        let now = clock.now
        guard runtime.isReady(at: now, clock: clock) else { return nil }
        return runtime.containers.compactMap { container -> Date? in
            guard case .running(let since) = container.phase else { return nil }
            return container.readyAt(since: since, clock: clock)
        }.max()
    }
}
