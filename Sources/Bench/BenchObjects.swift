import AuditChecks
import Controllers
import Foundation
import KubeClient
import NIOConcurrencyHelpers
import OpsAPI

// The objects of each opsagent kind the scenarios create, and how they tell that the
// operator has acted on them. Shared by the scenario of each kind and the mixed one.

/// An AlertRule `PodReadiness < 1` over the pods labelled `app: <app>`: Inactive while they
/// are ready.
func benchAlertRule(_ name: String, app: String, interval: Int, forSeconds: Int) -> JSONValue {
    [
        "apiVersion": .string(AlertRule.definition.apiVersion), "kind": "AlertRule",
        "metadata": ["name": .string(name)],
        "spec": [
            "condition": ["metric": "PodReadiness", "operator": "<", "threshold": 1, "duration": .string("\(forSeconds)s")],
            "interval": .string("\(interval)s"),
            "severity": "warning",
            "target": ["selector": ["matchLabels": ["app": .string(app)]]],
        ],
    ]
}

/// Waits (polling every 500 ms) until `count` AlertRules in `namespace` have been evaluated
/// once and found Inactive.
func waitUntilRulesEvaluated(_ load: KubernetesClient, namespace: String, count: Int, seconds limit: Int = 300) async throws {
    try await until("every rule is evaluated", seconds: limit, poll: .milliseconds(500)) {
        let items = try await load.list(AlertRule.groupVersionResource, namespace: namespace).items
        return items.filter { $0["status"]["state"].stringValue == "Inactive" && !$0["status"]["lastEvaluation"].isNull }.count >= count
    }
}

/// A SecurityAudit of the whole cluster with the benchmark's policy (every check, a registry
/// allow-list, failOn high, five waivers of which two expired); it runs once on create.
func benchSecurityAudit(_ name: String, namespace: String) throws -> JSONValue {
    let policy = AuditBenchmark.policy(now: Date())
    let spec = SecurityAuditSpec(exceptions: policy.exceptions, imagePolicy: policy.imagePolicy, failOn: policy.failOn)
    return try JSONValue(encoding: SecurityAudit(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
}

/// An OpsWorkflow named `bench` of `steps` `monitoring.check-system-health` steps (read from
/// the operator's cache, no waiting): its runs cost the engine alone.
func benchWorkflow(steps: Int) -> JSONValue {
    let stepList: [JSONValue] = (0..<steps).map { i in
        ["name": .string("check-\(i)"), "agent": "monitoring", "action": "check-system-health", "parameters": ["threshold": 0]]
    }
    return ["apiVersion": .string(OpsWorkflow.apiVersion), "kind": .string(OpsWorkflow.kind),
            "metadata": ["name": "bench"], "spec": ["steps": .array(stepList), "historyLimit": 100]]
}

/// When each OpsWorkflowRun was first seen finished (seconds from `start`), and the first
/// run that finished other than Succeeded.
final class RunCompletions: Sendable {
    private let state = NIOLockedValueBox<(at: [String: Double], failure: String?)>(([:], nil))
    let start: ContinuousClock.Instant

    init(start: ContinuousClock.Instant = .now) { self.start = start }

    /// Records `run` if it has finished (and was not recorded before).
    func apply(_ run: JSONValue) {
        guard let name = run["metadata"]["name"].stringValue,
              let phase = run["status"]["phase"].stringValue.flatMap(RunPhase.init(rawValue:)), phase.isFinished else { return }
        let now = seconds(ContinuousClock.now - start)
        state.withLockedValue { state in
            guard state.at[name] == nil else { return }
            state.at[name] = now
            if phase != .succeeded { state.failure = "run \(name) ended \(phase.rawValue): \(run["status"]["message"])" }
        }
    }

    var finishedAt: [String: Double] { state.withLockedValue { $0.at } }

    /// Waits until `count` runs have finished; throws on the first that did not succeed.
    func wait(for count: Int, seconds limit: Int = 600) async throws {
        try await until("every run finishes", seconds: limit, poll: .milliseconds(200)) {
            let (finished, failure) = state.withLockedValue { ($0.at.count, $0.failure) }
            if let failure { throw BenchError(failure) }
            return finished >= count
        }
    }
}
