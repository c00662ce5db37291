import Foundation
import KubeClient

/// A real moto server (PyPI `moto[server]`, installed by scripts/install-deps.sh): the AWS
/// APIs (EC2, EKS, CloudWatch, STS, IAM) on loopback at a free port, state in memory.
///
/// `authenticatedAfter` turns on moto's IAM authentication after that many requests: from
/// then on every request's SigV4 signature is recomputed by botocore and checked, and its
/// access key must exist in moto's IAM.
public final class MotoServer: Sendable {
    public let url: String
    public let port: Int
    private let process: Process
    private let logPath: String

    public struct StartFailed: Error, CustomStringConvertible {
        public var log: String
        public var description: String {
            "moto did not start (install it with scripts/install-deps.sh, which runs pip install 'moto[server]'): \(log.suffix(2000))"
        }
    }

    public static func start(authenticatedAfter: Int? = nil) async throws -> MotoServer {
        let port = try FreePort.find()
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment
        if let authenticatedAfter { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = String(authenticatedAfter) }
        // moto must never reach a real AWS endpoint or metadata service.
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = MotoServer(port: port, process: process, logPath: logPath)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, process.isRunning {
            let response = try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: server.url + "/moto-api/data.json",
                                                                            timeout: .seconds(2)))
            if response?.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(150))
        }
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        server.stop()
        throw StartFailed(log: text)
    }

    private init(port: Int, process: Process, logPath: String) {
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
        self.process = process
        self.logPath = logPath
    }

    /// What moto logged (one line per request).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Kills moto (its server ignores SIGTERM) and returns at once: waiting for the exit would
    /// hold a thread of the cooperative pool (two on this machine) that other tests need.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
