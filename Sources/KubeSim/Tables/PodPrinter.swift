import Foundation
import KubeClient

/// NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE READINESS GATES with -o wide),
/// computed as kubectl's pod printer does.
enum PodPrinter {
    static let columns: [TableColumn] = [
        .objectName,
        TableColumn(name: "Ready", description: "The aggregate readiness state of this pod for accepting traffic."),
        TableColumn(name: "Status", description: "The aggregate status of the containers in this pod."),
        TableColumn(name: "Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        .age,
        TableColumn(name: "IP", priority: 1, description: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
        TableColumn(name: "Node", priority: 1, description: "NodeName indicates in which node this pod is scheduled."),
        TableColumn(name: "Nominated Node", priority: 1, description: "nominatedNodeName is set only when this pod preempts other pods on the node."),
        TableColumn(name: "Readiness Gates", priority: 1, description: "If specified, all readiness gates will be evaluated for pod readiness."),
    ]

    static let printer = TableBuilder(columns: columns, cells: cells, conditions: conditions)

    static func conditions(_ pod: JSONValue) -> JSONValue? {
        switch pod[path: ["status", "phase"]].stringValue {
        case "Succeeded":
            return [["type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."]]
        case "Failed":
            return [["type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."]]
        default:
            return nil
        }
    }

    static func isRestartable(_ container: JSONValue?) -> Bool { container?["restartPolicy"].stringValue == "Always" }

    static func cells(_ pod: JSONValue, now: Date) -> [JSONValue] {
        let spec = pod["spec"], status = pod["status"]
        var restarts = 0
        var restartableInitRestarts = 0
        var totalContainers = spec["containers"].arrayValue?.count ?? 0
        var readyContainers = 0
        var lastRestart = 0.0
        var lastRestartableInitRestart = 0.0
        let phase = status["phase"].stringValue ?? ""
        var reason = status["reason"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? phase
        for condition in status["conditions"].arrayValue ?? []
        where condition["type"] == "PodScheduled" && condition["reason"] == "SchedulingGated" {
            reason = "SchedulingGated"
        }
        var initContainers: [String: JSONValue] = [:]
        let initSpecs = spec["initContainers"].arrayValue ?? []
        for container in initSpecs {
            initContainers[container["name"].stringValue ?? ""] = container
            if isRestartable(container) { totalContainers += 1 }
        }
        func finishedAt(_ status: JSONValue) -> Double {
            RFC3339Time.seconds(status[path: ["lastState", "terminated", "finishedAt"]].stringValue) ?? 0
        }

        var initializing = false
        for (i, container) in (status["initContainerStatuses"].arrayValue ?? []).enumerated() {
            restarts += container["restartCount"].intValue ?? 0
            lastRestart = max(lastRestart, finishedAt(container))
            let restartable = isRestartable(initContainers[container["name"].stringValue ?? ""])
            if restartable {
                restartableInitRestarts += container["restartCount"].intValue ?? 0
                lastRestartableInitRestart = max(lastRestartableInitRestart, finishedAt(container))
            }
            let terminated = container[path: ["state", "terminated"]]
            let waiting = container[path: ["state", "waiting"]]
            if !terminated.isNull && (terminated["exitCode"].intValue ?? 0) == 0 { continue }
            if restartable && container["started"] == true {
                if container["ready"] == true { readyContainers += 1 }
                continue
            }
            if !terminated.isNull {
                if let r = terminated["reason"].stringValue, !r.isEmpty {
                    reason = "Init:" + r
                } else if let signal = terminated["signal"].intValue, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"].intValue ?? 0)"
                }
            } else if let r = waiting["reason"].stringValue, !r.isEmpty, r != "PodInitializing" {
                reason = "Init:" + r
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
            }
            initializing = true
            break
        }

        if !initializing || PrinterFormatting.hasCondition(status["conditions"], type: "Initialized") {
            restarts = restartableInitRestarts
            lastRestart = lastRestartableInitRestart
            var hasRunning = false
            for container in (status["containerStatuses"].arrayValue ?? []).reversed() {
                restarts += container["restartCount"].intValue ?? 0
                lastRestart = max(lastRestart, finishedAt(container))
                let waiting = container[path: ["state", "waiting"]]
                let terminated = container[path: ["state", "terminated"]]
                if let r = waiting["reason"].stringValue, !r.isEmpty {
                    reason = r
                } else if let r = terminated["reason"].stringValue, !r.isEmpty {
                    reason = r
                } else if !terminated.isNull {
                    if let signal = terminated["signal"].intValue, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated["exitCode"].intValue ?? 0)"
                    }
                } else if container["ready"] == true && !container[path: ["state", "running"]].isNull {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed" && hasRunning {
                reason = PrinterFormatting.hasCondition(status["conditions"], type: "Ready") ? "Running" : "NotReady"
            }
        }

        let deleting = !pod[path: ["metadata", "deletionTimestamp"]].isNull
        if deleting && status["reason"].stringValue == "NodeLost" {
            reason = "Unknown"
        } else if deleting && phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating"
        }

        var restartsText = String(restarts)
        if restarts != 0 && lastRestart > 0 {
            restartsText = "\(restarts) (\(HumanDuration.format(now.timeIntervalSince1970 - lastRestart)) ago)"
        }

        var podIP = status["podIPs"][0]["ip"].stringValue ?? ""
        if podIP.isEmpty { podIP = status["podIP"].stringValue ?? "" }
        var readinessGates = "<none>"
        if let gates = spec["readinessGates"].arrayValue, !gates.isEmpty {
            let trueCount = gates.filter { gate in
                PrinterFormatting.hasCondition(status["conditions"], type: gate["conditionType"].stringValue ?? "")
            }.count
            readinessGates = "\(trueCount)/\(gates.count)"
        }
        return [
            PrinterFormatting.name(pod), .string("\(readyContainers)/\(totalContainers)"), .string(reason),
            .string(restartsText), PrinterFormatting.age(pod, now: now),
            .string(podIP.isEmpty ? "<none>" : podIP),
            .string(PrinterFormatting.string(spec["nodeName"], orElse: "<none>")),
            .string(PrinterFormatting.string(status["nominatedNodeName"], orElse: "<none>")),
            .string(readinessGates),
        ]
    }
}
