import KubeClient

/// Where facts come from: the caller's caches and API. Analysis reads the cluster through
/// this protocol only, so every controller feeds the analyzer the same way (a rollout's
/// preview pods, an alert's affected workload, a workflow's target), and tests can use
/// fixed data.
public protocol FactSource: Sendable {
    /// The pods in `namespace` that `selector` selects.
    func pods(namespace: String, selector: LabelSelector) async -> [JSONValue]
    /// Events in `namespace` about any object whose uid is in `uids`, oldest first.
    func events(namespace: String, involving uids: Set<String>) async -> [JSONValue]
    /// The last `lines` lines of a container's log; nil when logs cannot be read.
    func logTail(namespace: String, pod: String, container: String, lines: Int) async -> [String]?
    /// The decoded values of the named Secrets in `namespace` (those that cannot be read are
    /// left out). Used only to redact them; never rendered.
    func secretValues(namespace: String, names: Set<String>) async -> [String]
}
