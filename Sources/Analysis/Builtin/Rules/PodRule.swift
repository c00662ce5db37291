/// Judges pods: pending and failed pods, crash loops, restarts, image pulls, OOM kills,
/// containers that cannot start, and readiness.
struct PodRule: BuiltinRule {
    static let imagePullReasons: Set<String> = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"]
    static let startFailureReasons: Set<String> = ["CreateContainerConfigError", "CreateContainerError", "RunContainerError", "PreStartHookError", "PostStartHookError"]
    static let startingReasons: Set<String> = ["ContainerCreating", "PodInitializing"]

    func observe(_ facts: AnalysisFacts, thresholds: BuiltinThresholds) -> [Observation] {
        guard !facts.pods.isEmpty else { return [] }
        var observations: [Observation] = []
        var explained: Set<String> = []   // pods whose trouble a critical finding already names
        for pod in facts.pods {
            let found = observe(pod, thresholds: thresholds)
            if found.contains(where: { $0.effect == .fails }) { explained.insert(pod.name) }
            observations += found
        }
        observations += readiness(facts.pods, explained: explained, thresholds: thresholds)
        return observations
    }

    private func observe(_ pod: PodFact, thresholds: BuiltinThresholds) -> [Observation] {
        var observations: [Observation] = []
        for container in pod.containers {
            observations += observe(container, in: pod, thresholds: thresholds)
        }
        let containerFailure = observations.contains { $0.effect == .fails }
        switch pod.phase {
        case .pending where !containerFailure:
            if let reason = pod.pendingReason, !reason.isEmpty {
                let advice = reason == "Unschedulable"
                    ? "Make room for the pod: add nodes or lower its resource requests, and check taints, node selectors and affinity."
                    : "Resolve why the pod is pending (\(reason)) before going ahead."
                observations.append(Observation(.fails, .critical, "Pod pending: \(reason)",
                    evidence: "pod \(pod.name) is Pending: \(reason)\(pod.pendingMessage.map { " – \($0)" } ?? "")",
                    recommendation: advice, group: "pending/\(reason)", instance: pod.name))
            } else if !observations.contains(where: { $0.effect == .undetermined }) {
                observations.append(Observation(.undetermined, .warning, "Pod not started yet",
                    evidence: "pod \(pod.name) is Pending with no scheduling problem reported",
                    recommendation: "Analyse again once the pods are running.", group: "pending", instance: pod.name))
            }
        case .failed where !containerFailure:
            observations.append(Observation(.fails, .critical, "Pod failed",
                evidence: "pod \(pod.name) is Failed\(pod.pendingMessage.map { ": \($0)" } ?? "")",
                recommendation: "Read the pod's events and its containers' last logs.", group: "failed", instance: pod.name))
        case .unknown:
            observations.append(Observation(.undetermined, .warning, "Pod state unknown",
                evidence: "pod \(pod.name) is in phase Unknown (its node may be unreachable)",
                recommendation: "Check the node the pod runs on.", group: "unknown", instance: pod.name))
        default:
            break
        }
        return observations
    }

    private func observe(_ container: ContainerFact, in pod: PodFact, thresholds: BuiltinThresholds) -> [Observation] {
        let at = "\(pod.name)/\(container.name)"
        let oomKilled = container.lastTermination?.reason == "OOMKilled" || {
            if case .terminated(let t) = container.state { return t.reason == "OOMKilled" }
            return false
        }()
        var observations: [Observation] = []
        var restartsExplained = false
        if oomKilled {
            let limit = container.limits.memoryBytes.map { "memory limit \(Format.bytes($0))" } ?? "no memory limit set"
            observations.append(Observation(.fails, .critical, "OOMKilled: \(container.name)",
                evidence: "container \(at) was killed for using too much memory (\(limit)); restarts: \(container.restartCount)",
                recommendation: "Raise the memory limit of container \(container.name) or find what allocates the memory.",
                group: "oom/\(container.name)", instance: pod.name))
            restartsExplained = true
        }
        switch container.state {
        case .waiting(let reason, let message):
            let detail = message.map { ": \($0)" } ?? ""
            if reason == "CrashLoopBackOff" {
                let last = container.lastTermination.map { ", last exit \($0.reason) (code \($0.exitCode))" } ?? ""
                observations.append(Observation(.fails, .critical, "CrashLoopBackOff: \(container.name)",
                    evidence: "container \(at) is in CrashLoopBackOff after \(container.restartCount) restarts\(last)",
                    recommendation: "Read the previous run's log (kubectl logs \(pod.name) -c \(container.name) --previous) and fix the crash.",
                    group: "crashloop/\(container.name)", instance: pod.name))
                restartsExplained = true
            } else if Self.imagePullReasons.contains(reason) {
                observations.append(Observation(.fails, .critical, "Image pull failure: \(container.name)",
                    evidence: "container \(at) cannot pull \(container.image.isEmpty ? "its image" : container.image) (\(reason)\(detail))",
                    recommendation: "Check the image name and tag, that it exists in the registry, and the pod's imagePullSecrets.",
                    group: "imagepull/\(container.name)", instance: pod.name))
            } else if Self.startFailureReasons.contains(reason) {
                observations.append(Observation(.fails, .critical, "Container cannot start: \(container.name)",
                    evidence: "container \(at) is waiting with \(reason)\(detail)",
                    recommendation: "Fix the container's configuration: missing Secrets or ConfigMaps, bad command, volume mounts.",
                    group: "start/\(container.name)/\(reason)", instance: pod.name))
            } else if Self.startingReasons.contains(reason) {
                observations.append(Observation(.undetermined, .warning, "Container still starting",
                    evidence: "container \(at) is \(reason)",
                    recommendation: "Analyse again once the pods are running.", group: "starting", instance: pod.name))
            } else {
                observations.append(Observation(.undetermined, .warning, "Container waiting: \(reason)",
                    evidence: "container \(at) is waiting with \(reason)\(detail)", group: "waiting/\(reason)", instance: pod.name))
            }
        case .terminated(let termination) where termination.exitCode != 0 && termination.reason != "OOMKilled":
            observations.append(Observation(.notes, .warning, "Container exited with an error: \(container.name)",
                evidence: "container \(at) terminated with \(termination.reason) (code \(termination.exitCode))\(termination.message.map { ": \($0)" } ?? "")",
                group: "exit/\(container.name)", instance: pod.name))
        default:
            break
        }
        if !restartsExplained, container.restartCount >= thresholds.restartWarning {
            let failing = container.restartCount >= thresholds.restartFailure
            let last = container.lastTermination.map { "; last exit \($0.reason) (code \($0.exitCode))" } ?? ""
            observations.append(Observation(failing ? .fails : .notes, failing ? .critical : .warning,
                "Container restarting: \(container.name)",
                evidence: "container \(at) restarted \(container.restartCount) times\(last)",
                recommendation: failing ? "Read the previous run's log (kubectl logs \(pod.name) -c \(container.name) --previous)." : nil,
                group: "restarts/\(container.name)", instance: pod.name))
        }
        return observations
    }

    private func readiness(_ pods: [PodFact], explained: Set<String>, thresholds: BuiltinThresholds) -> [Observation] {
        let running = pods.filter { $0.phase == .running }
        guard !running.isEmpty else { return [] }
        let ready = running.filter(\.ready)
        let fraction = Double(ready.count) / Double(running.count)
        guard fraction < thresholds.minReadyFraction else {
            return [.healthy("\(ready.count)/\(running.count) running pods ready")]
        }
        let unexplained = running.filter { !$0.ready && !explained.contains($0.name) }
        guard !unexplained.isEmpty else { return [] }
        let names = unexplained.prefix(5).map(\.name).joined(separator: ", ")
        return [Observation(.fails, .critical, "Pods not ready",
            evidence: "\(ready.count) of \(running.count) running pods are ready (\(Format.percent(thresholds.minReadyFraction)) required); not ready: \(names)\(unexplained.count > 5 ? ", …" : "")",
            recommendation: "Check the readiness probes and the Unhealthy events of the pods that are not ready.")]
    }
}
