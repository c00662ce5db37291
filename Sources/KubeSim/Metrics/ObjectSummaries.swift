import KubeClient
import NIOConcurrencyHelpers

/// What kube-state-metrics reports about a pod.
struct PodSummary: Sendable {
    struct Container: Sendable {
        var name: String
        var ready: Bool
        var restarts: Int
        var waitingReason: String?
        var lastTerminatedReason: String?
    }

    var namespace: String
    var name: String
    var uid: String
    var phase: String
    /// "true", "false" or "unknown".
    var ready: String
    var node: String
    var podIP: String
    var hostIP: String
    var ownerKind: String
    var ownerName: String
    var labels: [String: String]
    var containers: [Container]

    init(_ pod: JSONValue) {
        namespace = pod.sim.namespace
        name = pod.sim.name
        uid = pod.sim.uid
        phase = pod["status"]["phase"].stringValue ?? "Pending"
        ready = (PodState.readyCondition(pod)?["status"].stringValue ?? "Unknown").lowercased()
        node = pod["spec"]["nodeName"].stringValue ?? ""
        podIP = pod["status"]["podIP"].stringValue ?? ""
        hostIP = pod["status"]["hostIP"].stringValue ?? ""
        ownerKind = pod.sim.controllerRef?["kind"].stringValue ?? "<none>"
        ownerName = pod.sim.controllerRef?["name"].stringValue ?? "<none>"
        labels = pod.sim.labels
        containers = (pod["status"]["containerStatuses"].arrayValue ?? []).map { status in
            Container(name: status["name"].stringValue ?? "", ready: status["ready"].boolValue ?? false,
                      restarts: status["restartCount"].intValue ?? 0,
                      waitingReason: status["state"]["waiting"]["reason"].stringValue,
                      lastTerminatedReason: status["lastState"]["terminated"]["reason"].stringValue)
        }
    }
}

/// What kube-state-metrics reports about a Deployment.
struct DeploymentSummary: Sendable {
    var namespace: String
    var name: String
    var generation: Int
    var specReplicas: Int
    var counts: DeploymentCounts
    var conditions: [(type: String, status: String)]

    init(_ deployment: JSONValue) {
        namespace = deployment.sim.namespace
        name = deployment.sim.name
        generation = deployment.sim.generation
        specReplicas = deployment["spec"]["replicas"].intValue ?? 1
        counts = DeploymentCounts(status: deployment["status"])
        conditions = (deployment["status"]["conditions"].arrayValue ?? []).map {
            ($0["type"].stringValue ?? "", $0["status"].stringValue ?? "Unknown")
        }
    }
}

/// Parsed summaries of stored objects, re-parsed only when an object's resourceVersion
/// changes, so a scrape of a large cluster costs a dictionary lookup per unchanged object.
final class SummaryCache<Summary: Sendable>: Sendable {
    private let entries = NIOLockedValueBox<[StoreKey: (version: UInt64, summary: Summary)]>([:])
    private let make: @Sendable (JSONValue) -> Summary

    init(_ make: @escaping @Sendable (JSONValue) -> Summary) { self.make = make }

    /// Summaries of `objects`; forgets objects no longer present when `complete`.
    func summaries(_ objects: [StoredObject], complete: Bool) -> [Summary] {
        let known = entries.withLockedValue { $0 }
        var fresh: [StoreKey: (version: UInt64, summary: Summary)] = [:]
        fresh.reserveCapacity(objects.count)
        var out: [Summary] = []
        out.reserveCapacity(objects.count)
        for object in objects {
            if let entry = known[object.key], entry.version == object.resourceVersion {
                fresh[object.key] = entry
                out.append(entry.summary)
            } else {
                let summary = make(object.object)
                fresh[object.key] = (object.resourceVersion, summary)
                out.append(summary)
            }
        }
        entries.withLockedValue { e in
            if complete {
                e = fresh
            } else {
                e.merge(fresh) { _, new in new }
            }
        }
        return out
    }
}
