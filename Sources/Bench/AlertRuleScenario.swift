import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// AlertRule (#16): N rules at one interval over N workloads (one pod each, its own rule:
/// `PodReadiness < 1` on `app: w-<i>`), so nothing is shared between rules.
///
/// - steady state: the operator's CPU over whole intervals once every rule has evaluated,
///   as a share of one core, and the API requests per rule and tick; no load runs then;
/// - RSS added: the operator's RSS in steady state minus the same process before the rules
///   existed (the manager running, caches synced);
/// - evaluation lag: S sample workloads cross the threshold at times spread over one
///   interval (a pod that never becomes ready joins the workload); the lag is the time from
///   the crossing to a watch showing the rule Firing, minus `for` + interval.
struct AlertRuleScenario: BenchScenario {
    let name = "alertrule"
    let namespace = "alerts"

    struct Settings {
        var rules: Int
        var interval: Int
        var forSeconds: Int
        var samples: Int
        var windowIntervals: Int
        init(_ options: BenchOptions) {
            rules = options.int("alert-rules", 1000)
            interval = options.int("alert-interval", 30)
            forSeconds = options.int("alert-for", 30)
            samples = min(options.int("alert-samples", 50), rules)
            windowIntervals = options.int("alert-window-intervals", 3)
        }
    }

    func describe(_ options: BenchOptions) -> String {
        let s = Settings(options)
        return "\(s.rules) AlertRules (PodReadiness < 1, interval \(s.interval) s, for \(s.forSeconds) s) over \(s.rules) workloads "
            + "(one pod each, its own rule); operator in-process, embedded cluster in a child process; steady state measured over "
            + "\(s.windowIntervals) intervals; lag from \(s.samples) crossings spread over one interval."
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        let s = Settings(options)
        return ["rules": s.rules, "workloads": s.rules, "interval_s": s.interval, "for_s": s.forSeconds, "samples": s.samples,
                "window_s": s.windowIntervals * s.interval, "rule": "condition PodReadiness < 1 on app=w-<i> (one pod each)",
                "time_scale": options.timeScale, "workers": 4]
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        let s = Settings(options)
        return [
            BenchRow(key: "cpu_steady_pct", label: "operator CPU, steady state (\(s.rules) rules, \(s.interval) s)", unit: "%", target: "≤ 5 (of one core)"),
            BenchRow(key: "cpu_idle_pct", label: "  operator CPU, idle before the rules", unit: "%"),
            BenchRow(key: "cpu_sim_steady_pct", label: "  simulator CPU in that window", unit: "%"),
            BenchRow(key: "requests_per_rule_tick", label: "  operator API requests per rule and tick", unit: "", decimals: 2),
            BenchRow(key: "rss_added_mib", label: "operator RSS added by \(s.rules) rules", unit: "MiB", target: "≤ 50", decimals: 1),
            BenchRow(key: "rss_before_mib", label: "  operator RSS before the rules", unit: "MiB", decimals: 1),
            BenchRow(key: "first_evaluation_s", label: "  \(s.rules) rules created → all evaluated", unit: "s"),
            BenchRow(key: "lag_p50_s", label: "evaluation lag beyond for + interval, p50", unit: "s"),
            BenchRow(key: "lag_p99_s", label: "evaluation lag beyond for + interval, p99", unit: "s", target: "≤ 2"),
            BenchRow(key: "lag_max_s", label: "evaluation lag beyond for + interval, max", unit: "s"),
            BenchRow(key: "due_delay_p99_s", label: "  Firing seen after the tick it was due, p99", unit: "s"),
            BenchRow(key: "fired", label: "  samples that fired", unit: "", target: "= samples", decimals: 0),
        ]
    }

    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String] {
        Report.breakdown("Operator API requests per rule and tick in steady state, by verb:", runs, decimals: 3)
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        let s = Settings(options)
        let cluster = try await BenchCluster.start(options, crds: [(AlertRule.definition.json, AlertRule.groupVersionResource)])
        defer { cluster.stopCluster() }
        var result = ScenarioRun()
        try await cluster.namespace(namespace)
        let workloads = (0..<s.rules).map { "w-\($0)" }
        try await forEach(workloads, concurrency: 32) { name in
            _ = try await cluster.load.create(.pods, pod(name, workload: name, ready: true), namespace: namespace)
        }
        try await until("\(s.rules) pods are ready", seconds: 300, poll: .seconds(1)) {
            let pods = try await cluster.load.list(.pods, namespace: namespace).items
            return pods.filter { MetricTarget.isReady($0) }.count >= s.rules
        }

        try await cluster.startOperator { try AlertRuleController.register(in: $0) }
        try await Task.sleep(for: .seconds(2))
        let idleStart = ProcStats.cpuSeconds(getpid())
        try await Task.sleep(for: .seconds(10))
        result.figures["cpu_idle_pct"] = (ProcStats.cpuSeconds(getpid()) - idleStart) / 10 * 100
        let rssBefore = ProcStats.rssMiB(getpid())
        result.figures["rss_before_mib"] = rssBefore

        // The rules, then every one evaluated once.
        let created = ContinuousClock.now
        let rules = (0..<s.rules).map { "r-\($0)" }
        try await forEach(rules, concurrency: 32) { name in
            let workload = "w-" + name.dropFirst(2)
            _ = try await cluster.load.create(AlertRule.groupVersionResource, rule(name, workload: workload, s), namespace: namespace)
        }
        try await waitUntilRulesEvaluated(cluster.load, namespace: namespace, count: s.rules)
        result.figures["first_evaluation_s"] = seconds(ContinuousClock.now - created)

        // Steady state: whole intervals after one more tick, nothing else running in this process.
        try await Task.sleep(for: .seconds(Double(s.interval) + 2))
        let window = Double(s.windowIntervals * s.interval)
        let requestsBefore = cluster.counting.snapshot()
        let cpuBefore = ProcStats.cpuSeconds(getpid()), simBefore = ProcStats.cpuSeconds(cluster.child.pid)
        Profiler.control("enable")  // with OPSAGENT_BENCH_PERF_FIFO, perf samples the steady state only
        try await Task.sleep(for: .seconds(window))
        Profiler.control("disable")
        result.figures["cpu_steady_pct"] = (ProcStats.cpuSeconds(getpid()) - cpuBefore) / window * 100
        result.figures["cpu_sim_steady_pct"] = (ProcStats.cpuSeconds(cluster.child.pid) - simBefore) / window * 100
        let perRuleTick = Double(s.rules * s.windowIntervals)
        for (key, count) in cluster.counting.snapshot() {
            let delta = count - (requestsBefore[key] ?? 0)
            if delta > 0 { result.breakdown[key] = Double(delta) / perRuleTick }
        }
        result.figures["requests_per_rule_tick"] = result.breakdown.values.reduce(0, +)
        result.figures["rss_added_mib"] = ProcStats.rssMiB(getpid()) - rssBefore

        // Lag: crossings spread over one interval; a watch records when each rule is seen Firing.
        let firing = FirstSeen()
        firing.start(client: cluster.load, AlertRule.groupVersionResource, namespace: namespace) {
            $0["status"]["state"].stringValue == "Firing"
        }
        let step = Double(s.interval) / Double(s.samples)
        let sampled = (0..<s.samples).map { $0 * s.rules / s.samples }
        var crossings: [Int: (clock: ContinuousClock.Instant, wall: Date)] = [:]
        let lagStart = ContinuousClock.now
        for (j, i) in sampled.enumerated() {
            let at = lagStart + .milliseconds(Int64(Double(j) * step * 1000))
            if at > ContinuousClock.now { try await Task.sleep(until: at) }
            // A pod that never becomes ready joins workload i: its readiness drops below 1 once the create is committed.
            let clock = ContinuousClock.now, wall = Date()
            _ = try await cluster.load.create(.pods, pod("w-\(i)-down", workload: "w-\(i)", ready: false), namespace: namespace)
            crossings[i] = (clock, wall)
        }
        let budget = Double(s.forSeconds + 2 * s.interval + 30)
        _ = try? await until("the samples fire", seconds: Int(budget), poll: .milliseconds(200)) {
            sampled.allSatisfy { firing.time("r-\($0)") != nil }
        }
        firing.stop()
        var lags: [Double] = []
        var dueDelays: [Double] = []
        for i in sampled {
            guard let crossing = crossings[i], let fired = firing.time("r-\(i)") else { continue }
            let total = seconds(fired - crossing.clock)
            lags.append(total - Double(s.forSeconds + s.interval))
            // The tick that first saw the crossing, plus `for`: when it was due.
            let spec = try rule("r-\(i)", workload: "w-\(i)", s)["spec"].decode(AlertRuleSpec.self)
            let firstTick = RuleEvaluator.nextTick(after: crossing.wall, interval: .seconds(s.interval),
                                                   phase: RuleEvaluator.phase(spec, namespace: namespace))
            let due = firstTick.timeIntervalSince(crossing.wall) + Double(s.forSeconds)
            dueDelays.append(total - due)
        }
        result.figures["fired"] = Double(lags.count)
        if lags.count < sampled.count {
            result.notes.append("\(sampled.count - lags.count) of \(sampled.count) samples did not fire within \(Int(budget)) s")
        }
        if !lags.isEmpty {
            result.figures["lag_p50_s"] = percentile(lags, 0.5)
            result.figures["lag_p99_s"] = percentile(lags, 0.99)
            result.figures["lag_max_s"] = lags.max()
            result.figures["due_delay_p99_s"] = percentile(dueDelays, 0.99)
        }
        await cluster.stopOperator()
        return result
    }

    private func pod(_ name: String, workload: String, ready: Bool) -> JSONValue {
        var annotations: [String: JSONValue] = ["sim.opsagent.dev/startup-seconds": "0"]
        if !ready { annotations["sim.opsagent.dev/ready"] = "false" }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "labels": ["app": .string(workload)], "annotations": .object(annotations)],
            "spec": ["containers": [["name": "app", "image": "registry.example/app:1.0",
                                     "resources": ["requests": ["cpu": "10m", "memory": "32Mi"],
                                                   "limits": ["cpu": "500m", "memory": "256Mi"]]]]],
        ]
    }

    private func rule(_ name: String, workload: String, _ s: Settings) -> JSONValue {
        benchAlertRule(name, app: workload, interval: s.interval, forSeconds: s.forSeconds)
    }
}
