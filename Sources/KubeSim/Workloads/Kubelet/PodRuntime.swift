import Foundation
import KubeClient

/// One pod as the simulated kubelet runs it: its containers, its address and the traffic
/// it serves while Ready.
struct PodRuntime: Sendable {
    let key: ObjectKey
    let uid: String
    let node: String
    let hostIP: String
    let podIP: String
    let startTime: Date
    let restartPolicy: RestartPolicy
    var containers: [ContainerRuntime]
    let initContainers: [(name: String, image: String)]
    /// Requests served per second, error rate and latency: the first container's behaviour.
    let traffic: Behaviour
    /// Seconds of serving before `servingSince`, in the current run of the first container.
    var servedSeconds: Double = 0
    var servingSince: Date?
    /// The first container's restart count the traffic counters belong to (they restart with it).
    var trafficRun = 0

    init(pod: JSONValue, node: String, hostIP: String, podIP: String, now: Date, clock: SimulationClock) {
        key = pod.sim.key
        uid = pod.sim.uid
        self.node = node
        self.hostIP = hostIP
        self.podIP = podIP
        startTime = now
        restartPolicy = RestartPolicy(rawValue: pod["spec"]["restartPolicy"].stringValue ?? "") ?? .always
        let annotations = pod.sim.annotations
        let description = "\(key.name)_\(key.namespace)(\(uid))"
        let previous = pod["status"]["containerStatuses"].arrayValue ?? []
        let ownedByJob = (pod["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["kind"] == "Job" }
        containers = (pod["spec"]["containers"].arrayValue ?? []).map { spec in
            var container = ContainerRuntime(container: spec, annotations: annotations, podUID: pod.sim.uid,
                                             podDescription: description, start: now, clock: clock,
                                             ownedByJob: ownedByJob)
            // A pod adopted after the simulator restarted keeps counting its restarts.
            if let old = previous.first(where: { $0["name"].stringValue == container.name }) {
                container.restartCount = old["restartCount"].intValue ?? 0
            }
            return container
        }
        initContainers = (pod["spec"]["initContainers"].arrayValue ?? []).map {
            ($0["name"].stringValue ?? "", $0["image"].stringValue ?? "")
        }
        traffic = containers.first?.behaviour ?? Behaviour()
    }

    // MARK: Time

    /// Applies every transition due by `now`; returns the events per container.
    mutating func advance(to now: Date, clock: SimulationClock) -> [(container: String, event: ContainerEvent)] {
        var events: [(String, ContainerEvent)] = []
        for i in containers.indices {
            for event in containers[i].advance(to: now, restartPolicy: restartPolicy, clock: clock) {
                events.append((containers[i].name, event))
            }
        }
        accountTraffic(now: now, clock: clock)
        return events
    }

    func nextChange(after now: Date, clock: SimulationClock) -> Date? {
        containers.compactMap { $0.nextChange(after: now, restartPolicy: restartPolicy, clock: clock) }.min()
    }

    func isReady(at now: Date, clock: SimulationClock) -> Bool {
        !containers.isEmpty && containers.allSatisfy { $0.isReady(at: now, clock: clock) }
    }

    /// Keeps `servedSeconds` and `servingSince` in step with readiness and restarts.
    private mutating func accountTraffic(now: Date, clock: SimulationClock) {
        if let first = containers.first, first.restartCount != trafficRun {
            trafficRun = first.restartCount
            servedSeconds = 0
            servingSince = nil
        }
        if isReady(at: now, clock: clock) {
            if servingSince == nil {
                // Serving began when the last container became ready.
                let readySince = containers.compactMap { container -> Date? in
                    guard case .running(let since) = container.phase else { return nil }
                    return container.readyAt(since: since, clock: clock)
                }.max() ?? now
                servingSince = min(readySince, now)
            }
        } else if let since = servingSince {
            servedSeconds += max(0, now.timeIntervalSince(since))
            servingSince = nil
        }
    }

    /// Wall seconds this pod has served traffic in the current run of its first container.
    func servedSeconds(at now: Date) -> Double {
        servedSeconds + (servingSince.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    // MARK: Status

    var phase: String {
        if restartPolicy == .always {
            return containers.allSatisfy(\.hasStarted) ? "Running" : "Pending"
        }
        let terminations = containers.compactMap { c -> ContainerTermination? in
            if case .terminated(let t) = c.phase { return t }
            return nil
        }
        if terminations.count == containers.count && !containers.isEmpty {
            return terminations.allSatisfy { $0.exitCode == 0 } ? "Succeeded" : "Failed"
        }
        return containers.allSatisfy(\.hasStarted) ? "Running" : "Pending"
    }

    /// The pod status the kubelet reports; condition transition times carry over from
    /// `previous` while a condition keeps its status.
    func status(now: Date, clock: SimulationClock, previous: JSONValue) -> JSONValue {
        let phase = self.phase
        let terminal = phase == "Succeeded" || phase == "Failed"
        let unready = containers.filter { !$0.isReady(at: now, clock: clock) }.map(\.name)
        let ready = !terminal && unready.isEmpty && !containers.isEmpty
        let oldConditions = previous["conditions"].arrayValue ?? []
        func condition(_ type: String, _ status: Bool, reason: String? = nil, message: String? = nil) -> JSONValue {
            let text = status ? "True" : "False"
            let old = oldConditions.first { $0["type"].stringValue == type }
            // (Spelled out: JSONValue is ExpressibleByNilLiteral, so a `nil` branch would be JSON null.)
            var since = SimTime.string(now)
            if let old, old["status"].stringValue == text, !old["lastTransitionTime"].isNull {
                since = old["lastTransitionTime"]
            }
            var value: JSONValue = ["type": .string(type), "status": .string(text), "lastTransitionTime": since]
            if let reason { value["reason"] = .string(reason) }
            if let message { value["message"] = .string(message) }
            return value
        }
        let notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady"
        let notReadyMessage = terminal ? nil : "containers with unready status: [\(unready.joined(separator: " "))]"
        var status: JSONValue = [
            "phase": .string(phase),
            "conditions": [
                condition("PodReadyToStartContainers", !terminal),
                condition("Initialized", true),
                ready ? condition("Ready", true) : condition("Ready", false, reason: notReadyReason, message: notReadyMessage),
                ready ? condition("ContainersReady", true)
                    : condition("ContainersReady", false, reason: notReadyReason, message: notReadyMessage),
                condition("PodScheduled", true),
            ],
            "hostIP": .string(hostIP), "hostIPs": [["ip": .string(hostIP)]],
            "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]],
            "startTime": SimTime.string(startTime),
            "containerStatuses": .array(containers.map { $0.statusJSON(now: now, restartPolicy: restartPolicy, clock: clock) }),
        ]
        if !initContainers.isEmpty {
            status["initContainerStatuses"] = .array(initContainers.enumerated().map { i, container in
                let id = "containerd://" + NodeTemplate.hex("\(uid)/init/\(container.name)", 64)
                return [
                    "name": .string(container.name), "image": .string(ImageReference.normalized(container.image)),
                    "imageID": .string(ImageReference.digestReference(container.image)),
                    "ready": true, "restartCount": 0, "started": false, "containerID": .string(id),
                    "state": ["terminated": [
                        "exitCode": 0, "reason": "Completed", "containerID": .string(id),
                        "startedAt": SimTime.string(startTime), "finishedAt": SimTime.string(startTime),
                    ]],
                    "lastState": .emptyObject,
                ]
            })
        }
        if let qos = previous["qosClass"].stringValue { status["qosClass"] = .string(qos) }
        return status
    }
}
