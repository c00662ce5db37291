import Controllers
import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// The OpsWorkflow figure (issue 18): `runs` runs of a 5-step workflow, created at once,
/// all finish with at most 5 ms of operator CPU per step, and no run is starved.
///
/// The operator (the workflow controllers, in this process) and the embedded cluster (a
/// child process) are measured apart. The steps are `monitoring.check-system-health`
/// (read from the cache, no waiting), so the figure is the engine's own cost per step:
/// the reconciles, the background job, two status writes and the Events of each step.
/// "Starved" means a run that had not finished when the last of the others did by more than
/// 10 × the median run's time.
struct WorkflowScenario: BenchScenario {
    let name = "workflow"

    func describe(_ options: BenchOptions) -> String {
        "\(options.int("workflow-runs", 200)) runs of a \(options.int("workflow-steps", 5))-step workflow "
            + "(monitoring.check-system-health steps) created at once against the embedded cluster (child process); the "
            + "workflow controllers run in-process. CPU is the operator process's, per step executed."
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        [
            BenchRow(key: "workflow_cpu_per_step_ms", label: "operator CPU per workflow step (200 runs × 5 steps at once)", unit: "ms", target: "≤ 5"),
            BenchRow(key: "workflow_starved_runs", label: "runs starved (done after 10 × the median run)", unit: "", target: "0", decimals: 0),
            BenchRow(key: "workflow_all_done_s", label: "  all runs created → all Succeeded", unit: "s"),
            BenchRow(key: "workflow_run_p50_s", label: "  a run's completion, median from the start", unit: "s"),
        ]
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        ["runs": options.int("workflow-runs", 200), "steps": options.int("workflow-steps", 5), "time_scale": options.timeScale]
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        let bench = WorkflowBench(runs: options.int("workflow-runs", 200), steps: options.int("workflow-steps", 5),
                                  timeScale: options.timeScale)
        return ScenarioRun(figures: try await bench.run())
    }
}

struct WorkflowBench {
    var runs = 200
    var steps = 5
    var timeScale = 0.01

    func run() async throws -> Figures {
        out("workflow bench: \(runs) runs of a \(steps)-step workflow created at once…")
        let child = try await SimProcess.start(timeScale: timeScale)
        defer { child.stop() }
        let configuration = try ClusterConfiguration.load(kubeconfigPath: child.kubeconfig)
        let client = KubernetesClient(configuration: configuration, transport: CurlTransport(maxConnectionsPerHost: 64))
        // Every opsagent CRD: the workflow controllers read rollouts and AlertRules too, and the
        // manager is ready only once each of its informers has listed.
        for crd in OpsAPI.customResourceDefinitions {
            _ = try await client.create(.customResourceDefinitions, crd.json)
            try await until("the \(crd.kind) CRD is served", seconds: 30) { (try? await client.list(crd.resource, namespace: nil)) != nil }
        }
        var logger = Logger(label: "opsagent.manager")
        logger.logLevel = .warning
        let manager = Manager(api: client, configuration: ManagerConfiguration(workersPerController: 4), logger: logger)
        try WorkflowController.register(in: OperatorContext(manager: manager, configuration: .init(workers: 4)))
        let runTask = Task { try await manager.run() }
        defer { manager.stop(); runTask.cancel() }
        try await until("the manager is ready", seconds: 30) { manager.isReady }

        let ns = "wfbench"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        let workflow = benchWorkflow(steps: steps)
        _ = try await client.create(OpsWorkflow.groupVersionResource, workflow, namespace: ns)
        try await until("the workflow is cached", seconds: 30) {
            manager.cache.get(WorkflowController.resource, ObjectKey(namespace: ns, name: "bench")) != nil
        }
        let raw = try await client.get(OpsWorkflow.groupVersionResource, name: "bench", namespace: ns)

        let cpuBefore = ProcStats.cpuSeconds(getpid())
        let start = ContinuousClock.now
        // Completions are seen as the informer delivers them: with more runs than the
        // workflow's historyLimit (at most 100), finished runs are deleted while others still
        // run, so the cache alone would never show all of them finished.
        let finished = RunCompletions(start: start)
        let registration = manager.cache.informer(for: WorkflowController.runs).addHandler { event in
            switch event {
            case .added(let object), .updated(_, let object), .deleted(let object, _): finished.apply(object)
            }
        }
        defer { registration.cancel() }
        let names = (0..<runs).map { String(format: "bench-%04d", $0) }
        try await forEach(names, concurrency: 32) { name in
            _ = try await WorkflowRuns.start(api: client, namespace: ns, workflow: raw, parameters: [:], trigger: "manual", runName: name)
        }
        try await finished.wait(for: runs)
        let finishedAt = finished.finishedAt
        let cpu = ProcStats.cpuSeconds(getpid()) - cpuBefore
        let times = finishedAt.values.sorted()
        let median = percentile(times, 0.5), last = times.last ?? 0
        var f = Figures()
        f["workflow_cpu_per_step_ms"] = cpu * 1000 / Double(runs * steps)
        f["workflow_all_done_s"] = last
        f["workflow_run_p50_s"] = median
        f["workflow_starved_runs"] = Double(times.filter { $0 > 10 * max(median, 0.001) }.count)
        out("  " + f.keys.sorted().map { "\($0)=\(String(format: "%.2f", f[$0]!))" }.joined(separator: " ")
            + "  (targets: cpu per step ≤ 5 ms, 0 starved)")
        return f
    }
}
