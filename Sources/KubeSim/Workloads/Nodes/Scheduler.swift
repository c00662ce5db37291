import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// kube-scheduler, simplified: binds each unscheduled pod to the least allocated node that
/// fits its requests and node selector. When none fits it adds a node, as a cluster
/// autoscaler would, up to the configured maximum; past it the pod stays Pending with
/// `PodScheduled=False, reason Unschedulable` and a `FailedScheduling` event, and is
/// retried whenever a node appears or a pod goes away.
final class Scheduler: Reconciler, FeedObserver {
    let name = "default-scheduler"
    static let schedulerName = "default-scheduler"
    private let client: ClusterClient
    private let pool: NodePool
    private let recorder: SimEventRecorder?
    private let queue: SimWorkQueue<StoreKey>
    private let capacity: NodeCapacity
    private let maxNodes: Int
    /// Pods that fit nowhere, retried when room appears.
    private let waiting = NIOLockedValueBox<Set<StoreKey>>([])
    /// Serializes node creation (one scale-up at a time).
    private let growth = NIOLock()

    init(client: ClusterClient, pool: NodePool, recorder: SimEventRecorder?, queue: SimWorkQueue<StoreKey>,
         capacity: NodeCapacity, maxNodes: Int) {
        self.client = client
        self.pool = pool
        self.recorder = recorder
        self.queue = queue
        self.capacity = capacity
        self.maxNodes = maxNodes
    }

    // MARK: Feed

    var followedResources: [GroupResource] { [WorkloadResource.pods, WorkloadResource.nodes] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        if resource == WorkloadResource.nodes {
            if type == .deleted { pool.remove(node: object.key.name) } else { pool.upsert(node: object.object) }
            retryWaiting()
            return
        }
        switch type {
        case .deleted:
            pool.release(object.key)
            waiting.withLockedValue { _ = $0.remove(object.key) }
            retryWaiting()
        case .added, .modified:
            let node = object.fields["spec.nodeName"] ?? ""
            if node.isEmpty {
                if !object.isTerminating { queue.add(object.key) }
            } else if pool.node(of: object.key) == nil {
                let phase = object.fields["status.phase"] ?? ""
                if phase != "Succeeded" && phase != "Failed" {
                    pool.account(object.key, node: node, requests: PodRequests(pod: object.object))
                }
            }
        default:
            break
        }
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        if resource == WorkloadResource.nodes {
            pool.reset(nodes: objects.map(\.object))
            retryWaiting()
            return
        }
        for object in objects { observe(.added, resource, object) }
    }

    private func retryWaiting() {
        let keys = waiting.withLockedValue { w -> Set<StoreKey> in
            defer { w.removeAll() }
            return w
        }
        for key in keys { queue.add(key) }
    }

    // MARK: Reconcile

    func reconcile(_ key: StoreKey) throws -> ReconcileResult {
        guard let pod = client.object(WorkloadResource.pods, key) else { return .done }
        let spec = pod["spec"]
        guard (spec["nodeName"].stringValue ?? "").isEmpty, !pod.sim.isDeleting else { return .done }
        let schedulerName = spec["schedulerName"].stringValue ?? Self.schedulerName
        guard schedulerName == Self.schedulerName || schedulerName.isEmpty else { return .done }
        let requests = PodRequests(pod: pod)
        let selector = SimFields.strings(spec["nodeSelector"])
        var placement = pool.place(key, requests: requests, nodeSelector: selector)
        if case .unschedulable = placement, let added = try scaleUp(for: pod, requests: requests, selector: selector) {
            placement = pool.place(key, requests: requests, nodeSelector: selector)
            if case .placed = placement {
                recorder?.record(InvolvedObject(pod, kind: "Pod", apiVersion: "v1"), .normal,
                                 reason: "TriggeredScaleUp",
                                 message: "pod triggered scale-up: [{sim-node-pool \(added - 1)->\(added) (max: \(maxNodes))}]",
                                 source: EventSource(component: "cluster-autoscaler"))
            }
        }
        switch placement {
        case .placed(let node):
            do {
                try bind(pod, to: node)
            } catch {
                pool.release(key)
                throw error
            }
            return .done
        case .unschedulable(let message):
            waiting.withLockedValue { _ = $0.insert(key) }
            try markUnschedulable(pod, message: message)
            return .done
        }
    }

    /// Sets `spec.nodeName`, as the binding subresource does, and reports it.
    private func bind(_ pod: JSONValue, to node: String) throws {
        var bound = pod
        bound[path: ["spec", "nodeName"]] = .string(node)
        try client.update(WorkloadResource.pods, bound)
        recorder?.record(InvolvedObject(pod, kind: "Pod", apiVersion: "v1"), .normal, reason: "Scheduled",
                         message: "Successfully assigned \(pod.sim.namespace)/\(pod.sim.name) to \(node)",
                         source: .scheduler)
    }

    private func markUnschedulable(_ pod: JSONValue, message: String) throws {
        var conditions = (pod["status"]["conditions"].arrayValue ?? []).filter { $0["type"].stringValue != "PodScheduled" }
        let previous = (pod["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "PodScheduled" }
        if previous?["reason"].stringValue == "Unschedulable", previous?["message"].stringValue == message { return }
        conditions.append([
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
            "lastTransitionTime": previous?["status"].stringValue == "False"
                ? previous!["lastTransitionTime"] : SimTime.string(Date()),
        ])
        var updated = pod
        updated[path: ["status", "conditions"]] = .array(conditions)
        updated[path: ["status", "phase"]] = "Pending"
        try client.updateStatus(WorkloadResource.pods, updated)
        recorder?.record(InvolvedObject(pod, kind: "Pod", apiVersion: "v1"), .warning, reason: "FailedScheduling",
                         message: message, source: .scheduler)
    }

    /// Adds a node if the pod would fit on an empty one and the limit allows; returns the
    /// new node count.
    private func scaleUp(for pod: JSONValue, requests: PodRequests, selector: [String: String]) throws -> Int? {
        let template = NodeTemplate.node(index: 0, capacity: capacity)
        let labels = SimFields.strings(template["metadata"]["labels"])
        let fits = requests.milliCPU <= Int64(capacity.cpuCores) * 1000 - NodeTemplate.reservedMilliCPU
            && requests.memory <= capacity.memoryBytes - NodeTemplate.reservedMemory
            && selector.allSatisfy { labels[$0.key] == $0.value }
        guard fits else { return nil }
        return try growth.withLock { () throws -> Int? in
            let existing = pool.nodeNames
            guard existing.count < maxNodes else { return nil }
            var index = existing.count
            while existing.contains(NodeTemplate.name(index)) { index += 1 }
            let node = NodeTemplate.node(index: index, capacity: capacity)
            do {
                try client.create(WorkloadResource.nodes, node)
            } catch let error as APIError where error.code == 409 {
                // Registered meanwhile: learn it below.
            }
            if let stored = client.object(WorkloadResource.nodes, StoreKey(namespace: "", name: NodeTemplate.name(index))) {
                pool.upsert(node: stored)
            }
            return pool.nodeCount
        }
    }
}
