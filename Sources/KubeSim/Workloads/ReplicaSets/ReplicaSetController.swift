import Foundation
import KubeClient

/// kube-controller-manager's ReplicaSet controller: keeps `spec.replicas` active pods
/// from the template, deleting surplus ones in the order the real controller does, and
/// reports replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (Ready for
/// `minReadySeconds`), observedGeneration and a `ReplicaFailure` condition.
///
/// The same controller runs ReplicationControllers (kube-controller-manager wraps its
/// ReplicaSet controller for them): a map selector, `v1` owner references and its own name.
final class ReplicaSetController: Reconciler, FeedObserver {
    /// Which kind this instance keeps: ReplicaSets or ReplicationControllers.
    struct Flavor: Sendable {
        let resource: GroupResource
        let kind: String
        let apiVersion: String
        let source: EventSource

        static let replicaSets = Flavor(resource: WorkloadResource.replicaSets, kind: "ReplicaSet", apiVersion: "apps/v1",
                                        source: .replicaSetController)
        static let replicationControllers = Flavor(resource: WorkloadResource.replicationControllers,
                                                   kind: "ReplicationController", apiVersion: "v1",
                                                   source: EventSource(component: "replication-controller"))
    }

    var name: String { flavor.source.component }
    let flavor: Flavor
    /// At most this many pods are created or deleted per sync (kube's burstReplicas).
    static let burstReplicas = 500
    private let client: ClusterClient
    private let clock: SimulationClock
    private let recorder: EventRecorder?
    private let queue: WorkQueue<ObjectKey>
    private let owners = OwnerIndex()
    /// When a pod became Ready, to the millisecond (the kubelet knows; the API keeps whole seconds).
    private let exactReadySince: @Sendable (ObjectKey, String) -> Date?

    init(client: ClusterClient, clock: SimulationClock, recorder: EventRecorder?, queue: WorkQueue<ObjectKey>,
         flavor: Flavor = .replicaSets,
         exactReadySince: @escaping @Sendable (ObjectKey, String) -> Date? = { _, _ in nil }) {
        self.flavor = flavor
        self.exactReadySince = exactReadySince
        self.client = client
        self.clock = clock
        self.recorder = recorder
        self.queue = queue
    }

    // MARK: Feed

    var followedResources: [GroupResource] { [flavor.resource, WorkloadResource.pods] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        owners.route(type, object, isOwner: resource == flavor.resource, into: queue)
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        if resource == flavor.resource { owners.relist(objects, into: queue) }
    }

    // MARK: Reconcile

    func reconcile(_ key: ObjectKey) throws -> ReconcileResult {
        guard let rs = client.object(flavor.resource, key) else { return .done }
        let uid = rs.sim.uid
        let spec = rs["spec"]
        let wanted = spec["replicas"].intValue ?? 1
        let minReadySeconds = spec["minReadySeconds"].intValue ?? 0
        // A ReplicationController's selector is a plain map (defaulted from the template's labels).
        let selectorValue = flavor.kind == "ReplicationController"
            ? JSONValue.object(["matchLabels": spec["selector"].isNull ? spec["template"]["metadata"]["labels"] : spec["selector"]])
            : spec["selector"]
        guard let selector = PodState.selector(selectorValue) else { return .done }

        var owned: [JSONValue] = []
        for pod in client.dependents(of: uid, WorkloadResource.pods).map(\.object) where pod.sim.controllerUID == uid {
            if selector.matches(pod.sim.labels) {
                owned.append(pod)
            } else {
                try release(pod, from: uid)
            }
        }
        var active = owned.filter(PodState.isActive)
        var failure: (reason: String, message: String)?
        if !rs.sim.isDeleting {
            let diff = active.count - wanted
            if diff < 0 {
                for _ in 0..<min(-diff, Self.burstReplicas) {
                    do {
                        active.append(try createPod(for: rs))
                    } catch {
                        failure = ("FailedCreate", error.message)
                        recorder?.record(involved(rs), .warning, reason: "FailedCreate",
                                         message: "Error creating: \(error.message)", source: flavor.source)
                        break
                    }
                }
            } else if diff > 0 {
                let victims = active.sorted(by: PodState.deletionOrder).prefix(min(diff, Self.burstReplicas))
                for pod in victims {
                    do {
                        try client.delete(WorkloadResource.pods, pod.sim.key, uid: pod.sim.uid)
                        recorder?.record(involved(rs), .normal, reason: "SuccessfulDelete",
                                         message: "Deleted pod: \(pod.sim.name)", source: flavor.source)
                    } catch {
                        failure = ("FailedDelete", error.message)
                        recorder?.record(involved(rs), .warning, reason: "FailedDelete",
                                         message: "Error deleting: \(error.message)", source: flavor.source)
                        break
                    }
                }
                let gone = Set(victims.map(\.sim.uid))
                active.removeAll { gone.contains($0.sim.uid) }
            }
        }

        let now = clock.now
        let templateLabels = SimFields.strings(spec["template"]["metadata"]["labels"])
        var status: JSONValue = .emptyObject
        let fullyLabeled = active.filter { pod in
            let labels = pod.sim.labels
            return templateLabels.allSatisfy { labels[$0.key] == $0.value }
        }.count
        let ready = active.filter(PodState.isReady).count
        let available = active.filter {
            PodState.isAvailable($0, minReadySeconds: minReadySeconds, now: now, clock: clock,
                                 exactReadySince: exactReadySince($0.sim.key, $0.sim.uid))
        }.count
        status["replicas"] = .int(Int64(active.count))
        if fullyLabeled > 0 { status["fullyLabeledReplicas"] = .int(Int64(fullyLabeled)) }
        if ready > 0 { status["readyReplicas"] = .int(Int64(ready)) }
        if available > 0 { status["availableReplicas"] = .int(Int64(available)) }
        status["observedGeneration"] = .int(Int64(rs.sim.generation))
        var conditions = (rs["status"]["conditions"].arrayValue ?? []).filter { $0["type"].stringValue != "ReplicaFailure" }
        if let failure {
            let old = rs["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == "ReplicaFailure" }
            conditions.append([
                "type": "ReplicaFailure", "status": "True", "reason": .string(failure.reason),
                "message": .string(failure.message),
                "lastTransitionTime": old.map { $0["lastTransitionTime"].isNull ? SimTime.string(now) : $0["lastTransitionTime"] }
                    ?? SimTime.string(now),
            ])
        }
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        if status != rs["status"] {
            var updated = rs
            updated["status"] = status
            try client.updateStatus(flavor.resource, updated)
        }
        if failure != nil { return .after(.seconds(1)) }
        // Look again when a Ready pod has been Ready for minReadySeconds.
        let next = active.compactMap {
            PodState.availableAt($0, minReadySeconds: minReadySeconds, now: now, clock: clock,
                                 exactReadySince: exactReadySince($0.sim.key, $0.sim.uid))
        }.min()
        if let next { return .after(.seconds(max(0.001, next.timeIntervalSince(clock.now)))) }
        return .done
    }

    private func involved(_ rs: JSONValue) -> InvolvedObject {
        InvolvedObject(rs, kind: flavor.kind, apiVersion: flavor.apiVersion)
    }

    private func createPod(for rs: JSONValue) throws(APIError) -> JSONValue {
        let template = rs["spec"]["template"]
        var metadata: JSONValue = [
            "generateName": .string("\(rs.sim.name)-"), "namespace": .string(rs.sim.namespace),
            "ownerReferences": [rs.controllerReference(kind: flavor.kind, apiVersion: flavor.apiVersion)],
        ]
        for field in ["labels", "annotations", "finalizers"] where !template["metadata"][field].isNull {
            metadata[field] = template["metadata"][field]
        }
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]]
        let created = try client.create(WorkloadResource.pods, pod).object
        recorder?.record(involved(rs), .normal, reason: "SuccessfulCreate",
                         message: "Created pod: \(created.sim.name)", source: flavor.source)
        return created
    }

    /// Drops the controller reference of a pod whose labels no longer match (it is orphaned).
    private func release(_ pod: JSONValue, from uid: String) throws {
        var updated = pod
        let refs = (pod["metadata"]["ownerReferences"].arrayValue ?? []).filter { $0["uid"].stringValue != uid }
        updated[path: ["metadata", "ownerReferences"]] = refs.isEmpty ? .null : .array(refs)
        try client.update(WorkloadResource.pods, updated)
    }
}
