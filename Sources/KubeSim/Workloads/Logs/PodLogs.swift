import Foundation
import KubeClient

/// Reads the logs of the simulated containers (`GET pods/{name}/log`), with kubelet's
/// answers for containers that have no logs yet.
struct PodLogs: Sendable {
    let client: ClusterClient
    let kubelet: Kubelet
    let clock: SimulationClock

    struct Options: Sendable {
        var container: String?
        var tailLines: Int?
        var sinceSeconds: Int?
        var sinceTime: Date?
        var timestamps = false
        var previous = false
        var limitBytes: Int?
        var follow = false
    }

    /// The script of the run being asked for, or the error kubelet would answer.
    func script(namespace: String, name: String, options: Options) throws(APIError) -> LogScript {
        let key = StoreKey(namespace: namespace, name: name)
        guard let pod = client.object(WorkloadResource.pods, key) else {
            throw APIError.notFound(WorkloadResource.pods, name: name)
        }
        let names = (pod["spec"]["containers"].arrayValue ?? []).compactMap { $0["name"].stringValue }
        let containerName: String
        if let requested = options.container, !requested.isEmpty {
            let initNames = (pod["spec"]["initContainers"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            guard names.contains(requested) || initNames.contains(requested) else {
                throw APIError.badRequest("container \(requested) is not valid for pod \(name)")
            }
            containerName = requested
        } else if let preferred = pod.sim.annotation("kubectl.kubernetes.io/default-container"), names.contains(preferred) {
            containerName = preferred
        } else if names.count == 1 {
            containerName = names[0]
        } else {
            throw APIError.badRequest("a container name must be specified for pod \(name), choose one of: [\(names.joined(separator: " "))]")
        }
        guard let runtime = kubelet.pod(key), runtime.uid == pod.sim.uid,
              let container = runtime.containers.first(where: { $0.name == containerName }) else {
            throw APIError.badRequest("container \"\(containerName)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
        }
        func script(since: Date, end: Date?, exit: ContainerTermination?, run: Int) -> LogScript {
            LogScript(pod: key, podUID: runtime.uid, podIP: runtime.podIP, container: container,
                      restartPolicy: runtime.restartPolicy, clock: clock, run: run, since: since, end: end, exit: exit)
        }
        if options.previous {
            guard let last = container.lastTermination else {
                throw APIError.badRequest("previous terminated container \"\(containerName)\" in pod \"\(name)\" not found")
            }
            let run = container.phase.isRunning ? container.restartCount - 1 : container.restartCount
            return script(since: last.startedAt, end: last.finishedAt, exit: last, run: max(0, run))
        }
        switch container.phase {
        case .running(let since):
            return script(since: since, end: nil, exit: nil, run: container.restartCount)
        case .terminated(let t):
            return script(since: t.startedAt, end: t.finishedAt, exit: t, run: container.restartCount)
        case .crashBackOff:
            // kubelet serves the logs of the run that just failed.
            guard let last = container.lastTermination else {
                throw APIError.badRequest("container \"\(containerName)\" in pod \"\(name)\" is waiting to start: CrashLoopBackOff")
            }
            return script(since: last.startedAt, end: last.finishedAt, exit: last, run: container.restartCount)
        case .pulling:
            throw APIError.badRequest("container \"\(containerName)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
        case .pullError, .pullBackOff:
            throw APIError.badRequest("container \"\(containerName)\" in pod \"\(name)\" is waiting to start: trying and failing to pull image")
        }
    }

    /// The lines to send now, filtered by the options.
    func select(_ script: LogScript, options: Options, now: Date) -> [LogLine] {
        var lines = script.lines(until: now, tail: options.tailLines)
        if let seconds = options.sinceSeconds {
            let from = now.addingTimeInterval(-Double(seconds))
            lines.removeAll { $0.time < from }
        }
        if let sinceTime = options.sinceTime { lines.removeAll { $0.time < sinceTime } }
        return lines
    }

    static func render(_ line: LogLine, timestamps: Bool) -> String {
        timestamps ? "\(KubeTimestamp.format(line.time, fractionalDigits: 9)) \(line.text)\n" : "\(line.text)\n"
    }

    /// Whether the run a script describes is still the container's current, running one.
    func isStillRunning(_ script: LogScript) -> Bool {
        guard script.end == nil, let runtime = kubelet.pod(script.pod), runtime.uid == script.podUID,
              let container = runtime.containers.first(where: { $0.name == script.container.name }),
              case .running(let since) = container.phase else { return false }
        return since == script.since
    }
}

extension ContainerPhase {
    var isRunning: Bool { if case .running = self { return true } else { return false } }
}
