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
/// sustained updates, no-op resync writes and the operator's footprint with a full cache.
/// The controller runs in this process (a Manager over HTTPS, as `opsagent run` does).
struct BlueGreenScenario: BenchScenario {
    let name = "bluegreen"
    let workers = 4
    let resyncPeriod = 5
    let latencySamples = 100
    let updateRounds = 3

    func describe(_ options: BenchOptions) -> String {
        "Sizes \(options.sizes.map(String.init).joined(separator: ", ")); "
            + "operator in-process (\(workers) workers, resync every \(resyncPeriod) s); embedded cluster in a child process, "
            + "simulated time \(Int(1 / options.timeScale))× faster; BlueGreenDeployments with 1 replica, no analysis checks, "
            + "automatic promotion, no scale-down delay — the figures measure the operator and its API round trips, not waiting periods."
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        ["sizes": options.sizes, "cache_size": options.cacheSize, "time_scale": options.timeScale, "workers": workers,
         "resync_period_s": resyncPeriod, "rollout": "1 replica, no analysis checks, automatic promotion, scaleDownDelaySeconds 0"]
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        let sizes = options.sizes
        var rows = [
            BenchRow(key: "startup_ms", label: "startup to ready (caches synced)", unit: "ms", decimals: 0),
            BenchRow(key: "rss_idle_mib", label: "operator RSS, idle (run 1: a fresh process)", unit: "MiB", decimals: 1),
        ]
        for n in sizes {
            rows.append(BenchRow(key: "healthy_\(n)_s", label: "throughput: \(n) applied → all Healthy", unit: "s",
                                 target: n == 1000 ? "≤ 10 (seed: 30)" : ""))
            rows.append(BenchRow(key: "cpu_operator_\(n)_s", label: "  operator CPU for those \(n)", unit: "s"))
            rows.append(BenchRow(key: "cpu_sim_\(n)_s", label: "  simulator CPU for those \(n)", unit: "s"))
        }
        rows += [
            BenchRow(key: "updates_per_s", label: "updates/s sustained (\(sizes.first ?? 100) rollouts, image changes)", unit: "1/s", decimals: 0),
            BenchRow(key: "latency_p50_ms", label: "latency spec → observedGeneration, p50 (\(sizes.first ?? 100))", unit: "ms", decimals: 1),
            BenchRow(key: "latency_p99_ms", label: "latency spec → observedGeneration, p99 (\(sizes.first ?? 100))", unit: "ms", decimals: 1),
            BenchRow(key: "resync_writes", label: "writes during a no-op resync", unit: "", target: "0", decimals: 0),
            BenchRow(key: "rss_sizes_mib", label: "operator RSS with \(sizes.reduce(0, +)) rollouts (+ children) cached (run 1)", unit: "MiB", decimals: 1),
            BenchRow(key: "rss_cached_mib", label: "operator RSS with the cache filled (run 1 only)", unit: "MiB", decimals: 1),
            BenchRow(key: "cached_rollouts", label: "  rollouts (+ children) cached at that point", unit: "", target: "10000", decimals: 0),
            BenchRow(key: "cached_healthy", label: "  of which Healthy (children all created)", unit: "", decimals: 0),
            BenchRow(key: "cache_fill_s", label: "  time to fill the cache (run 1 only)", unit: "s", decimals: 1),
            BenchRow(key: "rss_sim_mib", label: "simulator RSS at the end", unit: "MiB", decimals: 1),
        ]
        return rows
    }

    /// API requests per rollout by verb, then the simulator's store writes per rollout.
    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String] {
        let verbs = runs.map(\.breakdown)
        var lines: [String] = []
        let all = Set(verbs.flatMap(\.keys))
        let simPrefix = "sim: "
        let keys = all.filter { !$0.hasPrefix(simPrefix) }.sorted()
        if !keys.isEmpty {
            lines.append("API requests per rollout by verb (operator side, while \(options.sizes.last ?? 0) roll out at once):")
            lines += keys.compactMap { key in Report.line("  " + key, values: verbs.map { $0[key] ?? 0 }) }
            lines += [Report.line("  all requests", values: verbs.map { v in keys.reduce(0) { $0 + (v[$1] ?? 0) } })].compactMap { $0 }
        }
        let simKeys = all.filter { $0.hasPrefix(simPrefix) }.sorted()
        if !simKeys.isEmpty {
            lines.append("Writes the simulator's store committed per rollout (the operator's and its simulated controllers'):")
            lines += simKeys.compactMap { key in Report.line("  " + key.dropFirst(simPrefix.count), values: verbs.map { $0[key] ?? 0 }) }
            lines += [Report.line("  all writes", values: verbs.map { v in simKeys.reduce(0) { $0 + (v[$1] ?? 0) } })].compactMap { $0 }
        }
        lines.append("Operator CPU/RSS: this process (the operator plus the bench's own watch and load generator); simulator: its child process.")
        return lines
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        let (figures, perRollout) = try await oneRun(index: index, options: options)
        return ScenarioRun(figures: figures, breakdown: perRollout)
    }

    // MARK: one run

    private func oneRun(index: Int, options: BenchOptions) async throws -> (Figures, [String: Double]) {
        var f = Figures()
        let child = try await SimProcess.start(timeScale: options.timeScale)
        defer { child.stop() }
        let configuration = try ClusterConfiguration.load(kubeconfigPath: child.kubeconfig)
        let load = KubernetesClient(configuration: configuration, transport: CurlTransport(maxConnectionsPerHost: 64))
        _ = try await load.create(.customResourceDefinitions, BlueGreenDeployment.definition.json)
        try await until("the CRD is served", seconds: 30) { (try? await load.list(bgdResource, namespace: nil)) != nil }

        // Startup to ready (caches synced), then idle memory.
        let counting = CountingTransport(base: CurlTransport(maxConnectionsPerHost: 32))
        let api = KubernetesClient(configuration: configuration, transport: counting)
        let startup = ContinuousClock.now
        var logger = Logger(label: "opsagent.manager")
        logger.logLevel = .warning  // the table, not the manager's start/stop lines
        let manager = Manager(api: api, configuration: ManagerConfiguration(
            workersPerController: workers, resyncPeriod: .seconds(resyncPeriod)), logger: logger)
        try BlueGreenController.register(in: OperatorContext(manager: manager, configuration: .init(workers: workers)))
        let runTask = Task { try await manager.run() }
        try await until("the manager is ready", seconds: 30, poll: .milliseconds(1)) { manager.isReady }
        f["startup_ms"] = seconds(ContinuousClock.now - startup) * 1000
        try await Task.sleep(for: .seconds(1))
        // The runs share this process and freed memory stays resident, so only the first run's RSS is the operator's.
        if index == 0 { f["rss_idle_mib"] = ProcStats.rssMiB(getpid()) }

        let board = StatusBoard()
        board.start(client: load)
        var perRollout: [String: Double] = [:]
        let healthy: @Sendable (StatusBoard.Entry) -> Bool = { $0.phase == "Healthy" && $0.observed >= $0.generation && $0.generation > 0 }

        for (position, n) in options.sizes.enumerated() {
            // Throughput: N applied at once → all Healthy.
            let ns = "t\(n)"
            _ = try await load.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
            try await quiesce(counting)
            let before = counting.snapshot()
            let simWritesBefore = await child.writeCounts()
            let cpuOperator = ProcStats.cpuSeconds(getpid()), cpuSim = ProcStats.cpuSeconds(child.pid)
            Profiler.control("enable")
            let start = ContinuousClock.now
            let names = (0..<n).map { "bgd-\($0)" }
            try await forEach(names, concurrency: 32) { name in
                _ = try await load.create(bgdResource, benchRollout(name, namespace: ns), namespace: ns)
            }
            let keys = names.map { "\(ns)/\($0)" }
            let took = try await board.wait(keys, since: start, timeout: .seconds(300), healthy)
            Profiler.control("disable")
            f["healthy_\(n)_s"] = seconds(took)
            f["cpu_operator_\(n)_s"] = ProcStats.cpuSeconds(getpid()) - cpuOperator
            f["cpu_sim_\(n)_s"] = ProcStats.cpuSeconds(child.pid) - cpuSim
            let after = counting.snapshot()
            if position == options.sizes.count - 1 || n >= 1000 {
                perRollout = after.reduce(into: [:]) { result, item in
                    let delta = item.value - (before[item.key] ?? 0)
                    if delta > 0 { result[item.key] = Double(delta) / Double(n) }
                }
                // Writes the simulator's store committed for those rollouts (the operator's and its own controllers').
                for (key, count) in await child.writeCounts() {
                    let delta = count - (simWritesBefore[key] ?? 0)
                    if delta > 0 { perRollout["sim: " + key] = Double(delta) / Double(n) }
                }
            }
            guard position == 0 else { continue }

            // No-op resync: everything Healthy and quiet, then one full resync period and a little more.
            try await quiesce(counting)
            let writesBefore = counting.writes
            let listsBefore = counting.snapshot()
            try await Task.sleep(for: .seconds(resyncPeriod * 2 + 1))
            f["resync_writes"] = Double(counting.writes - writesBefore)
            let afterResync = counting.snapshot()
            let changed = afterResync.filter { $0.value != (listsBefore[$0.key] ?? 0) }
            if !changed.isEmpty { out("  requests during the no-op resync window: \(changed.map { "\($0.key): \($0.value - (listsBefore[$0.key] ?? 0))" }.sorted().joined(separator: ", "))") }

            // Latency: one spec change at a time → status.observedGeneration updated.
            var latencies: [Double] = []
            for i in 0..<min(latencySamples, n) {
                let t = ContinuousClock.now
                let updated = try await load.patch(bgdResource, name: names[i], namespace: ns, type: .merge,
                                                   body: ["spec": ["template": ["metadata": ["annotations": ["bench/change": .string("\(i)")]]]]])
                let generation = updated["metadata"]["generation"].intValue ?? 0
                let elapsed = try await board.wait([keys[i]], since: t, timeout: .seconds(60)) { $0.observed >= generation }
                latencies.append(seconds(elapsed) * 1000)
            }
            f["latency_p50_ms"] = percentile(latencies, 0.5)
            f["latency_p99_ms"] = percentile(latencies, 0.99)
            _ = try await board.wait(keys, since: ContinuousClock.now, timeout: .seconds(300), healthy)

            // Sustained updates: every rollout's image changed, round after round, until observed.
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
            f["updates_per_s"] = Double(n * updateRounds) / seconds(ContinuousClock.now - updatesStart)
            _ = try await board.wait(keys, since: ContinuousClock.now, timeout: .seconds(300), healthy)
        }

        // Footprint with many BlueGreenDeployments (and their Deployments, ReplicaSets, Services) cached.
        let existing = options.sizes.reduce(0, +)
        try await quiesce(counting)
        if index == 0 { f["rss_sizes_mib"] = ProcStats.rssMiB(getpid()) }
        if index == 0, options.cacheSize > existing {
            let extra = options.cacheSize - existing
            _ = try await load.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "cache"]])
            let start = ContinuousClock.now
            let names = (0..<extra).map { "bgd-\($0)" }
            let cacheKeys = names.map { "cache/\($0)" }
            do {
                try await forEach(names, concurrency: 32) { name in
                    _ = try await load.create(bgdResource, benchRollout(name, namespace: "cache"), namespace: "cache")
                }
                _ = try await board.wait(cacheKeys, since: start, timeout: .seconds(300), healthy)
                f["cache_fill_s"] = seconds(ContinuousClock.now - start)
            } catch {
                out("  the cache fill did not finish: \(error)")
            }
            // Counted, not assumed: the rollouts that exist (the operator caches them and their children).
            f["cached_rollouts"] = Double(existing + cacheKeys.filter { board.entry($0) != nil }.count)
            f["cached_healthy"] = Double(existing + cacheKeys.filter { board.entry($0).map(healthy) ?? false }.count)
            try await quiesce(counting)
            f["rss_cached_mib"] = ProcStats.rssMiB(getpid())
        }
        f["rss_sim_mib"] = ProcStats.rssMiB(child.pid)

        board.stop()
        manager.stop()
        _ = try? await runTask.value
        return (f, perRollout)
    }
}
