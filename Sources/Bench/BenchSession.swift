import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the selected scenarios and writes their figures: one table on stdout, one JSON
/// document in the output directory (`<date>-<commit>[-<scenarios>].json`, a section per
/// scenario).
///
/// Every run is a child process (this binary with `--only NAME --run-index I
/// --result-file PATH`), so that a run's memory and threads are its own: what an earlier
/// run or scenario left resident does not count. A scenario whose run fails is reported
/// with the error, and the other scenarios still run.
struct BenchSession {
    var options: BenchOptions

    func run() async throws {
        let started = Date()
        let selected = try select()
        if let index = options.runIndex, let resultFile = options.resultFile, let scenario = selected.first {
            let run = try await scenario.run(index: index, options: options)
            try JSONEncoder().encode(run).write(to: URL(fileURLWithPath: resultFile))
            return
        }
        var tables: [String] = []
        var sections: [String: [String: Any]] = [:]
        for scenario in selected {
            let (runs, failure) = await runs(of: scenario)
            tables.append(Report.render(scenario: scenario, runs: runs, options: options, failure: failure))
            sections[scenario.name] = Report.section(scenario: scenario, runs: runs, options: options, failure: failure)
        }
        let table = tables.joined(separator: "\n\n")
        out("")
        out(table)
        let path = try Report.save(sections: sections, options: options, started: started, table: table)
        out("results written to \(path)")
        if sections.values.contains(where: { $0["error"] != nil }) { throw BenchError("a scenario failed (see its section)") }
    }

    private func select() throws -> [any BenchScenario] {
        if options.only.isEmpty { return Scenarios.all }
        let known = Scenarios.all.map(\.name)
        let unknown = options.only.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw BenchError("--only: unknown scenario \(unknown.joined(separator: ", ")); known: \(known.joined(separator: ", "))")
        }
        return Scenarios.all.filter { options.only.contains($0.name) }
    }

    /// The scenario's runs; the first failing run ends the scenario with its error.
    private func runs(of scenario: any BenchScenario) async -> ([ScenarioRun], String?) {
        let count = options.runs ?? scenario.defaultRuns
        out("[\(scenario.name)] \(count) run(s). \(scenario.describe(options))")
        var runs: [ScenarioRun] = []
        for index in 0..<count {
            out("[\(scenario.name)] run \(index + 1)/\(count)…")
            do {
                let run = options.inProcess
                    ? try await scenario.run(index: index, options: options)
                    : try await runChild(scenario.name, index: index)
                runs.append(run)
                out("  " + run.figures.keys.sorted().map { "\($0)=\(String(format: "%.3f", run.figures[$0]!))" }.joined(separator: " "))
                for note in run.notes { out("  " + note) }
            } catch {
                out("[\(scenario.name)] run \(index + 1) failed: \(error)")
                return (runs, "run \(index + 1): \(error)")
            }
        }
        return (runs, nil)
    }

    /// One run in a child process; its figures read back from a file.
    private func runChild(_ name: String, index: Int) async throws -> ScenarioRun {
        let resultFile = NSTemporaryDirectory() + "opsagent-bench-\(getpid())-\(name)-\(index).json"
        defer { try? FileManager.default.removeItem(atPath: resultFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                                    ?? CommandLine.arguments[0])
        process.arguments = options.childArguments(scenario: name, run: index, resultFile: resultFile)
        // Foundation's waitUntilExit spins a run loop with no sources on Linux (a core at
        // 100 % for as long as the run lasts, taken from what is being measured): wait for
        // the termination handler instead.
        try await withCheckedThrowingContinuation { (exited: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in exited.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                exited.resume(throwing: error)
            }
        }
        guard let data = FileManager.default.contents(atPath: resultFile) else {
            throw BenchError("the run's process exited with status \(process.terminationStatus) without figures")
        }
        return try JSONDecoder().decode(ScenarioRun.self, from: data)
    }
}
