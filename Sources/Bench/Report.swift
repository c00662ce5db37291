import Foundation

enum Report {
    struct Row { var key: String; var label: String; var unit: String; var target: String; var decimals: Int }

    static func rows(sizes: [Int]) -> [Row] {
        var rows = [
            Row(key: "startup_ms", label: "startup to ready (caches synced)", unit: "ms", target: "", decimals: 0),
            Row(key: "rss_idle_mib", label: "operator RSS, idle (run 1: a fresh process)", unit: "MiB", target: "", decimals: 1),
        ]
        for n in sizes {
            rows.append(Row(key: "healthy_\(n)_s", label: "throughput: \(n) applied → all Healthy", unit: "s",
                            target: n == 1000 ? "≤ 10 (seed: 30)" : "", decimals: 2))
            rows.append(Row(key: "cpu_operator_\(n)_s", label: "  operator CPU for those \(n)", unit: "s", target: "", decimals: 2))
            rows.append(Row(key: "cpu_sim_\(n)_s", label: "  simulator CPU for those \(n)", unit: "s", target: "", decimals: 2))
        }
        rows += [
            Row(key: "updates_per_s", label: "updates/s sustained (\(sizes.first ?? 100) rollouts, image changes)", unit: "1/s", target: "", decimals: 0),
            Row(key: "latency_p50_ms", label: "latency spec → observedGeneration, p50 (\(sizes.first ?? 100))", unit: "ms", target: "", decimals: 1),
            Row(key: "latency_p99_ms", label: "latency spec → observedGeneration, p99 (\(sizes.first ?? 100))", unit: "ms", target: "", decimals: 1),
            Row(key: "resync_writes", label: "writes during a no-op resync", unit: "", target: "0", decimals: 0),
            Row(key: "rss_sizes_mib", label: "operator RSS with \(sizes.reduce(0, +)) rollouts (+ children) cached (run 1)", unit: "MiB", target: "", decimals: 1),
            Row(key: "rss_cached_mib", label: "operator RSS with the cache filled (run 1 only)", unit: "MiB", target: "", decimals: 1),
            Row(key: "cached_rollouts", label: "  rollouts (+ children) cached at that point", unit: "", target: "10000", decimals: 0),
            Row(key: "cached_healthy", label: "  of which Healthy (children all created)", unit: "", target: "", decimals: 0),
            Row(key: "cache_fill_s", label: "  time to fill the cache (run 1 only)", unit: "s", target: "", decimals: 1),
            Row(key: "rss_sim_mib", label: "simulator RSS at the end", unit: "MiB", target: "", decimals: 1),
        ]
        return rows
    }

    static func stats(_ values: [Double]) -> (min: Double, median: Double, max: Double)? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return (sorted.first!, median, sorted.last!)
    }

    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        s.count >= w ? s : right ? String(repeating: " ", count: w - s.count) + s : s + String(repeating: " ", count: w - s.count)
    }

    static func render(runs: [Figures], verbs: [[String: Double]], sizes: [Int]) -> String {
        var lines = [pad("figure", 58) + pad("unit", 5) + pad("min", 10, right: true) + pad("median", 10, right: true)
                     + pad("max", 10, right: true) + "  target"]
        lines.append(String(repeating: "─", count: 105))
        for row in rows(sizes: sizes) {
            guard let s = stats(runs.compactMap { $0[row.key] }) else { continue }
            let f = "%.\(row.decimals)f"
            lines.append(pad(row.label, 58) + pad(row.unit, 5) + pad(String(format: f, s.min), 10, right: true)
                         + pad(String(format: f, s.median), 10, right: true) + pad(String(format: f, s.max), 10, right: true)
                         + "  " + row.target)
        }
        func row(_ label: String, _ values: [Double]) {
            guard let s = stats(values) else { return }
            lines.append(pad(label, 58) + pad("", 5) + pad(String(format: "%.2f", s.min), 10, right: true)
                         + pad(String(format: "%.2f", s.median), 10, right: true) + pad(String(format: "%.2f", s.max), 10, right: true))
        }
        let all = Set(verbs.flatMap(\.keys))
        let simPrefix = "sim: "
        let keys = all.filter { !$0.hasPrefix(simPrefix) }.sorted()
        if !keys.isEmpty {
            lines.append("API requests per rollout by verb (operator side, while \(sizes.last ?? 0) roll out at once):")
            for key in keys { row("  " + key, verbs.map { $0[key] ?? 0 }) }
            row("  all requests", verbs.map { v in keys.reduce(0) { $0 + (v[$1] ?? 0) } })
        }
        let simKeys = all.filter { $0.hasPrefix(simPrefix) }.sorted()
        if !simKeys.isEmpty {
            lines.append("Writes the simulator's store committed per rollout (the operator's and its simulated controllers'):")
            for key in simKeys { row("  " + key.dropFirst(simPrefix.count), verbs.map { $0[key] ?? 0 }) }
            row("  all writes", verbs.map { v in simKeys.reduce(0) { $0 + (v[$1] ?? 0) } })
        }
        lines.append("Operator CPU/RSS: this process (the operator plus the bench's own watch and load generator); simulator: its child process.")
        return lines.joined(separator: "\n")
    }

    static func machine() -> [String: Any] {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memKiB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        var name = utsname()
        uname(&name)
        let release = withUnsafePointer(to: &name.release) { $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) } }
        return ["cpu": model, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "memory_gib": (memKiB / 1024 / 1024 * 10).rounded() / 10, "kernel": release,
                "hostname": ProcessInfo.processInfo.hostName]
    }

    static func commit() -> String {
        if let env = ProcessInfo.processInfo.environment["OPSAGENT_COMMIT"], !env.isEmpty { return env }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown" : text
    }

    static func save(runs: [Figures], verbs: [[String: Double]], options: BenchOptions, workers: Int, resyncPeriod: Int,
                     started: Date, table: String) throws -> String {
        let commit = commit()
        let formatter = ISO8601DateFormatter()
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd'T'HHmm"
        day.timeZone = TimeZone(identifier: "UTC")
        var summary: [String: Any] = [:]
        for key in Set(runs.flatMap(\.keys)) {
            if let s = stats(runs.compactMap { $0[key] }) { summary[key] = ["min": s.min, "median": s.median, "max": s.max] }
        }
        let document: [String: Any] = [
            "date": formatter.string(from: started),
            "commit": commit,
            "machine": machine(),
            "settings": ["runs": options.runs, "sizes": options.sizes, "cache_size": options.cacheSize,
                         "time_scale": options.timeScale, "workers": workers, "resync_period_s": resyncPeriod,
                         "rollout": "1 replica, no analysis checks, automatic promotion, scaleDownDelaySeconds 0"],
            "summary": summary,
            "runs": runs,
            "requests_per_rollout": verbs,
            "table": table,
        ]
        try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        let path = "\(options.outputDirectory)/\(day.string(from: started))-\(commit).json"
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
