import Foundation
import KubeClient

/// A real Alertmanager (the Debian `prometheus-alertmanager` package) started for a test on
/// loopback at a free port, without clustering, routing every alert to one webhook.
public final class AlertmanagerServer: Sendable {
    public let url: String
    public let port: Int
    private let process: Process
    private let directory: URL

    public struct NotInstalled: Error, CustomStringConvertible {
        public var description: String {
            "the alertmanager binary was not found (looked at $ALERTMANAGER_BIN, /usr/bin/prometheus-alertmanager and $PATH); run scripts/install-deps.sh, which installs the Debian package `prometheus-alertmanager`"
        }
    }

    public struct StartFailed: Error, CustomStringConvertible {
        public var log: String
        public var description: String { "Alertmanager did not become ready: \(log.suffix(2000))" }
    }

    public static func binary() throws -> String {
        let env = ProcessInfo.processInfo.environment
        var candidates = [env["ALERTMANAGER_BIN"], "/usr/bin/prometheus-alertmanager"].compactMap { $0 }
        for dir in (env["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(dir)/alertmanager")
            candidates.append("\(dir)/prometheus-alertmanager")
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw NotInstalled() }
        return found
    }

    /// Starts an Alertmanager that sends every alert group, resolved ones too, to `webhook`,
    /// grouping by `alertname` with short waits, and repeating after `repeatInterval`.
    public static func start(webhook: String, groupWait: String = "1s", groupInterval: String = "1s",
                             repeatInterval: String = "4s") async throws -> AlertmanagerServer {
        let binary = try binary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertmanager-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try FreePort.find()
        let config = """
        route:
          receiver: test
          group_by: ['alertname', 'namespace']
          group_wait: \(groupWait)
          group_interval: \(groupInterval)
          repeat_interval: \(repeatInterval)
        receivers:
          - name: test
            webhook_configs:
              - url: "\(webhook)"
                send_resolved: true
        """
        let configPath = directory.appendingPathComponent("alertmanager.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configPath)",
            "--storage.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
            "--log.level=warn",
        ]
        let logPath = directory.appendingPathComponent("alertmanager.log")
        FileManager.default.createFile(atPath: logPath.path, contents: nil)
        let log = try FileHandle(forWritingTo: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = AlertmanagerServer(url: "http://127.0.0.1:\(port)", port: port, process: process, directory: directory)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning { break }
            let response = try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: server.url + "/-/ready", timeout: .seconds(2)))
            if response?.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOf: logPath, encoding: .utf8)) ?? ""
        server.stop()
        throw StartFailed(log: text)
    }

    private init(url: String, port: Int, process: Process, directory: URL) {
        self.url = url
        self.port = port
        self.process = process
        self.directory = directory
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
