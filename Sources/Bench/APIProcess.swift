import Foundation
import GraphQLAPI
import KubeClient
import Logging
import OperatorKit
#if canImport(Glibc)
import Glibc
#endif

/// `opsagent api` in a child process (this executable with `--api KUBECONFIG`), so that its
/// memory and CPU are measured alone. It prints `port N` once its caches have synced and it
/// listens, and exits when its standard input closes.
final class APIProcess: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let port: Int
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, input: Pipe, port: Int) {
        self.process = process
        self.input = input
        self.port = port
    }

    static func start(kubeconfig: String) async throws -> APIProcess {
        let (process, input, _, line) = try await spawnSelf(["--api", kubeconfig])
        guard line.hasPrefix("port "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw BenchError("the API server did not start: \(line)")
        }
        return APIProcess(process: process, input: input, port: port)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The child's side.
    static func serve(kubeconfig: String) async throws {
        ProcessMemory.configure()  // as opsagent api does
        var logger = Logger(label: "opsagent.api")
        logger.logLevel = .warning
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: kubeconfig))
        let caches = APICaches(api: client, logger: logger)
        let services = APIServices(caches: caches, serverClient: client, prometheusURL: nil, logger: logger)
        let server = APIServer(service: try GraphQLService(services: services, logger: logger), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await caches.run() }
            _ = await caches.waitUntilSynced(timeout: .seconds(30))
            group.addTask {
                try await server.run(host: "127.0.0.1", port: 0, handlingSignals: false) { port in
                    FileHandle.standardOutput.write(Data("port \(port)\n".utf8))
                }
            }
            // Until the parent closes standard input.
            _ = await onThread { FileHandle.standardInput.readDataToEndOfFile() }
            group.cancelAll()
        }
    }
}
