import Foundation
import KubeClient
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The real operator, `opsagent run` (the release binary beside this one, or
/// `OPSAGENT_BINARY`), in a child process of its own: its RSS and CPU, read from /proc, are
/// the operator's alone, without the bench's watches, load generator or code.
///
/// It runs as `make up` runs it (every installed controller, so every opsagent CRD must be
/// served first), with `--workers` and warning-level logs to a file under the temporary
/// directory. `/readyz` on its health address says when its caches have synced; its
/// `/metrics` (``OperatorMetricsSample``) count its API requests by HTTP method
/// (`rest_client_requests_total`), its reconciles and its work queues.
final class OperatorChild: @unchecked Sendable {
    let process: Process
    let healthPort: Int
    let metricsPort: Int
    let logPath: String
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, healthPort: Int, metricsPort: Int, logPath: String) {
        self.process = process
        self.healthPort = healthPort
        self.metricsPort = metricsPort
        self.logPath = logPath
    }

    /// The `opsagent` binary: `OPSAGENT_BINARY`, else the one beside this executable.
    static func binary() throws -> String {
        let here = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                       ?? CommandLine.arguments[0])
        let binary = ProcessInfo.processInfo.environment["OPSAGENT_BINARY"]
            ?? here.deletingLastPathComponent().appendingPathComponent("opsagent").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) is missing: build it (swift build -c release --product opsagent) or set OPSAGENT_BINARY")
        }
        return binary
    }

    /// Spawns `opsagent run` against `kubeconfig`; returns at once (see ``waitUntilReady(timeout:)``).
    static func spawn(kubeconfig: String, workers: Int) throws -> OperatorChild {
        let healthPort = try FreePort.find(), metricsPort = try FreePort.find()
        let logPath = NSTemporaryDirectory() + "opsagent-bench-\(getpid())-operator-\(healthPort).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw BenchError("cannot write \(logPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = ["run", "--kubeconfig", kubeconfig, "--workers", String(workers),
                             "--log-format", "json", "--log-level", "warning", "--shutdown-timeout", "5",
                             "--metrics-bind-address", "127.0.0.1:\(metricsPort)",
                             "--health-probe-bind-address", "127.0.0.1:\(healthPort)"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return OperatorChild(process: process, healthPort: healthPort, metricsPort: metricsPort, logPath: logPath)
    }

    /// Polls `/readyz` every 5 ms until it answers 200 (every informer synced).
    func waitUntilReady(timeout: Duration) async throws {
        let url = "http://127.0.0.1:\(healthPort)/readyz"
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("opsagent run exited (\(process.terminationStatus)): \(logTail())") }
            if let response = try? await CurlTransport.shared.send(KubeClient.HTTPRequest(method: "GET", url: url, timeout: .seconds(5))),
               response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchError("opsagent run was not ready within \(timeout): \(logTail())")
    }

    /// Spawns the operator and waits for `/readyz`; answers it with the time from spawn to ready.
    static func start(kubeconfig: String, workers: Int, timeout: Duration = .seconds(120)) async throws -> (OperatorChild, Duration) {
        let started = ContinuousClock.now
        let child = try spawn(kubeconfig: kubeconfig, workers: workers)
        do {
            try await child.waitUntilReady(timeout: timeout)
        } catch {
            child.stop()
            throw error
        }
        return (child, ContinuousClock.now - started)
    }

    var rssMiB: Double { ProcStats.rssMiB(pid) }
    var cpuSeconds: Double { ProcStats.cpuSeconds(pid) }

    /// A scrape of `/metrics`.
    func metrics() async throws -> OperatorMetricsSample {
        let response = try await CurlTransport.shared.send(KubeClient.HTTPRequest(method: "GET", url: "http://127.0.0.1:\(metricsPort)/metrics",
                                                                       timeout: .seconds(30)))
        guard response.status == 200 else { throw BenchError("GET /metrics: \(response.status)") }
        return OperatorMetricsSample(text: response.bodyText)
    }

    /// Waits until the operator is idle: no API request for a second and every work queue
    /// empty at each scrape in it (every 250 ms, at most `limit`; reconciles that send no
    /// request, e.g. for a pod's status, may go on). Answers the last sample.
    @discardableResult
    func settle(limit: Duration = .seconds(120)) async throws -> OperatorMetricsSample {
        var last = try await metrics()
        var quietSince = ContinuousClock.now
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            let now = try await metrics()
            if now.requests != last.requests || now.queued > 0 { quietSince = ContinuousClock.now }
            last = now
            if ContinuousClock.now - quietSince >= .seconds(1) { return now }
        }
        out("  the operator was still busy after \(limit)")
        return last
    }

    /// SIGTERM (a graceful shutdown, at most the 5 s given), then SIGKILL.
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(pid, SIGKILL) }
    }

    /// The last lines of the operator's log, for errors.
    func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return "log \(logPath): " + text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }
}

extension BenchCluster {
    /// Starts `opsagent run` against this cluster (every opsagent CRD installed) and records
    /// `startup_ms` (spawn → /readyz) and, once it is quiet, `rss_idle_mib`.
    func startOperatorProcess(workers: Int, into figures: inout Figures) async throws -> OperatorChild {
        let (op, startup) = try await OperatorChild.start(kubeconfig: child.kubeconfig, workers: workers)
        figures["startup_ms"] = seconds(startup) * 1000
        do {
            try await op.settle()
            try await Task.sleep(for: .seconds(1))
        } catch {
            op.stop()
            throw error
        }
        figures["rss_idle_mib"] = op.rssMiB
        return op
    }
}

/// One scrape of the operator's `/metrics`: every sample by name and labels.
struct OperatorMetricsSample: Sendable {
    struct Series: Sendable { var name: String; var labels: [String: String]; var value: Double }
    var series: [Series] = []

    /// Parses the Prometheus text format (comments skipped; label values unescaped only as
    /// far as `\"` and `\\`).
    init(text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let head = line[..<space]
            guard let brace = head.firstIndex(of: "{") else {
                series.append(Series(name: String(head), labels: [:], value: value))
                continue
            }
            var labels: [String: String] = [:]
            var rest = head[head.index(after: brace)...]
            while let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].first == "\"" {
                let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                var index = rest.index(equals, offsetBy: 2)
                var value = ""
                while index < rest.endIndex, rest[index] != "\"" {
                    if rest[index] == "\\", rest.index(after: index) < rest.endIndex { index = rest.index(after: index) }
                    value.append(rest[index])
                    index = rest.index(after: index)
                }
                labels[key] = value
                rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
            }
            series.append(Series(name: String(head[..<brace]), labels: labels, value: value))
        }
    }

    /// The sum of `name`'s series, by the value of `label` (e.g. requests by method).
    func sum(_ name: String, by label: String) -> [String: Double] {
        series.filter { $0.name == name }.reduce(into: [:]) { $0[$1.labels[label] ?? "", default: 0] += $1.value }
    }

    func total(_ name: String) -> Double { series.filter { $0.name == name }.reduce(0) { $0 + $1.value } }

    /// API requests by HTTP method (`rest_client_requests_total`, every status code).
    var requestsByMethod: [String: Double] { sum("rest_client_requests_total", by: "method") }
    /// Creates, updates, patches and deletes the operator sent.
    var writes: Double { requestsByMethod.filter { ["POST", "PUT", "PATCH", "DELETE"].contains($0.key) }.values.reduce(0, +) }
    /// Reconciles by controller.
    var reconciles: [String: Double] { sum("controller_runtime_reconcile_total", by: "controller") }
    /// API requests so far: unchanged while the operator is idle.
    var requests: Double { total("rest_client_requests_total") }
    /// Items waiting in the work queues.
    var queued: Double { total("workqueue_depth") }

    /// Per-object deltas from `before` to this sample: requests by method,
    /// reconciles by controller (for a breakdown under the table).
    func perObject(since before: OperatorMetricsSample, objects: Int) -> [String: Double] {
        var deltas: [String: Double] = [:]
        func add(_ key: String, _ now: Double, _ then: Double) {
            if now > then { deltas[key] = (now - then) / Double(max(objects, 1)) }
        }
        let methods = before.requestsByMethod
        for (method, count) in requestsByMethod { add("requests \(method)", count, methods[method] ?? 0) }
        let reconciled = before.reconciles
        for (controller, count) in reconciles { add("reconciles \(controller)", count, reconciled[controller] ?? 0) }
        return deltas
    }
}
