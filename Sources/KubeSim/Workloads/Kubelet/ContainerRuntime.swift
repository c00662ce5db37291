import Foundation
import KubeClient

/// How a container ended a run.
struct ContainerTermination: Sendable, Equatable {
    var reason: String
    var exitCode: Int
    var startedAt: Date
    var finishedAt: Date
    var containerID: String
}

/// Where a simulated container is in its life.
enum ContainerPhase: Sendable, Equatable {
    /// Pulling the image (`waiting: ContainerCreating`).
    case pulling(until: Date)
    /// A failed pull (`waiting: ErrImagePull`).
    case pullError(until: Date)
    /// Waiting to retry a failed pull (`waiting: ImagePullBackOff`).
    case pullBackOff(until: Date)
    /// Running since `since` (`running`).
    case running(since: Date)
    /// Waiting to restart after a failure (`waiting: CrashLoopBackOff`).
    case crashBackOff(until: Date)
    /// Finished for good (restartPolicy Never, or success under OnFailure).
    case terminated(ContainerTermination)
}

/// Something that happened to a container, reported as a kubelet Event.
struct ContainerEvent: Sendable, Equatable {
    var type: EventType
    var reason: String
    var message: String
}

/// One simulated container: its behaviour, its state, and the transitions time brings.
struct ContainerRuntime: Sendable {
    let name: String
    let image: String
    let behaviour: Behaviour
    /// `resources.limits.memory` in bytes, if set.
    let memoryLimit: Double?
    /// `readinessProbe.periodSeconds`, or the default.
    let probePeriod: Double
    let hasReadinessProbe: Bool
    let podUID: String
    let podDescription: String
    /// What the container's command does, where the simulator understands it.
    let program: ContainerProgram

    var phase: ContainerPhase
    var restartCount = 0
    /// Failed runs or pulls in a row, for the back-off.
    var failures = 0
    var lastTermination: ContainerTermination?
    /// When the next `Unhealthy` event is due while the container runs unready.
    var nextProbeFailure: Date?
    /// Whether the container ever started.
    var hasStarted = false

    /// Whether a command the simulator does not understand ends by itself under restartPolicy
    /// Never/OnFailure (after run-seconds): a Job's pod, or one with the run-seconds annotation.
    /// Any other pod runs it as a long-running server.
    let runsToCompletion: Bool

    init(container: JSONValue, annotations: [String: String], podUID: String, podDescription: String, start: Date,
         clock: SimulationClock, ownedByJob: Bool = true) {
        runsToCompletion = ownedByJob || annotations[BehaviourAnnotation.runSeconds] != nil
        name = container["name"].stringValue ?? ""
        image = container["image"].stringValue ?? ""
        let probe = container["readinessProbe"]
        hasReadinessProbe = !probe.isNull
        probePeriod = probe["periodSeconds"].doubleValue ?? ContainerTimings.defaultProbePeriod
        behaviour = Behaviour.resolve(annotations: annotations, image: image,
                                      readinessDelaySeconds: probe["initialDelaySeconds"].doubleValue)
        memoryLimit = container["resources"]["limits"]["memory"].stringValue
            .flatMap { try? Quantity(parsing: $0) }.map(\.doubleValue)
        self.podUID = podUID
        self.podDescription = podDescription
        // The run-seconds annotation, when given, wins over what the command says.
        program = annotations[BehaviourAnnotation.runSeconds] == nil ? ContainerProgram(container: container) : .unknown
        phase = .pulling(until: start.addingTimeInterval(clock.wall(ContainerTimings.pull)))
    }

    /// The container is OOM-killed: asked to, or its working set exceeds its memory limit.
    var isOOMKilled: Bool {
        behaviour.oomKilled || (memoryLimit.map { behaviour.memoryBytes > $0 } ?? false)
    }

    var containerID: String {
        "containerd://" + NodeTemplate.hex("\(podUID)/\(name)/\(restartCount)", 64)
    }

    var imageID: String { ImageReference.digestReference(image) }

    // MARK: Time

    /// When a running container becomes ready (nil: never).
    func readyAt(since: Date, clock: SimulationClock) -> Date? {
        guard behaviour.becomesReady else { return nil }
        return since.addingTimeInterval(clock.wall(behaviour.startupSeconds))
    }

    /// When and how a run that started at `since` ends by itself (nil: it runs on).
    func exit(since: Date, restartPolicy: RestartPolicy, clock: SimulationClock) -> (at: Date, reason: String, code: Int)? {
        if isOOMKilled {
            let seconds = restartPolicy == .always ? ContainerTimings.oomAfter
                : min(ContainerTimings.oomAfter, behaviour.runSeconds)
            return (since.addingTimeInterval(clock.wall(seconds)), "OOMKilled", 137)
        }
        if !behaviour.crashes {
            switch program.ending {
            case .exits(let seconds, let code):
                // Under restartPolicy Always a container that ends is restarted, even with code 0.
                return (since.addingTimeInterval(clock.wall(seconds)), code == 0 ? "Completed" : "Error", code)
            case .runsForever:
                return nil
            case .unknown:
                break
            }
        }
        if restartPolicy == .always || (!runsToCompletion && !behaviour.crashes) {
            guard behaviour.crashes else { return nil }
            return (since.addingTimeInterval(clock.wall(ContainerTimings.crashAfter)), "Error", 1)
        }
        let at = since.addingTimeInterval(clock.wall(behaviour.runSeconds))
        return behaviour.crashes ? (at, "Error", 1) : (at, "Completed", 0)
    }

    func isReady(at now: Date, clock: SimulationClock) -> Bool {
        guard case .running(let since) = phase, let readyAt = readyAt(since: since, clock: clock) else { return false }
        return now >= readyAt
    }

    /// The next moment something changes by itself.
    func nextChange(after now: Date, restartPolicy: RestartPolicy, clock: SimulationClock) -> Date? {
        switch phase {
        case .pulling(let until), .pullError(let until), .pullBackOff(let until), .crashBackOff(let until):
            return until
        case .running(let since):
            var candidates: [Date] = []
            if let readyAt = readyAt(since: since, clock: clock), readyAt > now { candidates.append(readyAt) }
            if let exit = exit(since: since, restartPolicy: restartPolicy, clock: clock) { candidates.append(exit.at) }
            if let nextProbeFailure { candidates.append(nextProbeFailure) }
            return candidates.min()
        case .terminated:
            return nil
        }
    }

    /// Applies every transition due by `now`, in order, collecting the events they cause.
    mutating func advance(to now: Date, restartPolicy: RestartPolicy, clock: SimulationClock) -> [ContainerEvent] {
        var events: [ContainerEvent] = []
        for _ in 0..<64 {  // bounded: each step moves the state forward in time
            guard step(now: now, restartPolicy: restartPolicy, clock: clock, events: &events) else { break }
        }
        return events
    }

    private mutating func step(now: Date, restartPolicy: RestartPolicy, clock: SimulationClock,
                               events: inout [ContainerEvent]) -> Bool {
        switch phase {
        case .pulling(let until):
            guard until <= now else { return false }
            if behaviour.imagePullFails {
                failures += 1
                phase = .pullError(until: until.addingTimeInterval(clock.wall(ContainerTimings.pullErrorShown)))
                events.append(.init(type: .warning, reason: "Failed",
                                    message: "Failed to pull image \"\(image)\": \(pullError)"))
                events.append(.init(type: .warning, reason: "Failed", message: "Error: ErrImagePull"))
            } else {
                let pulled = ContainerTimings.pull * clock.timeScale
                events.append(.init(type: .normal, reason: "Pulled",
                                    message: "Successfully pulled image \"\(image)\" in \(Self.milliseconds(pulled)) (\(Self.milliseconds(pulled)) including waiting). Image size: \(ImageReference.size(image)) bytes."))
                start(at: until, clock: clock, events: &events)
            }
            return true
        case .pullError(let until):
            guard until <= now else { return false }
            phase = .pullBackOff(until: until.addingTimeInterval(clock.wall(ContainerTimings.backoff(failures: failures - 1))))
            events.append(.init(type: .normal, reason: "BackOff", message: "Back-off pulling image \"\(image)\""))
            events.append(.init(type: .warning, reason: "Failed", message: "Error: ImagePullBackOff"))
            return true
        case .pullBackOff(let until):
            guard until <= now else { return false }
            phase = .pulling(until: until.addingTimeInterval(clock.wall(ContainerTimings.pull)))
            events.append(.init(type: .normal, reason: "Pulling", message: "Pulling image \"\(image)\""))
            return true
        case .running(let since):
            if let probe = nextProbeFailure, probe <= now {
                events.append(.init(type: .warning, reason: "Unhealthy",
                                    message: "Readiness probe failed: HTTP probe failed with statuscode: 503"))
                nextProbeFailure = probe.addingTimeInterval(clock.wall(probePeriod))
                if nextProbeFailure! <= now { nextProbeFailure = now.addingTimeInterval(clock.wall(probePeriod)) }
            }
            guard let exit = exit(since: since, restartPolicy: restartPolicy, clock: clock), exit.at <= now else {
                return false
            }
            let termination = ContainerTermination(reason: exit.reason, exitCode: exit.code, startedAt: since,
                                                   finishedAt: exit.at, containerID: containerID)
            lastTermination = termination
            nextProbeFailure = nil
            let ranLongEnough = clock.simulatedSeconds(from: since, to: exit.at) >= ContainerTimings.backoffReset
            let restarts = restartPolicy == .always || (restartPolicy == .onFailure && exit.code != 0)
            if restarts {
                failures = ranLongEnough ? 1 : failures + 1
                let delay = ContainerTimings.backoff(failures: failures - 1)
                phase = .crashBackOff(until: exit.at.addingTimeInterval(clock.wall(delay)))
                events.append(.init(type: .warning, reason: "BackOff",
                                    message: "Back-off restarting failed container \(name) in pod \(podDescription)"))
            } else {
                phase = .terminated(termination)
            }
            return true
        case .crashBackOff(let until):
            guard until <= now else { return false }
            restartCount += 1
            events.append(.init(type: .normal, reason: "Pulled",
                                message: "Container image \"\(image)\" already present on machine"))
            start(at: until, clock: clock, events: &events)
            return true
        case .terminated:
            return false
        }
    }

    private mutating func start(at time: Date, clock: SimulationClock, events: inout [ContainerEvent]) {
        phase = .running(since: time)
        hasStarted = true
        events.append(.init(type: .normal, reason: "Created", message: "Created container: \(name)"))
        events.append(.init(type: .normal, reason: "Started", message: "Started container \(name)"))
        if !behaviour.becomesReady {
            // The first probe fails once the start-up delay is over, then every period.
            nextProbeFailure = time.addingTimeInterval(clock.wall(behaviour.startupSeconds))
        } else {
            nextProbeFailure = nil
        }
    }

    var pullError: String {
        let reference = ImageReference.normalized(image)
        return "rpc error: code = NotFound desc = failed to pull and unpack image \"\(reference)\": failed to resolve reference \"\(reference)\": \(reference): not found"
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds >= 1 ? String(format: "%.3fs", seconds) : "\(Int((seconds * 1000).rounded()))ms"
    }

    // MARK: Status

    /// `state` as containerStatuses shows it.
    func stateJSON(restartPolicy: RestartPolicy) -> JSONValue {
        switch phase {
        case .pulling:
            return ["waiting": ["reason": "ContainerCreating"]]
        case .pullError:
            return ["waiting": ["reason": "ErrImagePull", "message": .string(pullError)]]
        case .pullBackOff:
            return ["waiting": ["reason": "ImagePullBackOff",
                                "message": .string("Back-off pulling image \"\(image)\": ErrImagePull: \(pullError)")]]
        case .running(let since):
            return ["running": ["startedAt": SimTime.string(since)]]
        case .crashBackOff:
            let delay = Int(ContainerTimings.backoff(failures: failures - 1))
            return ["waiting": ["reason": "CrashLoopBackOff",
                                "message": .string("back-off \(Self.duration(delay)) restarting failed container=\(name) pod=\(podDescription)")]]
        case .terminated(let termination):
            return ["terminated": Self.terminatedJSON(termination)]
        }
    }

    static func terminatedJSON(_ t: ContainerTermination) -> JSONValue {
        [
            "exitCode": .int(Int64(t.exitCode)), "reason": .string(t.reason),
            "startedAt": SimTime.string(t.startedAt), "finishedAt": SimTime.string(t.finishedAt),
            "containerID": .string(t.containerID),
        ]
    }

    static func duration(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds)s" : seconds % 60 == 0 ? "\(seconds / 60)m0s" : "\(seconds / 60)m\(seconds % 60)s"
    }

    func statusJSON(now: Date, restartPolicy: RestartPolicy, clock: SimulationClock) -> JSONValue {
        var status: JSONValue = [
            "name": .string(name), "image": .string(ImageReference.normalized(image)),
            "imageID": hasStarted ? .string(imageID) : "",
            "ready": .bool(isReady(at: now, clock: clock)), "restartCount": .int(Int64(restartCount)),
            "state": stateJSON(restartPolicy: restartPolicy),
            "lastState": lastTermination.map { ["terminated": Self.terminatedJSON($0)] } ?? .emptyObject,
        ]
        switch phase {
        case .running:
            status["started"] = true
            status["containerID"] = .string(containerID)
        case .terminated(let t):
            status["started"] = false
            status["containerID"] = .string(t.containerID)
        case .crashBackOff:
            status["started"] = false
            if let t = lastTermination { status["containerID"] = .string(t.containerID) }
        default:
            status["started"] = false
        }
        return status
    }
}

/// `spec.restartPolicy`.
enum RestartPolicy: String, Sendable {
    case always = "Always"
    case onFailure = "OnFailure"
    case never = "Never"
}
