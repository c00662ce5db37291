import Controllers
import Foundation
import KubeClient
import Logging
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// One run's figures, by name (seconds, milliseconds, MiB, counts).
typealias Figures = [String: Double]

struct BenchRunner {
    var options: BenchOptions
    let workers = 4
    let resyncPeriod = 5
    let latencySamples = 100
    let updateRounds = 3

    func out(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    func run() async throws {
        let started = Date()
        out("opsagent-bench: \(options.runs) runs; sizes \(options.sizes.map(String.init).joined(separator: ", ")); "
            + "operator in-process (\(workers) workers, resync every \(resyncPeriod) s); embedded cluster in a child process, "
            + "simulated time \(Int(1 / options.timeScale))× faster; BlueGreenDeployments with 1 replica, no analysis checks, "
            + "automatic promotion, no scale-down delay — the figures measure the operator and its API round trips, not waiting periods.")
        var runs: [Figures] = []
        var verbs: [[String: Double]] = []
        for index in 0..<options.runs {
            out("run \(index + 1)/\(options.runs)…")
            let (figures, perRollout) = try await oneRun(index: index)
            runs.append(figures)
            verbs.append(perRollout)
            out("  " + figures.keys.sorted().map { "\($0)=\(String(format: "%.2f", figures[$0]!))" }.joined(separator: " "))
        }
        let table = Report.render(runs: runs, verbs: verbs, sizes: options.sizes)
        out("")
        out(table)
        let path = try Report.save(runs: runs, verbs: verbs, options: options, workers: workers,
                                   resyncPeriod: resyncPeriod, started: started, table: table)
        out("results written to \(path)")
    }

    // MARK: one run

    private func oneRun(index: Int) async throws -> (Figures, [String: Double]) {
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

    /// Waits until the operator has made no request for a second (at most 60 s).
    private func quiesce(_ counting: CountingTransport) async throws {
        var last = counting.snapshot()
        var quietSince = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let now = counting.snapshot()
            if now != last { last = now; quietSince = ContinuousClock.now }
            if ContinuousClock.now - quietSince > .seconds(1) { return }
        }
    }
}

final class LockedDictionary: @unchecked Sendable {
    private var values: [String: Int] = [:]
    private let lock = NSLock()
    func set(_ key: String, _ value: Int) { lock.withLock { values[key] = value } }
    func all() -> [String: Int] { lock.withLock { values } }
}

func until(_ what: String, seconds limit: Int, poll: Duration = .milliseconds(50),
           _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(limit)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: poll)
    }
    throw BenchError("timed out waiting until \(what)")
}

/// Runs `body` for each item with at most `concurrency` in flight.
func forEach(_ items: [String], concurrency: Int, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<concurrency {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}

/// Runs blocking work (reading a pipe) on a thread of its own, so that it does not hold one
/// of Swift's cooperative threads (there are as many as cores: two here) while it waits.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// Lets `perf record --control fifo:PATH -D -1` sample only the throughput windows: with
/// `OPSAGENT_BENCH_PERF_FIFO=PATH` set, the bench writes `enable` to that FIFO when N rollouts
/// are applied and `disable` once all are Healthy.
enum Profiler {
    static func control(_ command: String) {
        guard let path = ProcessInfo.processInfo.environment["OPSAGENT_BENCH_PERF_FIFO"],
              let fifo = FileHandle(forWritingAtPath: path) else { return }
        fifo.write(Data((command + "\n").utf8))
        try? fifo.close()
    }
}

/// The embedded cluster in a child process (this executable with `--sim`).
final class SimProcess: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let output: Pipe
    let kubeconfig: String
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, input: Pipe, output: Pipe, kubeconfig: String) {
        self.process = process
        self.input = input
        self.output = output
        self.kubeconfig = kubeconfig
    }

    static func start(timeScale: Double) async throws -> SimProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                                    ?? CommandLine.arguments[0])
        process.arguments = ["--sim", String(timeScale)]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = await onThread { () -> String in
            var data = Data()
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                if data.contains(UInt8(ascii: "\n")) { break }
            }
            return String(decoding: data, as: UTF8.self)
        }
        guard line.hasPrefix("kubeconfig ") else { throw BenchError("the simulator did not start: \(line)") }
        let path = line.dropFirst("kubeconfig ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        return SimProcess(process: process, input: input, output: output, kubeconfig: path)
    }

    /// The writes the simulator's store has committed so far, by "verb resource"
    /// ("added pods", "modified replicasets"): the operator's and the simulated controllers'.
    func writeCounts() async -> [String: Int] {
        input.fileHandleForWriting.write(Data("writes\n".utf8))
        let reader = output.fileHandleForReading
        let line = await onThread { () -> String in
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                guard let byte = try? reader.read(upToCount: 1), !byte.isEmpty else { break }
                data.append(byte)
            }
            return String(decoding: data, as: UTF8.self)
        }
        guard line.hasPrefix("writes ") else { return [:] }
        var counts: [String: Int] = [:]
        for pair in line.dropFirst("writes ".count).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        return counts
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
