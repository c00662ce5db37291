import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// `make bench`: the operator's figures. The BlueGreenDeployment controller runs in this
/// process (a Manager over HTTPS, as `opsagent run` does); the embedded cluster runs in a child
/// process (this binary with `--sim`), so the operator's CPU and memory and the simulator's are
/// measured separately from /proc.
@main
struct Bench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "--sim" {
            try await SimChild.run(timeScale: Double(arguments.count > 2 ? arguments[2] : "0.01") ?? 0.01)
            return
        }
        if arguments.count > 1, arguments[1] == "--mcp" { return try await MCPBench.run(timeScale: 0.01) }
        var options = BenchOptions()
        var index = 1
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--runs": options.runs = Int(value) ?? options.runs; index += 1
            case "--sizes": options.sizes = value.split(separator: ",").compactMap { Int($0) }; index += 1
            case "--cache": options.cacheSize = Int(value) ?? options.cacheSize; index += 1
            case "--out": options.outputDirectory = value; index += 1
            case "--time-scale": options.timeScale = Double(value) ?? options.timeScale; index += 1
            case "--help", "-h":
                print("opsagent-bench [--runs 3] [--sizes 100,1000] [--cache 10000] [--time-scale 0.01] [--out bench/results]")
                return
            default: break
            }
            index += 1
        }
        try await BenchRunner(options: options).run()
    }
}

struct BenchOptions: Sendable {
    var runs = 3
    var sizes = [100, 1000]
    /// BlueGreenDeployments held in the operator's cache for the footprint figure (0: skip).
    var cacheSize = 10_000
    var timeScale = 0.01
    var outputDirectory = "bench/results"
}

/// The embedded cluster, alone in its own process; prints its kubeconfig, stops when stdin closes.
enum SimChild {
    static func run(timeScale: Double) async throws {
        let sim = try await Simulator.start(.init(
            port: 0, tls: true, historyCapacity: 200_000,
            workloads: SimulationOptions(timeScale: timeScale, initialNodes: 20,
                                         nodeCapacity: NodeCapacity(cpuCores: 512, memoryBytes: 2 << 40, pods: 5000),
                                         recordEvents: false)))
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
