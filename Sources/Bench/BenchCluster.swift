import Controllers
import Foundation
import KubeClient
import Logging
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// A scenario's cluster and operator: the embedded cluster in a child process, a client for
/// the load the scenario generates, and an operator (a Manager in this process, over HTTPS,
/// its requests counted by verb) that runs the controllers the scenario registers.
///
/// ```swift
/// let cluster = try await BenchCluster.start(options, crds: [AlertRule.definition.json])
/// defer { cluster.stopCluster() }
/// try await cluster.startOperator { try AlertRuleController.register(in: $0) }
/// … // load through cluster.load; figures from cluster.counting, ProcStats
/// await cluster.stopOperator()
/// ```
final class BenchCluster: @unchecked Sendable {
    let child: SimProcess
    let configuration: ClusterConfiguration
    /// The scenario's own client (the load generator; not counted).
    let load: KubernetesClient
    /// The operator's requests.
    let counting: CountingTransport
    private(set) var manager: Manager?
    private var runTask: Task<Void, any Error>?

    private init(child: SimProcess, configuration: ClusterConfiguration, load: KubernetesClient) {
        self.child = child
        self.configuration = configuration
        self.load = load
        counting = CountingTransport(base: CurlTransport(maxConnectionsPerHost: 32))
    }

    /// Every opsagent CRD: what `opsagent run` (every installed controller) needs served
    /// before its caches can sync.
    static var operatorCRDs: [(definition: JSONValue, resource: GroupVersionResource)] {
        OpsAPI.customResourceDefinitions.map { ($0.json, $0.resource) }
    }

    /// Starts the embedded cluster and installs `crds` (waiting until each is served).
    static func start(_ options: BenchOptions, crds: [(definition: JSONValue, resource: GroupVersionResource)]) async throws -> BenchCluster {
        let child = try await SimProcess.start(timeScale: options.timeScale)
        do {
            let configuration = try ClusterConfiguration.load(kubeconfigPath: child.kubeconfig)
            let load = KubernetesClient(configuration: configuration, transport: CurlTransport(maxConnectionsPerHost: 64))
            for crd in crds {
                _ = try await load.create(.customResourceDefinitions, crd.definition)
                try await until("\(crd.resource.resource) is served", seconds: 30) {
                    (try? await load.list(crd.resource, namespace: nil)) != nil
                }
            }
            return BenchCluster(child: child, configuration: configuration, load: load)
        } catch {
            child.stop()
            throw error
        }
    }

    /// Starts the operator with the controllers `register` adds; returns once its caches
    /// have synced, with the time that took.
    @discardableResult
    func startOperator(workers: Int = 4, resyncPeriod: Duration = .seconds(300),
                       register: (OperatorContext) throws -> Void) async throws -> Duration {
        // The allocator as the operator process (`OperatorProcess`) sets it.
        ProcessMemory.configure()
        let api = KubernetesClient(configuration: configuration, transport: counting)
        var logger = Logger(label: "opsagent.manager")
        logger.logLevel = .warning  // the table, not the manager's start/stop lines
        let manager = Manager(api: api, configuration: ManagerConfiguration(
            workersPerController: workers, resyncPeriod: resyncPeriod), logger: logger)
        try register(OperatorContext(manager: manager, configuration: .init(workers: workers)))
        let started = ContinuousClock.now
        self.manager = manager
        runTask = Task { try await manager.run() }
        try await until("the manager is ready", seconds: 120, poll: .milliseconds(5)) { manager.isReady }
        return ContinuousClock.now - started
    }

    func stopOperator() async {
        manager?.stop()
        _ = try? await runTask?.value
        manager = nil
        runTask = nil
    }

    func stopCluster() { child.stop() }

    /// Creates a namespace (no error when it exists).
    func namespace(_ name: String) async throws {
        do {
            _ = try await load.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        } catch let error as KubeError where error.isAlreadyExists {}
    }
}

/// Peak resident memory since the last reset, from /proc (VmHWM, reset through clear_refs).
enum PeakRSS {
    /// Starts a new peak at the current RSS (Linux ≥ 4.0); false when the kernel refused.
    @discardableResult
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    static func mib() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}
