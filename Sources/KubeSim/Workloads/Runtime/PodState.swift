import Foundation
import KubeClient

/// What controllers read from a pod's status.
enum PodState {
    static func phase(_ pod: JSONValue) -> String { pod["status"]["phase"].stringValue ?? "Pending" }

    /// Not being deleted and not finished: counts toward a controller's replicas.
    static func isActive(_ pod: JSONValue) -> Bool {
        let phase = phase(pod)
        return !pod.sim.isDeleting && phase != "Succeeded" && phase != "Failed"
    }

    static func readyCondition(_ pod: JSONValue) -> JSONValue? {
        pod["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == "Ready" }
    }

    static func isReady(_ pod: JSONValue) -> Bool { readyCondition(pod)?["status"].stringValue == "True" }

    /// When the pod last became Ready (nil when it is not).
    static func readySince(_ pod: JSONValue) -> Date? {
        guard let condition = readyCondition(pod), condition["status"].stringValue == "True" else { return nil }
        return SimTime.date(condition["lastTransitionTime"])
    }

    /// Ready for at least `minReadySeconds` (simulated) by `now`. `exactReadySince` (from
    /// the kubelet) replaces the condition's whole-second transition time when known.
    static func isAvailable(_ pod: JSONValue, minReadySeconds: Int, now: Date, clock: SimulationClock,
                            exactReadySince: Date? = nil) -> Bool {
        guard isReady(pod) else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = exactReadySince ?? readySince(pod) else { return false }
        return since.addingTimeInterval(clock.wall(Double(minReadySeconds))) <= now
    }

    /// When a Ready pod becomes available (nil when it is not Ready or already available).
    static func availableAt(_ pod: JSONValue, minReadySeconds: Int, now: Date, clock: SimulationClock,
                            exactReadySince: Date? = nil) -> Date? {
        guard minReadySeconds > 0, isReady(pod), let since = exactReadySince ?? readySince(pod) else { return nil }
        let at = since.addingTimeInterval(clock.wall(Double(minReadySeconds)))
        return at > now ? at : nil
    }

    static func restartCount(_ pod: JSONValue) -> Int {
        (pod["status"]["containerStatuses"].arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"].intValue ?? 0) }
    }

    static func selector(_ value: JSONValue) -> LabelSelector? {
        guard case .object = value else { return nil }
        return try? value.decode(LabelSelector.self)
    }

    /// The order kube-controller-manager deletes surplus pods in: unscheduled, then pending,
    /// then not ready, then the most recently ready, the most restarted, the newest.
    static func deletionOrder(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let aNode = !(a["spec"]["nodeName"].stringValue ?? "").isEmpty
        let bNode = !(b["spec"]["nodeName"].stringValue ?? "").isEmpty
        if aNode != bNode { return !aNode }
        let rank = ["Pending": 0, "Unknown": 1, "Running": 2]
        let aPhase = rank[phase(a)] ?? 3, bPhase = rank[phase(b)] ?? 3
        if aPhase != bPhase { return aPhase < bPhase }
        let aReady = isReady(a), bReady = isReady(b)
        if aReady != bReady { return !aReady }
        if aReady, let x = readySince(a), let y = readySince(b), x != y { return x > y }
        let aRestarts = restartCount(a), bRestarts = restartCount(b)
        if aRestarts != bRestarts { return aRestarts > bRestarts }
        let aCreated = a.sim.creationTimestamp ?? .distantPast, bCreated = b.sim.creationTimestamp ?? .distantPast
        if aCreated != bCreated { return aCreated > bCreated }
        return a.sim.name > b.sim.name
    }
}
