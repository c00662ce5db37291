import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bench's table and JSON: per scenario, every row as min / median / max over the runs.
enum Report {
    static func stats(_ values: [Double]) -> (min: Double, median: Double, max: Double)? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return (sorted.first!, median, sorted.last!)
    }

    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        s.count >= w ? s : right ? String(repeating: " ", count: w - s.count) + s : s + String(repeating: " ", count: w - s.count)
    }

    /// One table line: `values` (one per run) as min, median and max; empty when there are none.
    static func line(_ label: String, unit: String = "", values: [Double], decimals: Int = 2, target: String = "") -> String? {
        guard let s = stats(values) else { return nil }
        let f = "%.\(decimals)f"
        return pad(label, 62) + pad(unit, 5) + pad(String(format: f, s.min), 10, right: true)
            + pad(String(format: f, s.median), 10, right: true) + pad(String(format: f, s.max), 10, right: true)
            + (target.isEmpty ? "" : "  " + target)
    }

    /// A titled list of the runs' breakdowns, one line per key (min / median / max; a run
    /// without the key counts 0); nothing when no run has one.
    static func breakdown(_ title: String, _ runs: [ScenarioRun], decimals: Int = 2) -> [String] {
        let keys = Set(runs.flatMap(\.breakdown.keys)).sorted()
        guard !keys.isEmpty else { return [] }
        return [title] + keys.compactMap { key in line("  " + key, values: runs.map { $0.breakdown[key] ?? 0 }, decimals: decimals) }
    }

    static func render(scenario: any BenchScenario, runs: [ScenarioRun], options: BenchOptions, failure: String?) -> String {
        var lines = ["== \(scenario.name) (\(runs.count) run\(runs.count == 1 ? "" : "s"))",
                     pad("figure", 62) + pad("unit", 5) + pad("min", 10, right: true) + pad("median", 10, right: true)
                         + pad("max", 10, right: true) + "  target",
                     String(repeating: "─", count: 109)]
        for row in scenario.rows(options) {
            if let text = line(row.label, unit: row.unit, values: runs.compactMap { $0.figures[row.key] },
                               decimals: row.decimals, target: row.target) { lines.append(text) }
        }
        lines += scenario.breakdown(runs, options: options)
        if let failure { lines.append("FAILED: \(failure)") }
        return lines.joined(separator: "\n")
    }

    /// The scenario's part of the JSON document.
    static func section(scenario: any BenchScenario, runs: [ScenarioRun], options: BenchOptions, failure: String?) -> [String: Any] {
        var summary: [String: Any] = [:]
        for key in Set(runs.flatMap(\.figures.keys)) {
            if let s = stats(runs.compactMap { $0.figures[key] }) { summary[key] = ["min": s.min, "median": s.median, "max": s.max] }
        }
        var section: [String: Any] = [
            "settings": scenario.settings(options),
            "rows": scenario.rows(options).map { ["key": $0.key, "label": $0.label, "unit": $0.unit, "target": $0.target] },
            "summary": summary,
            "runs": runs.map(\.figures),
        ]
        if runs.contains(where: { !$0.breakdown.isEmpty }) { section["breakdown"] = runs.map(\.breakdown) }
        if runs.contains(where: { !$0.notes.isEmpty }) { section["notes"] = runs.map(\.notes) }
        if let failure { section["error"] = failure }
        return section
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

    /// Writes `<out>/<date>-<commit>.json`: date, commit, machine, the scenarios' sections and the table.
    static func save(sections: [String: [String: Any]], options: BenchOptions, started: Date, table: String) throws -> String {
        let commit = commit()
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd'T'HHmm"
        day.timeZone = TimeZone(identifier: "UTC")
        let document: [String: Any] = [
            "date": ISO8601DateFormatter().string(from: started),
            "commit": commit,
            "machine": machine(),
            "command": CommandLine.arguments.dropFirst().joined(separator: " "),
            "scenarios": sections,
            "table": table,
        ]
        try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        let path = "\(options.outputDirectory)/\(day.string(from: started))-\(commit)\(options.only.isEmpty ? "" : "-" + options.only.joined(separator: "+")).json"
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
