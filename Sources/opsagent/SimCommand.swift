import ArgumentParser
import Dispatch
import Foundation
import KubeSim

/// `opsagent sim`: runs the embedded Kubernetes API server in the foreground.
struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the embedded Kubernetes API server (for local use and tests).",
        discussion: """
            Serves the Kubernetes API over HTTPS with a generated CA and writes a kubeconfig \
            (a client-certificate admin and a token user). Runs until interrupted.
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 6443

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("kubeconfig-out"), help: "Where to write the kubeconfig (default: in the data directory, or a temporary one).")
    var kubeconfigOut: String?

    @Option(name: .customLong("data-dir"), help: "Persist objects and credentials here, so a restart keeps them.")
    var dataDir: String?

    @Flag(name: .customLong("insecure-http"), help: "Serve plain HTTP; requests without credentials act as cluster admin. For quick local use only.")
    var insecureHTTP = false

    @Option(name: .customLong("fault"),
            help: "A fault in force from the start, e.g. 'error:code=503,verbs=list,probability=0.2' or 'close-watches:every=5' (repeatable; change them at run time at /admin/faults).")
    var faults: [String] = []

    @Option(name: .customLong("time-scale"),
            help: "Wall seconds per simulated second: below 1, pods start, crash and roll out faster.")
    var timeScale: Double = 1

    @Option(help: "Simulated nodes registered at start; more are added when pods do not fit, up to --max-nodes.")
    var nodes: Int = 3

    @Option(name: .customLong("max-nodes"), help: "The most simulated nodes the cluster grows to.")
    var maxNodes: Int = 1000

    @Flag(name: .customLong("no-workloads"), help: "Serve the API alone: no scheduler, kubelets or controllers (pods stay Pending).")
    var noWorkloads = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard timeScale > 0 else { throw ValidationError("--time-scale must be positive") }
        guard nodes >= 0, maxNodes >= nodes else { throw ValidationError("--nodes must be between 0 and --max-nodes") }
        for fault in faults {
            do { _ = try FaultRule(flag: fault) } catch { throw ValidationError("--fault \(error)") }
        }
    }

    func run() async throws {
        let signals = SignalWaiter()
        let rules = try faults.map { try FaultRule(flag: $0) }
        let workloads = noWorkloads ? nil : SimulationOptions(timeScale: timeScale, initialNodes: nodes, maxNodes: maxNodes)
        let sim = try await Simulator.start(.init(port: port, tls: !insecureHTTP, dataDirectory: dataDir, host: host,
                                                  kubeconfigPath: kubeconfigOut, workloads: workloads, faults: rules))
        // Written unbuffered: scripts wait for this line to know the server is ready.
        FileHandle.standardOutput.write(Data("opsagent sim: serving \(sim.url); kubeconfig written to \(sim.kubeconfigPath)\n".utf8))
        let signal = await signals.wait()
        FileHandle.standardError.write(Data("opsagent sim: received signal \(signal), shutting down\n".utf8))
        await sim.stop()
    }
}
