import Foundation
import KubeClient

/// A real Prometheus (the Debian `prometheus` package) started for a test on a free port,
/// scraping the targets given, with its data in a temporary folder removed on stop.
public final class PrometheusServer: Sendable {
    public let url: String
    public let port: Int
    private let process: Process
    private let directory: URL

    public struct NotInstalled: Error, CustomStringConvertible {
        public var description: String {
            "the prometheus binary was not found (looked at $PROMETHEUS_BIN, /usr/bin/prometheus and $PATH); run scripts/install-deps.sh, which installs the Debian package `prometheus`"
        }
    }

    public struct StartFailed: Error, CustomStringConvertible {
        public var log: String
        public var description: String { "Prometheus did not become ready: \(log.suffix(2000))" }
    }

    public static func binary() throws -> String {
        let env = ProcessInfo.processInfo.environment
        var candidates = [env["PROMETHEUS_BIN"], "/usr/bin/prometheus"].compactMap { $0 }
        for dir in (env["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/prometheus") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw NotInstalled() }
        return found
    }

    /// Starts Prometheus scraping `targets` (host:port) at `metricsPath` (with query `params`)
    /// every `scrapeInterval`.
    public static func start(targets: [String], metricsPath: String = "/metrics", params: [String: String] = [:],
                             scrapeInterval: String = "1s", scheme: String = "http",
                             bearerToken: String? = nil) async throws -> PrometheusServer {
        let binary = try binary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try FreePort.find()
        let config = """
        global:
          scrape_interval: \(scrapeInterval)
          evaluation_interval: \(scrapeInterval)
        scrape_configs:
          - job_name: test
            scheme: \(scheme)
            metrics_path: \(metricsPath)
        \(params.isEmpty ? "" : "    params:\n" + params.sorted { $0.key < $1.key }.map { "      \($0.key): [\"\($0.value)\"]" }.joined(separator: "\n"))
            tls_config:
              insecure_skip_verify: true
        \(bearerToken.map { "    authorization:\n      type: Bearer\n      credentials: \"\($0)\"" } ?? "")
            static_configs:
              - targets: [\(targets.map { "\"\($0)\"" }.joined(separator: ", "))]
        """
        let configPath = directory.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configPath)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
        ]
        let logPath = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: logPath.path, contents: nil)
        let log = try FileHandle(forWritingTo: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = PrometheusServer(url: "http://127.0.0.1:\(port)", port: port, process: process, directory: directory)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning { break }
            if await server.isReady() { return server }
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

    /// An instant query (`/api/v1/query`); the `data.result` array.
    public func query(_ expression: String, at time: Double? = nil) async throws -> [JSONValue] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var url = self.url + "/api/v1/query?query=" + (expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        if let time { url += "&time=" + String(format: "%.3f", time) }
        let response = try await CurlTransport.shared.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(10)))
        let value = try JSONValue(parsing: response.body)
        guard value["status"].stringValue == "success" else {
            throw StartFailed(log: "query \(expression) failed: \(response.bodyText)")
        }
        return value["data"]["result"].arrayValue ?? []
    }

    /// The single value of an instant query, nil when it returns nothing.
    public func scalar(_ expression: String, at time: Double? = nil) async throws -> Double? {
        guard let first = try await query(expression, at: time).first else { return nil }
        return first["value"][1].stringValue.flatMap(Double.init)
    }

    func isReady() async -> Bool {
        let response = try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: url + "/-/ready", timeout: .seconds(2)))
        return response?.status == 200
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// A TCP port nothing listens on right now.
public enum FreePort {
    public static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
