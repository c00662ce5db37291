import Analysis
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// Gathers what the analyzer judges: pod states, recent Events, log tails of unhealthy
/// pods, and the measurements the checks took.
struct FactsGatherer: Sendable {
    let api: any KubernetesAPI
    /// Reads the last lines of a container's log; nil when logs cannot be read.
    let logs: @Sendable (_ namespace: String, _ pod: String, _ container: String) async -> [String]?

    static let logLines = 20
    static let maxEvents = 20

    func facts(pods: ColorPods, rollout: BlueGreenDeployment, revision: String, analysis: AnalysisStatus,
               checks: [AnalysisCheck], results: [CheckResult]) async -> AnalysisFacts {
        let namespace = rollout.metadata.namespace ?? "default"
        let podFacts = pods.pods.map(Self.podFact)
        var logTails: [LogTail] = []
        for fact in podFacts where !fact.ready || fact.restarts > 0 {
            for container in fact.containers.prefix(2) {
                if let lines = await logs(namespace, fact.name, container.name), !lines.isEmpty {
                    logTails.append(LogTail(pod: fact.name, container: container.name, lines: Array(lines.suffix(Self.logLines))))
                }
            }
            if logTails.count >= 4 { break }
        }
        var metrics: [MetricSample] = []
        for (check, state) in zip(checks, analysis.checks ?? []) {
            let values = (state.measurements ?? []).map { Double($0.value) ?? .nan }
            let query = check.prometheus.map { CheckMeasurer.substitute($0.query, rollout: rollout, pods: pods, revision: revision) }
            metrics.append(MetricSample(name: check.name, query: query ?? "builtin \(check.builtin?.type ?? "")",
                                        kind: Self.kind(of: check), values: values))
        }
        return AnalysisFacts(metrics: metrics, pods: podFacts, events: await events(namespace: namespace, pods: pods),
                             logs: logTails, checks: results)
    }

    /// Recent Events about the color's pods and Deployment, newest last.
    func events(namespace: String, pods: ColorPods) async -> [EventFact] {
        guard let list = try? await api.list(.events, namespace: namespace, options: ListOptions(limit: 500)) else { return [] }
        let names = Set(pods.names)
        let relevant = list.items.filter { event in
            let object = event["involvedObject"]["name"].stringValue ?? ""
            return names.contains(object) || object.contains("-\(pods.color.rawValue)")
        }
        return relevant.suffix(Self.maxEvents).map { e in
            EventFact(type: e["type"].stringValue ?? "Normal", reason: e["reason"].stringValue ?? "",
                      message: e["message"].stringValue ?? "",
                      object: "\(e["involvedObject"]["kind"].stringValue ?? "")/\(e["involvedObject"]["name"].stringValue ?? "")",
                      count: e["count"].intValue ?? 1)
        }
    }

    static func kind(of check: AnalysisCheck) -> MetricKind {
        if let builtin = check.builtin {
            switch builtin.type {
            case "CPU": return .cpuUtilization
            case "Memory": return .memoryUtilization
            default: return .other
            }
        }
        let text = (check.name + " " + (check.prometheus?.query ?? "")).lowercased()
        if text.contains("error") || text.contains("5..") { return .errorRate }
        if text.contains("latency") || text.contains("duration") { return .latency }
        return .other
    }

    static func podFact(_ pod: JSONValue) -> PodFact {
        let statuses = pod["status"]["containerStatuses"].arrayValue ?? []
        let specs = pod["spec"]["containers"].arrayValue ?? []
        let containers = specs.map { spec -> ContainerFact in
            let name = spec["name"].stringValue ?? ""
            let status = statuses.first { $0["name"].stringValue == name } ?? .null
            let state: Analysis.ContainerState
            if let waiting = status["state"]["waiting"].objectValue {
                state = .waiting(reason: waiting["reason"]?.stringValue ?? "Waiting", message: waiting["message"]?.stringValue)
            } else if let terminated = status["state"]["terminated"].objectValue {
                state = .terminated(ContainerTermination(reason: terminated["reason"]?.stringValue ?? "Terminated",
                                                         exitCode: terminated["exitCode"]?.intValue ?? 0))
            } else {
                state = .running
            }
            let last = status["lastState"]["terminated"]
            let lastTermination = last.isNull ? nil : ContainerTermination(reason: last["reason"].stringValue ?? "Terminated",
                                                                            exitCode: last["exitCode"].intValue ?? 0)
            let limits = ResourceLimits(
                cpuCores: spec["resources"]["limits"]["cpu"].stringValue.flatMap { try? Quantity(parsing: $0) }?.doubleValue,
                memoryBytes: spec["resources"]["limits"]["memory"].stringValue.flatMap { try? Quantity(parsing: $0) }?.doubleValue)
            var env: [String: String] = [:]
            for e in spec["env"].arrayValue ?? [] {
                if let n = e["name"].stringValue, let v = e["value"].stringValue { env[n] = v }
            }
            return ContainerFact(name: name, image: spec["image"].stringValue ?? "", ready: status["ready"].boolValue ?? false,
                                 restartCount: status["restartCount"].intValue ?? 0, state: state,
                                 lastTermination: lastTermination, limits: limits, environment: env)
        }
        let scheduled = (pod["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "PodScheduled" }
        let unscheduled = scheduled?["status"] == "False"
        return PodFact(name: pod["metadata"]["name"].stringValue ?? "",
                       phase: PodPhase(rawValue: pod["status"]["phase"].stringValue ?? "") ?? .unknown,
                       ready: ColorPods.isReady(pod),
                       pendingReason: unscheduled ? scheduled?["reason"].stringValue : nil,
                       pendingMessage: unscheduled ? scheduled?["message"].stringValue : nil,
                       containers: containers)
    }
}
