import Controllers
import Foundation
import KubeClient
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// Every kind at once (#21): one `opsagent run` child process (``OperatorChild``) serves 10k
/// BlueGreenDeployments, 10 SecurityAudits over the cluster they make, 200 OpsWorkflow runs
/// and 1k AlertRules over the rollouts' pods. The kinds are added in that order, each once
/// the operator is quiet again; per kind the table shows the operator's RSS and CPU added
/// from before its objects were created until they settled and the operator was quiet.
/// AlertRules come last: every rule writes its status each interval, so the operator is
/// never quiet after them. Their CPU is to the first evaluation of every rule, and then, with
/// every kind in place, over one whole interval (the steady state).
struct MixedScenario: BenchScenario {
    let name = "mixed"
    let workers = 4
    var defaultRuns: Int { 1 }

    struct Settings {
        var rollouts: Int
        var audits: Int
        var workflowRuns: Int
        var steps: Int
        var rules: Int
        var interval: Int
        init(_ options: BenchOptions) {
            rollouts = options.int("mixed-rollouts", 10_000)
            audits = options.int("mixed-audits", 10)
            workflowRuns = options.int("mixed-workflow-runs", 200)
            steps = options.int("mixed-workflow-steps", 5)
            rules = options.int("mixed-alert-rules", 1000)
            interval = options.int("mixed-alert-interval", 30)
        }

        /// (row key prefix, what is created), in the order they are.
        var kinds: [(key: String, label: String, objects: Int)] {
            [("rollouts", "\(rollouts) BlueGreenDeployments → all Healthy", rollouts),
             ("audits", "\(audits) SecurityAudits of the cluster → all reported", audits),
             ("workflows", "\(workflowRuns) OpsWorkflow runs × \(steps) steps → all Succeeded", workflowRuns),
             ("alertrules", "\(rules) AlertRules over the rollouts' pods → all evaluated", rules)]
        }
    }

    func describe(_ options: BenchOptions) -> String {
        let s = Settings(options)
        return "One opsagent run child process (\(workers) workers, every controller) against the embedded cluster (another "
            + "child process): " + s.kinds.map(\.label).joined(separator: ", then ")
            + "; each kind once the operator is quiet; then one \(s.interval) s rule interval in steady state."
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        let s = Settings(options)
        return ["rollouts": s.rollouts, "audits": s.audits, "workflow_runs": s.workflowRuns, "workflow_steps": s.steps,
                "alert_rules": s.rules, "alert_interval_s": s.interval, "order": s.kinds.map(\.key), "workers": workers,
                "time_scale": options.timeScale, "operator": "opsagent run (child process, every installed controller)"]
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        let s = Settings(options)
        var rows = [
            BenchRow(key: "startup_ms", label: "startup: opsagent run spawned → /readyz (empty cluster)", unit: "ms", decimals: 0),
            BenchRow(key: "rss_idle_mib", label: "operator RSS, idle (caches synced, empty cluster)", unit: "MiB", decimals: 1),
        ]
        for kind in s.kinds {
            rows += [
                BenchRow(key: "\(kind.key)_s", label: kind.label, unit: "s", decimals: 1),
                BenchRow(key: "\(kind.key)_rss_added_mib", label: "  operator RSS added", unit: "MiB", decimals: 1),
                BenchRow(key: "\(kind.key)_cpu_s", label: "  operator CPU, created → settled and quiet", unit: "s"),
                BenchRow(key: "\(kind.key)_cpu_per_object_ms", label: "  the same per object", unit: "ms"),
                BenchRow(key: "\(kind.key)_sim_cpu_s", label: "  simulator CPU in that time", unit: "s"),
            ]
        }
        rows += [
            BenchRow(key: "steady_cpu_pct", label: "operator CPU, steady state, every kind (one \(s.interval) s interval)",
                     unit: "%"),
            BenchRow(key: "steady_sim_cpu_pct", label: "  simulator CPU in that window", unit: "%"),
            BenchRow(key: "rss_total_mib", label: "operator RSS with every kind, after that window", unit: "MiB", decimals: 1),
            BenchRow(key: "rss_sim_mib", label: "simulator RSS at the end", unit: "MiB", decimals: 1),
        ]
        return rows
    }

    /// API requests (by HTTP method) and reconciles (by controller) per object of each kind.
    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String] {
        Report.breakdown("Per object of each kind, created → quiet, from the operator's /metrics (GET is get, list and watch):",
                         runs, decimals: 3)
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        let s = Settings(options)
        var result = ScenarioRun()
        let cluster = try await BenchCluster.start(options, crds: BenchCluster.operatorCRDs)
        defer { cluster.stopCluster() }
        let load = cluster.load, sim = cluster.child
        let op = try await cluster.startOperatorProcess(workers: workers, into: &result.figures)
        defer { op.stop() }

        // Rollouts: their Deployments, ReplicaSets, pods and Services make the cluster the others work on.
        let ns = "mixed"
        try await cluster.namespace(ns)
        let board = StatusBoard()
        board.start(client: load)
        defer { board.stop() }
        let rollouts = (0..<s.rollouts).map { "bgd-\($0)" }
        try await phase("rollouts", objects: s.rollouts, op, sim, &result) {
            try await createRollouts(rollouts, namespace: ns, load: load)
            _ = try await board.wait(rollouts.map { "\(ns)/\($0)" }, since: .now, timeout: .seconds(600), StatusBoard.healthy)
        }
        board.stop()

        // Audits of the whole cluster, each run once on create.
        let auditNamespace = "security"
        try await cluster.namespace(auditNamespace)
        try await phase("audits", objects: s.audits, op, sim, &result) {
            let names = (0..<s.audits).map { "audit-\($0)" }
            try await forEach(names, concurrency: 10) { name in
                _ = try await load.create(SecurityAudit.groupVersionResource, try benchSecurityAudit(name, namespace: auditNamespace),
                                          namespace: auditNamespace)
            }
            try await until("every audit has run", seconds: 600, poll: .milliseconds(200)) {
                let audits = try await load.list(SecurityAudit.groupVersionResource, namespace: auditNamespace).items
                return audits.filter { $0["status"]["lastRunID"].stringValue != nil }.count >= s.audits
            }
        }

        // Workflow runs, created at once; completions seen from a watch (finished runs beyond
        // the workflow's history limit are deleted).
        let wfNamespace = "wfbench"
        try await cluster.namespace(wfNamespace)
        let workflow = try await load.create(OpsWorkflow.groupVersionResource, benchWorkflow(steps: s.steps), namespace: wfNamespace)
        try await phase("workflows", objects: s.workflowRuns, op, sim, &result) {
            let finished = RunCompletions()
            let watch = watchObjects(load, OpsWorkflowRun.groupVersionResource, namespace: wfNamespace) { finished.apply($0) }
            defer { watch.cancel() }
            try await forEach((0..<s.workflowRuns).map { String(format: "bench-%04d", $0) }, concurrency: 32) { name in
                _ = try await WorkflowRuns.start(api: load, namespace: wfNamespace, workflow: workflow, parameters: [:],
                                                 trigger: "manual", runName: name)
            }
            try await finished.wait(for: s.workflowRuns)
        }

        // AlertRules, each over one rollout's pods (ready: Inactive).
        try await phase("alertrules", objects: s.rules, op, sim, &result, settle: false) {
            try await forEach((0..<s.rules).map { "r-\($0)" }, concurrency: 32) { name in
                let app = "bgd-\(Int(name.dropFirst(2))! % max(s.rollouts, 1))"
                _ = try await load.create(AlertRule.groupVersionResource,
                                          benchAlertRule(name, app: app, interval: s.interval, forSeconds: s.interval), namespace: ns)
            }
            try await waitUntilRulesEvaluated(load, namespace: ns, count: s.rules)
        }

        // Steady state with every kind: one whole rule interval, nothing else running.
        try await Task.sleep(for: .seconds(2))
        let window = Double(s.interval)
        let cpu = op.cpuSeconds, simCPU = ProcStats.cpuSeconds(sim.pid)
        try await Task.sleep(for: .seconds(s.interval))
        result.figures["steady_cpu_pct"] = (op.cpuSeconds - cpu) / window * 100
        result.figures["steady_sim_cpu_pct"] = (ProcStats.cpuSeconds(sim.pid) - simCPU) / window * 100
        result.figures["rss_total_mib"] = op.rssMiB
        result.figures["rss_sim_mib"] = ProcStats.rssMiB(sim.pid)
        return result
    }

    /// Creates one kind's objects (`body`, which returns once they have settled) and records
    /// the time, the operator's RSS and CPU added (after it is quiet again, unless `settle`
    /// is false) and its requests and reconciles per object.
    private func phase(_ key: String, objects: Int, _ op: OperatorChild, _ sim: SimProcess, _ result: inout ScenarioRun,
                       settle: Bool = true, _ body: () async throws -> Void) async throws {
        out("  \(key): \(objects)…")
        let before = try await op.settle()
        let rss = op.rssMiB, cpu = op.cpuSeconds, simCPU = ProcStats.cpuSeconds(sim.pid)
        let start = ContinuousClock.now
        try await body()
        result.figures["\(key)_s"] = seconds(ContinuousClock.now - start)
        let after: OperatorMetricsSample
        if settle { after = try await op.settle(limit: .seconds(300)) } else { after = try await op.metrics() }
        let used = op.cpuSeconds - cpu
        result.figures["\(key)_cpu_s"] = used
        result.figures["\(key)_cpu_per_object_ms"] = used * 1000 / Double(max(objects, 1))
        result.figures["\(key)_sim_cpu_s"] = ProcStats.cpuSeconds(sim.pid) - simCPU
        result.figures["\(key)_rss_added_mib"] = op.rssMiB - rss
        for (name, value) in after.perObject(since: before, objects: objects) { result.breakdown["\(key): \(name)"] = value }
    }
}
