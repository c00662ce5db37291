import Controllers
import Foundation
import KubeClient
import Logging
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// BlueGreenDeployment: startup, throughput (N applied → all Healthy), update latency,
/// sustained updates, the operator's footprint with a full cache, and startup against that
/// full cluster (the cache fill). The operator is the real `opsagent run` in a child process
/// (``OperatorChild``: every installed controller, as `make up` runs it); the embedded cluster
/// is another; this process only generates load and watches the rollouts.
struct BlueGreenScenario: BenchScenario {
    let name = "bluegreen"
    let workers = 4
    let latencySamples = 100
    let updateRounds = 3

    func describe(_ options: BenchOptions) -> String {
        "Sizes \(options.sizes.map(String.init).joined(separator: ", ")); "
            + "operator: opsagent run in a child process (\(workers) workers, every controller); embedded cluster in another, "
            + "simulated time \(Int(1 / options.timeScale))× faster; BlueGreenDeployments with 1 replica, no analysis checks, "
            + "automatic promotion, no scale-down delay — the figures measure the operator and its API round trips, not waiting periods."
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        ["sizes": options.sizes, "cache_size": options.cacheSize, "time_scale": options.timeScale, "workers": workers,
         "operator": "opsagent run (child process, every installed controller)", "rollout": "1 replica, no analysis checks, automatic promotion, scaleDownDelaySeconds 0"]
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        let sizes = options.sizes
        let first = sizes.first ?? 100, last = sizes.last ?? 1000
        let existing = sizes.reduce(0, +), cached = max(options.cacheSize, existing)
        var rows = [
            BenchRow(key: "startup_ms", label: "startup: opsagent run spawned → /readyz (empty cluster)", unit: "ms", decimals: 0),
            BenchRow(key: "rss_idle_mib", label: "operator RSS, idle (caches synced, empty cluster)", unit: "MiB", target: "≤ 25", decimals: 1),
        ]
        for n in sizes {
            rows.append(BenchRow(key: "healthy_\(n)_s", label: "throughput: \(n) applied → all Healthy", unit: "s",
                                 target: n == 1000 ? "≤ 5 (#21; seed: 30)" : ""))
            rows.append(BenchRow(key: "cpu_operator_\(n)_s", label: "  operator CPU (opsagent run process) for those \(n)", unit: "s"))
            rows.append(BenchRow(key: "cpu_sim_\(n)_s", label: "  simulator CPU for those \(n)", unit: "s"))
        }
        rows += [
            BenchRow(key: "cpu_per_rollout_ms", label: "operator CPU per rollout to Healthy (\(last) at once)", unit: "ms", target: "≤ 1.5"),
            BenchRow(key: "updates_per_s", label: "updates/s sustained (\(first) rollouts, image changes)", unit: "1/s", decimals: 0),
            BenchRow(key: "latency_p50_ms", label: "latency spec → observedGeneration, p50 (\(first))", unit: "ms", decimals: 1),
            BenchRow(key: "latency_p99_ms", label: "latency spec → observedGeneration, p99 (\(first))", unit: "ms", decimals: 1),
            BenchRow(key: "rss_sizes_mib", label: "operator RSS with \(existing) rollouts (+ children) cached (run 1)", unit: "MiB", decimals: 1),
            BenchRow(key: "cache_fill_s", label: "\(cached - existing) more created → all Healthy (run 1 only)", unit: "s", decimals: 1),
            BenchRow(key: "cached_rollouts", label: "  rollouts (+ children) in the cluster then", unit: "", target: "10000", decimals: 0),
            BenchRow(key: "cached_healthy", label: "  of which Healthy (children all created)", unit: "", decimals: 0),
            BenchRow(key: "rss_cached_longrun_mib", label: "  RSS of the operator that reconciled them, once quiet", unit: "MiB", decimals: 1),
            BenchRow(key: "startup_cached_s", label: "cache fill: a fresh opsagent run against them → /readyz", unit: "s",
                     target: "≤ 15", decimals: 1),
            BenchRow(key: "cpu_startup_cached_s", label: "  operator CPU from spawn to /readyz", unit: "s"),
            BenchRow(key: "rss_cached_mib", label: "operator RSS with them cached: the fresh process at /readyz", unit: "MiB",
                     target: "≤ 150", decimals: 1),
            BenchRow(key: "rss_cached_settled_mib", label: "  the same once it has re-reconciled every rollout", unit: "MiB", decimals: 1),
            BenchRow(key: "rss_cached_quiet_mib", label: "  the same after 10 s more without work (the heap trimmer's interval is 5 s)",
                     unit: "MiB", decimals: 1),
            BenchRow(key: "resync_writes", label: "writes while it re-reconciles every settled rollout (no-op)", unit: "", target: "0", decimals: 0),
            BenchRow(key: "resync_s", label: "  /readyz → operator quiet (no request, queues empty)", unit: "s", decimals: 1),
            BenchRow(key: "resync_reconciles", label: "  BlueGreenDeployment reconciles by then (≥ rollouts)", unit: "", decimals: 0),
            BenchRow(key: "cpu_resync_s", label: "  operator CPU in that time", unit: "s"),
            BenchRow(key: "rss_sim_mib", label: "simulator RSS at the end", unit: "MiB", decimals: 1),
        ]
        return rows
    }

    /// The operator's API requests (by HTTP method, from its `/metrics`) and reconciles per
    /// rollout, then the simulator's store writes per rollout.
    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String] {
        let verbs = runs.map(\.breakdown)
        var lines: [String] = []
        let all = Set(verbs.flatMap(\.keys))
        let simPrefix = "sim: "
        let keys = all.filter { !$0.hasPrefix(simPrefix) }.sorted()
        if !keys.isEmpty {
            lines.append("Per rollout, while \(options.sizes.last ?? 0) roll out at once until the operator is quiet, from its /metrics "
                         + "(rest_client_requests_total by method — GET is get, list and watch; controller_runtime_reconcile_total):")
            lines += keys.compactMap { key in Report.line("  " + key, values: verbs.map { $0[key] ?? 0 }) }
        }
        let simKeys = all.filter { $0.hasPrefix(simPrefix) }.sorted()
        if !simKeys.isEmpty {
            lines.append("Writes the simulator's store committed per rollout (the operator's and its simulated controllers'):")
            lines += simKeys.compactMap { key in Report.line("  " + key.dropFirst(simPrefix.count), values: verbs.map { $0[key] ?? 0 }) }
            lines += [Report.line("  all writes", values: verbs.map { v in simKeys.reduce(0) { $0 + (v[$1] ?? 0) } })].compactMap { $0 }
        }
        lines.append("Operator CPU/RSS: the opsagent run child process alone (/proc); simulator: its own child process.")
        return lines
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        var f = Figures()
        let cluster = try await BenchCluster.start(options, crds: BenchCluster.operatorCRDs)
        defer { cluster.stopCluster() }
        let load = cluster.load, sim = cluster.child

        // Startup to ready (caches synced), then idle memory: every run is a fresh process.
        var op = try await cluster.startOperatorProcess(workers: workers, into: &f)
        defer { op.stop() }

        let board = StatusBoard()
        board.start(client: load)
        defer { board.stop() }
        var perRollout: [String: Double] = [:]

        for (position, n) in options.sizes.enumerated() {
            // Throughput: N applied at once → all Healthy.
            let ns = "t\(n)"
            try await cluster.namespace(ns)
            let before = try await op.settle()
            let simWritesBefore = await sim.writeCounts()
            let cpuOperator = op.cpuSeconds, cpuSim = ProcStats.cpuSeconds(sim.pid)
            Profiler.control("enable")
            let start = ContinuousClock.now
            let names = (0..<n).map { "bgd-\($0)" }
            try await createRollouts(names, namespace: ns, load: load)
            let keys = names.map { "\(ns)/\($0)" }
            let took = try await board.wait(keys, since: start, timeout: .seconds(300), StatusBoard.healthy)
            Profiler.control("disable")
            f["healthy_\(n)_s"] = seconds(took)
            f["cpu_operator_\(n)_s"] = op.cpuSeconds - cpuOperator
            f["cpu_sim_\(n)_s"] = ProcStats.cpuSeconds(sim.pid) - cpuSim
            if position == options.sizes.count - 1 {
                f["cpu_per_rollout_ms"] = (op.cpuSeconds - cpuOperator) * 1000 / Double(n)
                // Everything the operator did for those rollouts, once it is quiet again.
                perRollout = try await op.settle().perObject(since: before, objects: n)
                for (key, count) in await sim.writeCounts() {
                    let delta = count - (simWritesBefore[key] ?? 0)
                    if delta > 0 { perRollout["sim: " + key] = Double(delta) / Double(n) }
                }
            }
            guard position == 0 else { continue }
            try await updates(names, namespace: ns, load: load, board: board, into: &f)
        }

        // Footprint with many BlueGreenDeployments (and their Deployments, ReplicaSets, Services) cached.
        let existing = options.sizes.reduce(0, +)
        try await op.settle()
        if index == 0 {
            f["rss_sizes_mib"] = op.rssMiB
            var cachedKeys = options.sizes.flatMap { n in (0..<n).map { "t\(n)/bgd-\($0)" } }
            if options.cacheSize > existing {
                let names = (0..<(options.cacheSize - existing)).map { "bgd-\($0)" }
                try await cluster.namespace("cache")
                let start = ContinuousClock.now
                cachedKeys += names.map { "cache/\($0)" }
                do {
                    try await createRollouts(names, namespace: "cache", load: load)
                    _ = try await board.wait(cachedKeys, since: start, timeout: .seconds(300), StatusBoard.healthy)
                    f["cache_fill_s"] = seconds(ContinuousClock.now - start)
                } catch {
                    out("  creating the rollouts to cache did not finish: \(error)")
                }
                try await op.settle(limit: .seconds(300))
                f["rss_cached_longrun_mib"] = op.rssMiB
            }
            // Counted, not assumed: the rollouts that exist (the operator caches them and their children).
            f["cached_rollouts"] = Double(cachedKeys.filter { board.entry($0) != nil }.count)
            f["cached_healthy"] = Double(cachedKeys.filter { board.entry($0).map(StatusBoard.healthy) ?? false }.count)

            // The cache fill: a fresh operator against the full cluster, until /readyz; then
            // it reconciles every rollout once, with nothing to change (a no-op resync).
            op.stop()
            let startup: Duration
            (op, startup) = try await OperatorChild.start(kubeconfig: sim.kubeconfig, workers: workers, timeout: .seconds(600))
            f["startup_cached_s"] = seconds(startup)
            f["cpu_startup_cached_s"] = op.cpuSeconds
            f["rss_cached_mib"] = op.rssMiB
            let ready = ContinuousClock.now
            let settled = try await op.settle(limit: .seconds(300))
            f["resync_s"] = seconds(ContinuousClock.now - ready) - 1  // settle waits one quiet second
            f["resync_writes"] = settled.writes
            f["resync_reconciles"] = settled.reconciles["bluegreendeployment"] ?? 0
            f["cpu_resync_s"] = op.cpuSeconds - f["cpu_startup_cached_s"]!
            f["rss_cached_settled_mib"] = op.rssMiB
            // What a user's monitoring sees once the operator stays idle: freed heap pages are
            // returned after work (HeapTrimmer), not the moment the queues empty.
            try await Task.sleep(for: .seconds(10))
            f["rss_cached_quiet_mib"] = op.rssMiB
        }
        f["rss_sim_mib"] = ProcStats.rssMiB(sim.pid)
        return ScenarioRun(figures: f, breakdown: perRollout)
    }

    /// Latency (one spec change at a time → status.observedGeneration) and sustained updates
    /// (every rollout's image changed, round after round, until observed).
    private func updates(_ names: [String], namespace ns: String, load: KubernetesClient, board: StatusBoard,
                         into f: inout Figures) async throws {
        let keys = names.map { "\(ns)/\($0)" }
        var latencies: [Double] = []
        for i in 0..<min(latencySamples, names.count) {
            let t = ContinuousClock.now
            let updated = try await load.patch(bgdResource, name: names[i], namespace: ns, type: .merge,
                                               body: ["spec": ["template": ["metadata": ["annotations": ["bench/change": .string("\(i)")]]]]])
            let generation = updated["metadata"]["generation"].intValue ?? 0
            let elapsed = try await board.wait([keys[i]], since: t, timeout: .seconds(60)) { $0.observed >= generation }
            latencies.append(seconds(elapsed) * 1000)
        }
        f["latency_p50_ms"] = percentile(latencies, 0.5)
        f["latency_p99_ms"] = percentile(latencies, 0.99)
        _ = try await board.wait(keys, since: ContinuousClock.now, timeout: .seconds(300), StatusBoard.healthy)

        let updatesStart = ContinuousClock.now
        for round in 0..<updateRounds {
            let generations = LockedDictionary()
            try await forEach(names, concurrency: 32) { name in
                let updated = try await load.patch(bgdResource, name: name, namespace: ns, type: .merge, body: [
                    "spec": ["template": ["spec": ["containers": [["name": "app", "image": .string("registry.example/bench:1.\(round + 1)")]]]]]])
                generations.set("\(ns)/\(name)", updated["metadata"]["generation"].intValue ?? 0)
            }
            let target = generations.all()
            for key in keys {
                let goal = target[key] ?? 0
                _ = try await board.wait([key], since: updatesStart, timeout: .seconds(300)) { $0.observed >= goal }
            }
        }
        f["updates_per_s"] = Double(names.count * updateRounds) / seconds(ContinuousClock.now - updatesStart)
        _ = try await board.wait(keys, since: ContinuousClock.now, timeout: .seconds(300), StatusBoard.healthy)
    }
}

/// Creates ``benchRollout``s named `names` in `namespace`, 32 at a time.
func createRollouts(_ names: [String], namespace: String, load: KubernetesClient) async throws {
    try await forEach(names, concurrency: 32) { name in
        _ = try await load.create(bgdResource, benchRollout(name, namespace: namespace), namespace: namespace)
    }
}
