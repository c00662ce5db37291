import KubeClient
import OperatorKit
import OpsAPI

/// The cluster objects actions read, from the manager's caches, and what actions say of pods.
enum WorkloadTargets {
    static let pods = ResourceDescriptor(resource: .pods, kind: "Pod")
    static let nodes = ResourceDescriptor(resource: .nodes, kind: "Node", namespaced: false)
    static let deployments = ResourceDescriptor(resource: .deployments, kind: "Deployment")
    static let rollouts = ResourceDescriptor(BlueGreenDeployment.self)
    static let audits = ResourceDescriptor(SecurityAudit.self)
    static let alertRules = ResourceDescriptor(AlertRule.self)

    static func resource(kind: String?) -> ResourceDescriptor {
        kind == "BlueGreenDeployment" ? rollouts : deployments
    }

    /// The `matchLabels` of a selector object (matchExpressions are not used to pick pods here).
    static func selector(_ json: JSONValue) -> LabelSelector? {
        guard let labels = json["matchLabels"].objectValue?.compactMapValues(\.stringValue), !labels.isEmpty else { return nil }
        return LabelSelector(matchLabels: labels)
    }

    /// The pods of a workload (its selector), else the pods labelled `app=<name>`.
    static func pods(of name: String, kind: String?, namespace: String, cache: InformerCache) -> [JSONValue] {
        let workload = cache.get(resource(kind: kind), ObjectKey(namespace: namespace, name: name))
        var selector = workload.flatMap { Self.selector($0["spec"]["selector"]) }
        if selector == nil, let template = workload?["spec"]["template"]["metadata"]["labels"].objectValue?.compactMapValues(\.stringValue),
           !template.isEmpty {
            selector = LabelSelector(matchLabels: template)
        }
        return cache.list(pods, namespace: namespace, matching: selector ?? LabelSelector(matchLabels: ["app": name]))
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    static func restarts(_ pod: JSONValue) -> Int {
        (pod["status"]["containerStatuses"].arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"].intValue ?? 0) }
    }

    static func isCrashLooping(_ pod: JSONValue) -> Bool {
        (pod["status"]["containerStatuses"].arrayValue ?? []).contains {
            ["CrashLoopBackOff", "Error", "OOMKilled"].contains($0["state"]["waiting"]["reason"].stringValue ?? "")
                || $0["lastState"]["terminated"]["exitCode"].intValue.map { $0 != 0 } == true && $0["ready"] != true
        }
    }

    static func isNodeReady(_ node: JSONValue) -> Bool {
        (node["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    static func format(_ ratio: Double) -> String { String(format: "%.3f", ratio) }
}
