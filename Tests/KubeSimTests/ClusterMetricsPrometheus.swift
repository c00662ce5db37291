import Foundation
import KubeClient

/// A real Prometheus (the Debian `prometheus` package) for a test: a free port, a generated
/// configuration scraping one target every second, its data in a temporary directory.
final class PrometheusProcess: Sendable {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "the prometheus binary is not installed (looked for $PROMETHEUS_BIN, /usr/bin/prometheus and $PATH): run scripts/install-deps.sh, which installs the Debian package `prometheus`"
        }
    }

    struct NotReady: Error, CustomStringConvertible {
        var log: String
        var description: String { "Prometheus did not become ready: \(log.suffix(2000))" }
    }

    let url: String
    private let process: Process
    private let directory: URL

    private init(url: String, process: Process, directory: URL) {
        self.url = url
        self.process = process
        self.directory = directory
    }

    static func binary() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var candidates = [environment["PROMETHEUS_BIN"], "/usr/bin/prometheus"].compactMap { $0 }
        for dir in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/prometheus") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw Missing() }
        return found
    }

    /// Starts Prometheus scraping `target` (`host:port`) at `path` with query `params`.
    static func start(target: String, path: String, params: [String: String]) async throws -> PrometheusProcess {
        let binary = try binary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let paramLines = params.sorted { $0.key < $1.key }.map { "          \($0.key): [\"\($0.value)\"]" }.joined(separator: "\n")
        let config = """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: opsagent-sim
            metrics_path: \(path)
            params:
        \(paramLines)
            static_configs:
              - targets: ["\(target)"]
        """
        let configPath = directory.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: logPath.path, contents: nil)
        let log = try FileHandle(forWritingTo: logPath)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config.file=\(configPath)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = PrometheusProcess(url: "http://127.0.0.1:\(port)", process: process, directory: directory)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline && process.isRunning {
            let ready = try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: server.url + "/-/ready",
                                                                         timeout: .seconds(2)))
            if ready?.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOf: logPath, encoding: .utf8)) ?? ""
        server.stop()
        throw NotReady(log: text)
    }

    /// An instant query (`/api/v1/query`); the `data.result` array.
    func query(_ expression: String, at time: Double? = nil) async throws -> [JSONValue] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var url = self.url + "/api/v1/query?query=" + (expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        if let time { url += "&time=" + String(format: "%.3f", time) }
        let response = try await CurlTransport.shared.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(10)))
        let value = try JSONValue(parsing: response.body)
        guard value["status"].stringValue == "success" else {
            throw NotReady(log: "query \(expression) failed: \(response.bodyText)")
        }
        return value["data"]["result"].arrayValue ?? []
    }

    /// The single value of an instant query, nil when it returns nothing.
    func scalar(_ expression: String, at time: Double? = nil) async throws -> Double? {
        guard let first = try await query(expression, at: time).first else { return nil }
        return first["value"][1].stringValue.flatMap(Double.init)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
