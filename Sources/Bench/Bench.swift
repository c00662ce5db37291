import Foundation
import KubeSim

/// `make bench`: the operator's figures, by scenario (``Scenarios/all``).
///
/// `opsagent-bench [--only NAME[,NAME]] [--runs N] [--out DIR] [--time-scale S] [--KEY VALUE]…`
/// runs the selected scenarios (default: all), each run in a child process of its own, prints
/// one table and writes one JSON document to `bench/results/`. Options a scenario reads
/// itself are passed as `--KEY VALUE` (``BenchOptions/values``). The embedded cluster of a
/// scenario runs in yet another child process (this binary with `--sim`), so the
/// operator's CPU and memory and the simulator's are measured apart, from /proc.
@main
struct Bench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "--sim" {
            try await SimChild.run(timeScale: Double(arguments.count > 2 ? arguments[2] : "0.01") ?? 0.01)
            return
        }
        if arguments.count > 2, arguments[1] == "--api" { return try await APIProcess.serve(kubeconfig: arguments[2]) }
        // The MCP server's figures (#19), printed on their own (Sources/Bench/MCPBench.swift).
        if arguments.count > 1, arguments[1] == "--mcp" { return try await MCPBench.run(timeScale: 0.01) }
        guard let options = BenchOptions(arguments: Array(arguments.dropFirst())) else {
            print("""
                opsagent-bench [--only \(Scenarios.all.map(\.name).joined(separator: ","))] [--runs N] \
                [--time-scale 0.01] [--out bench/results] [--sizes 100,1000] [--cache 10000] [--KEY VALUE]…
                """)
            return
        }
        do {
            try await BenchSession(options: options).run()
        } catch {
            FileHandle.standardError.write(Data("opsagent-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}

struct BenchOptions: Sendable {
    /// Runs per scenario; nil: each scenario's own default.
    var runs: Int?
    /// Scenario names (`--only`); empty: all.
    var only: [String] = []
    var sizes = [100, 1000]
    /// BlueGreenDeployments held in the operator's cache for the footprint figure (0: skip).
    var cacheSize = 10_000
    var timeScale = 0.01
    var outputDirectory = "bench/results"
    /// Set in a child process: run only this run of the one scenario and write it to `resultFile`.
    var runIndex: Int?
    var resultFile: String?
    /// Runs every run in this process (`--in-process`), for debugging.
    var inProcess = false
    /// Every other `--KEY VALUE`, for scenarios to read (`--alert-rules 200`).
    var values: [String: String] = [:]

    /// Parses the command line (without the program name); nil for `--help`.
    init?(arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let key = arguments[index]
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch key {
            case "--help", "-h": return nil
            case "--runs": runs = Int(value)
            case "--only": only = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }
            case "--cache": cacheSize = Int(value) ?? cacheSize
            case "--out": outputDirectory = value
            case "--time-scale": timeScale = Double(value) ?? timeScale
            case "--result-file": resultFile = value
            case "--run-index": runIndex = Int(value)
            case "--in-process": inProcess = true; index -= 1
            default:
                guard key.hasPrefix("--") else { index += 1; continue }
                values[String(key.dropFirst(2))] = value
            }
            index += 2
        }
    }

    /// An integer scenario option (`--KEY N`), else `fallback`.
    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap { Int($0) } ?? fallback }
    /// A number scenario option (`--KEY X`), else `fallback`.
    func double(_ key: String, _ fallback: Double) -> Double { values[key].flatMap { Double($0) } ?? fallback }

    /// The arguments that give a child process these options for one scenario.
    func childArguments(scenario: String, run: Int, resultFile: String) -> [String] {
        var out = ["--only", scenario, "--run-index", String(run), "--result-file", resultFile, "--out", outputDirectory,
                   "--time-scale", String(timeScale), "--sizes", sizes.map(String.init).joined(separator: ","),
                   "--cache", String(cacheSize)]
        if let runs { out += ["--runs", String(runs)] }
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { out += ["--\(key)", value] }
        return out
    }
}

/// The embedded cluster, alone in its own process; prints its kubeconfig, stops when stdin closes.
enum SimChild {
    static func run(timeScale: Double) async throws {
        let sim = try await Simulator.start(.init(
            port: 0, tls: true, historyCapacity: 200_000,
            workloads: SimulationOptions(timeScale: timeScale, initialNodes: 20,
                                         nodeCapacity: NodeCapacity(cpuCores: 512, memoryBytes: 2 << 40, pods: 5000),
                                         recordEvents: false)))
        // The admin's bearer token beside the kubeconfig (which holds a client certificate),
        // for scenarios whose clients authenticate with tokens (the GraphQL API's).
        FileManager.default.createFile(atPath: sim.kubeconfigPath + ".token", contents: Data(sim.adminToken.utf8),
                                       attributes: [.posixPermissions: 0o600])
        FileHandle.standardOutput.write(Data("kubeconfig \(sim.kubeconfigPath)\n".utf8))
        // Each line on stdin asks for the store's committed writes so far; end of input stops.
        // `readLine` blocks: on a cooperative thread it would take that thread from the
        // simulator for the whole run.
        await onThread {
            while let line = readLine() {
                guard line == "writes" else { continue }
                var counts: [String: Int] = [:]
                for (resource, byType) in sim.registry.store.writeCounts {
                    for (type, count) in byType { counts["\(type.rawValue.lowercased()) \(resource.resource)"] = count }
                }
                let text = counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: ",")
                FileHandle.standardOutput.write(Data("writes \(text)\n".utf8))
            }
        }
        await sim.stop()
    }
}
