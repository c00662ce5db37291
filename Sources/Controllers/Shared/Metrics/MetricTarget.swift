import Foundation
import KubeClient

/// What a metric check measures: a set of pods in a namespace (a rollout's preview revision,
/// the workload an alert watches), how many are wanted, and the values substituted into
/// PromQL (`{{namespace}}`, `{{pods}}`, and the caller's own such as `{{color}}`).
public struct MetricTarget: Sendable {
    public var namespace: String
    /// The pods, without those being deleted.
    public var pods: [JSONValue]
    /// Pods wanted (readiness counts against it).
    public var desired: Int
    /// `{{key}}` → value for queries; `namespace` and `pods` are always there.
    public var substitutions: [String: String]

    public init(namespace: String, pods: [JSONValue], desired: Int, substitutions: [String: String] = [:]) {
        self.namespace = namespace
        self.pods = pods
        self.desired = desired
        self.substitutions = substitutions
    }

    public var podNames: [String] { pods.compactMap { $0["metadata"]["name"].stringValue } }
    public var readyCount: Int { pods.filter(Self.isReady).count }
    public var restarts: Int {
        pods.reduce(0) { total, pod in
            total + (pod["status"]["containerStatuses"].arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"].intValue ?? 0) }
        }
    }

    public static func isReady(_ pod: JSONValue) -> Bool {
        (pod["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    /// `query` with `{{key}}` placeholders filled in; `{{pods}}` is an anchored regex of the
    /// pod names (`^$` when there are none, so the query matches nothing rather than all).
    public func substitute(_ query: String) -> String {
        var values = substitutions
        values["namespace"] = namespace
        values["pods"] = podNames.isEmpty ? "^$" : podNames.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        var text = query
        for (key, value) in values { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
        return text
    }
}
