import ArgumentParser
import Dispatch
import Foundation
import KubeClient
import OpsAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `opsagent up`: the quickstart. Starts the embedded cluster, a local Prometheus (when the
/// binary is installed) and the operator as child processes, applies the CRDs and the
/// examples, shows the rollouts converging in a live table, demonstrates a bad version rolling
/// back, then keeps everything running until Ctrl-C.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the embedded cluster, Prometheus and the operator, apply the examples and watch them converge.",
        discussion: """
            Everything lives in the state directory (default .up): the kubeconfig, the cluster's data \
            (so a re-run keeps it), and the logs of the cluster, the operator and Prometheus \
            (sim.log, operator.log, prometheus.log). Ctrl-C stops everything and exits 0.
            """)

    @Option(name: .customLong("dir"), help: "The state directory: kubeconfig, cluster data and logs.")
    var directory: String = ".up"

    @Option(help: "The folder of example manifests to apply (every .yaml in it).")
    var examples: String = "examples/bluegreen"

    @Option(name: .customLong("alerting-examples"), help: "The folder of AlertRule examples applied after the rollouts' (empty for none).")
    var alertingExamples: String = "examples/alerting"

    @Option(help: "The folder of SecurityAudit examples (an audit and deliberately insecure workloads); skipped when absent.")
    var securityExamples: String = "examples/security"

    @Option(name: .customLong("security-report-examples"),
            help: "The folder of SecurityReport examples (a baseline kept beside the audits' reports); skipped when absent.")
    var securityReportExamples: String = "examples/security-reports"

    @Option(help: "The folder of OpsWorkflow examples (the seed's deployment and incident-response); skipped when absent.")
    var workflowExamples: String = "examples/workflows"

    @Option(help: "The folder of OpsWorkflowRun examples (runs created directly, as GitOps or CI would); skipped when absent.")
    var workflowRunExamples: String = "examples/workflow-runs"

    @Option(help: "The API server port (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Seconds to wait for the examples to converge, and then for the rollback.")
    var timeout: Int = 300

    @Flag(name: .customLong("no-demo"), help: "Skip the bad-version rollback demonstration.")
    var noDemo = false

    @Flag(name: .customLong("exit"), help: "Stop everything after the demonstration instead of waiting for Ctrl-C.")
    var exitAfterDemo = false

    func run() async throws {
        let signals = SignalWaiter()
        let stack = UpStack(directory: directory)
        let flow = Task {
            try await self.flow(stack: stack)
        }
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do { try await flow.value; return .success(()) } catch { return .failure(error) }
            }
            group.addTask {
                let number = await signals.wait()
                return number == 0 ? nil : .success(())
            }
            let first = await group.next() ?? nil
            flow.cancel()
            signals.finish()
            group.cancelAll()
            return first ?? .success(())
        }
        let console = Console.shared
        console.line("")
        console.line("Stopping the operator, Prometheus and the cluster…")
        await stack.stopAll()
        console.line("Stopped. State kept in \(directory)/ (run `make up` again to continue).")
        if case .failure(let error) = outcome, !(error is CancellationError) {
            throw error
        }
    }

    private func flow(stack: UpStack) async throws {
        let console = Console.shared
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        stack.stopLeftovers()
        let executable = try Self.executablePath()
        let kubeconfig = (directory as NSString).appendingPathComponent("kubeconfig")
        let dataDirectory = (directory as NSString).appendingPathComponent("data")

        // 1. The embedded cluster.
        console.step("Starting the embedded cluster")
        let simLog = (directory as NSString).appendingPathComponent("sim.log")
        try stack.launch("sim", executable, ["sim", "--port", String(port), "--kubeconfig-out", kubeconfig,
                                             "--data-dir", dataDirectory], log: simLog)
        let serving = try await stack.waitForLine(in: simLog, containing: "serving ", child: "sim", seconds: 60)
        let url = serving.split(separator: " ").first { $0.hasPrefix("http") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ";,")) } ?? ""
        console.done("cluster at \(url)  (log: \(simLog))")
        let client = try KubernetesClient(kubeconfigPath: kubeconfig)

        // 2. The CRDs, before the operator starts watching them.
        console.step("Installing the CRDs")
        for crd in OpsAPI.customResourceDefinitions {
            _ = try await client.apply(GroupVersionResource.customResourceDefinitions, crd.json,
                                       fieldManager: "opsagent-up", force: true)
        }
        let bgd = BlueGreenDeployment.definition.resource
        for crd in OpsAPI.customResourceDefinitions {
            try await retry(seconds: 30) { _ = try await client.list(crd.resource, namespace: nil) }
        }
        console.done("\(OpsAPI.customResourceDefinitions.map(\.name).joined(separator: ", "))")

        // The admin's bearer token: Prometheus scrapes the cluster with it, and the dashboard's
        // URL carries it in its fragment (never sent to the server, dropped from the address bar).
        let adminToken = Self.adminToken(dataDirectory: dataDirectory, kubeconfig: kubeconfig)

        // 3. Prometheus, scraping the cluster's simulated application metrics.
        var prometheusURL: String?
        if let binary = Self.which("prometheus") {
            console.step("Starting Prometheus")
            let promPort = try FreePort.find()
            let promDirectory = (directory as NSString).appendingPathComponent("prometheus")
            try fm.createDirectory(atPath: promDirectory, withIntermediateDirectories: true)
            let target = url.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            let config = """
                global:
                  scrape_interval: 2s
                  evaluation_interval: 2s
                scrape_configs:
                  - job_name: opsagent-sim
                    scheme: \(url.hasPrefix("https") ? "https" : "http")
                    metrics_path: /metrics/cluster
                    tls_config:
                      insecure_skip_verify: true
                \(adminToken.map { "    authorization:\n      type: Bearer\n      credentials: \"\($0)\"" } ?? "")
                    static_configs:
                      - targets: ["\(target)"]

                """
            let configPath = (promDirectory as NSString).appendingPathComponent("prometheus.yml")
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let promLog = (directory as NSString).appendingPathComponent("prometheus.log")
            try stack.launch("prometheus", binary, [
                "--config.file=\(configPath)",
                "--storage.tsdb.path=\((promDirectory as NSString).appendingPathComponent("data"))",
                "--storage.tsdb.retention.time=2h",
                "--web.listen-address=127.0.0.1:\(promPort)",
                "--log.level=warn",
            ], log: promLog)
            let promURL = "http://127.0.0.1:\(promPort)"
            try await stack.waitForHTTP("\(promURL)/-/ready", child: "prometheus", seconds: 60)
            prometheusURL = promURL
            console.done("\(promURL)  (log: \(promLog))")
        } else {
            console.note("Prometheus not found on PATH: skipped (checks that query it will be inconclusive; `make deps` installs it)")
        }

        // 4. The operator.
        console.step("Starting the operator")
        let operatorLog = (directory as NSString).appendingPathComponent("operator.log")
        let healthPort = try FreePort.find()
        let metricsPort = try FreePort.find()
        let apiPort = try FreePort.find()
        var runArguments = ["run", "--kubeconfig", kubeconfig, "--log-format", "text",
                            "--metrics-bind-address", "127.0.0.1:\(metricsPort)",
                            "--health-probe-bind-address", "127.0.0.1:\(healthPort)",
                            "--api-listen", "127.0.0.1:\(apiPort)"]
        if let prometheusURL { runArguments += ["--prometheus-url", prometheusURL] }
        try stack.launch("operator", executable, runArguments, log: operatorLog)
        try await stack.waitForHTTP("http://127.0.0.1:\(healthPort)/readyz", child: "operator", seconds: 60)
        try await stack.waitForHTTP("http://127.0.0.1:\(apiPort)/healthz", child: "operator", seconds: 60)
        console.done("ready; metrics at http://127.0.0.1:\(metricsPort)/metrics  (log: \(operatorLog))")
        let dashboard = "http://127.0.0.1:\(apiPort)/" + (adminToken.map { "#token=\($0)" } ?? "")

        // 5. The examples.
        let alerting = !alertingExamples.isEmpty && FileManager.default.fileExists(atPath: alertingExamples)
        let security = !securityExamples.isEmpty && FileManager.default.fileExists(atPath: securityExamples)
        console.step("Applying \(examples)/" + (alerting ? ", \(alertingExamples)/" : "") + (security ? ", \(securityExamples)/" : ""))
        var applied = try await applyExamples(client: client, from: examples)
        if alerting {
            applied += try await applyExamples(client: client, from: alertingExamples)
        }
        if security {
            applied += try await applyExamples(client: client, from: securityExamples)
        }
        if !securityReportExamples.isEmpty, FileManager.default.fileExists(atPath: securityReportExamples) {
            applied += try await applyExamples(client: client, from: securityReportExamples)
        }
        if !workflowExamples.isEmpty, FileManager.default.fileExists(atPath: workflowExamples) {
            applied += try await applyExamples(client: client, from: workflowExamples)
        }
        if !workflowRunExamples.isEmpty, FileManager.default.fileExists(atPath: workflowRunExamples) {
            applied += try await applyExamples(client: client, from: workflowRunExamples)
        }
        console.done(applied.map { "\($0.kind.lowercased())/\($0.name)" }.joined(separator: ", "))

        // 6. Watch them converge.
        let names = applied.filter { $0.kind == BlueGreenDeployment.definition.kind }.map(\.name)
        let view = LiveView(client: client, resource: bgd, stack: stack)
        console.line("")
        console.line("Waiting for the rollouts to converge (Healthy, or Paused for a manual promotion):")
        try await view.run(until: "converged", seconds: timeout) { rows in
            names.allSatisfy { name in
                guard let row = rows.first(where: { $0.name == name }) else { return false }
                return row.settled && ["Healthy", "Paused", "Degraded", "RolledBack"].contains(row.phase)
            }
        }

        // 7. A bad version rolls back.
        if !noDemo, names.contains("checkout") {
            let bad = "registry.example/shop:2.0-errors50"
            console.line("")
            console.line("Rolling out a bad version: checkout → \(bad) (the simulator fails half of its requests)")
            let before = try await client.get(bgd, name: "checkout", namespace: "default")
            // A JSON patch of the image alone: a merge patch would replace the containers list
            // and drop the ports and limits.
            var patch: JSONValue = [["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": .string(bad)]]
            if before["status"]["abortedRevision"].stringValue != nil {
                // An earlier `make up` already rolled this version back; the operator keeps a failed
                // revision back until asked to retry it (what `opsagent retry checkout` does).
                let token = ISO8601DateFormatter().string(from: Date())
                let annotations = before["metadata"]["annotations"].isNull ? "/metadata/annotations" : "/metadata/annotations/opsagent.dev~1retry"
                let value: JSONValue = before["metadata"]["annotations"].isNull ? ["opsagent.dev/retry": .string(token)] : .string(token)
                patch = .array((patch.arrayValue ?? []) + [["op": "add", "path": .string(annotations), "value": value]])
            }
            _ = try await client.patch(bgd, name: "checkout", namespace: "default", type: .json, body: patch)
            let generation = try await client.get(bgd, name: "checkout", namespace: "default")["metadata"]["generation"].intValue ?? 0
            try await view.run(until: "checkout rolled back", seconds: timeout) { rows in
                guard let row = rows.first(where: { $0.name == "checkout" }) else { return false }
                return row.observedGeneration >= generation && ["RolledBack", "Degraded"].contains(row.phase)
            }
            let row = try await view.rows().first { $0.name == "checkout" }
            console.line("checkout: \(row?.phase ?? "?") — traffic stayed on the \(row?.active ?? "stable") color. \(row?.message ?? "")")
        }

        // 8. How to explore.
        let k = "kubectl --kubeconfig \(kubeconfig)"
        console.line("""

            Everything is running. Explore with kubectl (or: export KUBECONFIG=\(kubeconfig)):
              \(k) get bgd
              \(k) get arule
              \(k) describe bgd web
              \(k) get deploy,svc,pods
              \(k) get events --sort-by=.lastTimestamp
            Start a new rollout by changing the image:
              \(k) patch bgd web --type json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.example/web:1.1"}]'
            Promote the rollout waiting for a person (catalog has manual promotion):
              \(Self.displayPath(executable)) promote catalog -n default --kubeconfig \(kubeconfig)
            See what the security audit found (examples/security), and run it again now:
              \(k) get saudit
              \(k) describe saudit cluster-audit
              \(Self.displayPath(executable)) audit run cluster-audit -n default --kubeconfig \(kubeconfig)
              \(k) get sreport          # each run's full report, written by the audit, and the go-live baseline
            Workflows (examples/workflows) and their runs; start the seed's deployment workflow:
              \(k) get owf,owfrun
              \(Self.displayPath(executable)) workflow run deployment --param name=web --param image=registry.example/web:1.1 -n default --kubeconfig \(kubeconfig)
            The dashboard (GraphQL API at http://127.0.0.1:\(apiPort)/graphql, live updates over WebSocket):
              \(dashboard)
            Logs: \(directory)/operator.log, \(directory)/sim.log\(prometheusURL == nil ? "" : ", \(directory)/prometheus.log; Prometheus UI: \(prometheusURL!)")

            """)
        if exitAfterDemo { return }
        console.line("Press Ctrl-C to stop everything. Changes to the rollouts are shown below.")
        try await view.follow()
    }

    private struct Applied { var kind: String; var name: String }

    private func applyExamples(client: KubernetesClient, from examples: String) async throws -> [Applied] {
        let fm = FileManager.default
        guard let files = try? fm.contentsOfDirectory(atPath: examples) else {
            throw ValidationError("no examples folder at \(examples) (run from the repository root)")
        }
        var applied: [Applied] = []
        for file in files.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            let text = try String(contentsOfFile: (examples as NSString).appendingPathComponent(file), encoding: .utf8)
            for var object in try YAML.decodeAll(text) where object["kind"].stringValue != nil {
                let apiVersion = object["apiVersion"].stringValue ?? "v1"
                let parts = apiVersion.split(separator: "/").map(String.init)
                let gvk = GroupVersionKind(group: parts.count == 2 ? parts[0] : "", version: parts.last ?? "v1",
                                           kind: object["kind"].stringValue ?? "")
                let info = try await client.resource(for: gvk)
                if info.namespaced, object["metadata"]["namespace"].stringValue == nil {
                    var metadata = object["metadata"]
                    metadata.setValue("default", forKey: "namespace")
                    object.setValue(metadata, forKey: "metadata")
                }
                _ = try await client.apply(info.resource, object, fieldManager: "opsagent-up", force: true)
                applied.append(Applied(kind: gvk.kind, name: object["metadata"]["name"].stringValue ?? "?"))
            }
        }
        return applied
    }

    private func retry(seconds: Int, _ body: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            do { return try await body() } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    static func executablePath() throws -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        if let path = Bundle.main.executablePath { return path }
        return CommandLine.arguments[0]
    }

    /// `.build/debug/opsagent` rather than the resolved absolute path, when run from the repository.
    static func displayPath(_ executable: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        if FileManager.default.fileExists(atPath: ".build/debug/opsagent"),
           (try? FileManager.default.destinationOfSymbolicLink(atPath: ".build/debug")).map({ executable.contains($0) }) ?? false {
            return ".build/debug/opsagent"
        }
        return executable.hasPrefix(cwd) ? String(executable.dropFirst(cwd.count)) : executable
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func adminToken(dataDirectory: String, kubeconfig: String) -> String? {
        let file = (dataDirectory as NSString).appendingPathComponent("pki/admin.token")
        if let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !token.isEmpty {
            return token
        }
        guard let text = try? String(contentsOfFile: kubeconfig, encoding: .utf8), let config = try? YAML.decode(text) else {
            return nil
        }
        return config["users"].arrayValue?.compactMap { $0["user"]["token"].stringValue }.first
    }
}

// MARK: - Console

/// Writes to stdout unbuffered; knows whether it is a terminal (live redraws) or not (plain lines).
final class Console: Sendable {
    static let shared = Console()
    let isTerminal = isatty(STDOUT_FILENO) == 1

    func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    func line(_ text: String) { write(text + "\n") }
    func step(_ text: String) { write(isTerminal ? "\u{1B}[1m▸\u{1B}[0m \(text)… " : "▸ \(text)… ") }
    func done(_ text: String) { line(isTerminal ? "\u{1B}[32mok\u{1B}[0m  \(text)" : "ok  \(text)") }
    func note(_ text: String) { line("  \(text)") }
}

// MARK: - Live view

struct RolloutRow: Equatable, Sendable {
    var namespace: String
    var name: String
    var phase: String
    var active: String
    var ready: String
    var analysis: String
    var message: String
    var generation: Int
    var observedGeneration: Int
    var settled: Bool { observedGeneration >= generation && generation > 0 }

    init(_ object: JSONValue) {
        namespace = object["metadata"]["namespace"].stringValue ?? ""
        name = object["metadata"]["name"].stringValue ?? ""
        let status = object["status"]
        phase = status["phase"].stringValue ?? "Pending"
        active = status["activeColor"].stringValue ?? "-"
        ready = status["readyText"].stringValue ?? "-"
        analysis = Self.analysisText(status)
        message = status["message"].stringValue ?? ""
        generation = object["metadata"]["generation"].intValue ?? 0
        observedGeneration = status["observedGeneration"].intValue ?? 0
    }

    /// The ANALYSIS printer column's field when present, else a summary of the analysis runs.
    private static func analysisText(_ status: JSONValue) -> String {
        for key in ["analysisText", "analysisPhase"] {
            if let text = status[key].stringValue, !text.isEmpty { return text }
        }
        if let phase = status["analysis"]["phase"].stringValue { return phase }
        if let phase = status["prePromotionAnalysis"]["phase"].stringValue { return phase }
        return "-"
    }
}

final class LiveView: Sendable {
    let client: KubernetesClient
    let resource: GroupVersionResource
    let stack: UpStack
    private let drawn = LockedBox(0)

    init(client: KubernetesClient, resource: GroupVersionResource, stack: UpStack) {
        self.client = client
        self.resource = resource
        self.stack = stack
    }

    func rows() async throws -> [RolloutRow] {
        try await client.list(resource, namespace: nil).items.map(RolloutRow.init)
            .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    /// Redraws the table (in place on a terminal; a line per change otherwise) until `done` holds.
    func run(until goal: String, seconds: Int, done: ([RolloutRow]) -> Bool) async throws {
        let console = Console.shared
        let start = ContinuousClock.now
        var previous: [RolloutRow] = []
        drawn.set(0)
        while true {
            try Task.checkCancellation()
            try stack.checkAlive()
            let rows = (try? await rows()) ?? previous
            let elapsed = Int((ContinuousClock.now - start).components.seconds)
            let finished = done(rows)
            if console.isTerminal {
                redraw(rows, footer: finished ? "✓ \(goal) after \(elapsed)s" : "… waiting until \(goal) (\(elapsed)s)")
            } else {
                for row in rows where !previous.contains(row) {
                    console.line("[\(String(format: "%3d", elapsed))s] \(Self.format(row))")
                }
                if finished { console.line("✓ \(goal) after \(elapsed)s") }
            }
            previous = rows
            if finished { return }
            if elapsed > seconds {
                throw UpError("timed out after \(seconds)s waiting until \(goal); see \(stack.directory)/operator.log")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// After the demonstration: one line per change, until cancelled.
    func follow() async throws {
        var previous = (try? await rows()) ?? []
        while true {
            try await Task.sleep(for: .seconds(1))
            try stack.checkAlive()
            guard let rows = try? await rows() else { continue }
            let stamp = Self.clock()
            for row in rows where !previous.contains(row) {
                Console.shared.line("[\(stamp)] \(Self.format(row))")
            }
            previous = rows
        }
    }

    private func redraw(_ rows: [RolloutRow], footer: String) {
        let width = Int(Self.terminalWidth())
        var lines = [Self.header()] + rows.map(Self.format) + [footer]
        lines = lines.map { $0.count > width - 1 ? String($0.prefix(width - 2)) + "…" : $0 }
        var text = ""
        let previous = drawn.get()
        if previous > 0 { text += "\u{1B}[\(previous)A" }
        text += lines.map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\n\u{1B}[J"
        Console.shared.write(text)
        drawn.set(lines.count)
    }

    static func header() -> String {
        pad("NAME", 18) + pad("PHASE", 12) + pad("ACTIVE", 8) + pad("READY", 8) + pad("ANALYSIS", 14) + "MESSAGE"
    }

    static func format(_ row: RolloutRow) -> String {
        pad(row.name, 18) + pad(row.phase, 12) + pad(row.active, 8) + pad(row.ready, 8) + pad(row.analysis, 14)
            + row.message.replacingOccurrences(of: "\n", with: " ")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func terminalWidth() -> UInt16 {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return size.ws_col }
        return 120
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}

// MARK: - Child processes

struct UpError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    func update<T>(_ body: (inout Value) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(&value) }
}

/// The child processes `up` started, stopped in reverse order. Their pids are recorded in
/// `<dir>/pids` so a re-run after a hard kill can stop the leftovers first.
final class UpStack: @unchecked Sendable {
    let directory: String
    private let lock = NSLock()
    private var children: [(name: String, process: Process, log: String)] = []

    init(directory: String) { self.directory = directory }

    private var pidFile: String { (directory as NSString).appendingPathComponent("pids") }

    func launch(_ name: String, _ executable: String, _ arguments: [String], log: String) throws {
        FileManager.default.createFile(atPath: log, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: log) else { throw UpError("cannot write \(log)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.lock()
        children.append((name, process, log))
        let pids = children.map { "\($0.process.processIdentifier) \($0.name)" }.joined(separator: "\n") + "\n"
        lock.unlock()
        try? pids.write(toFile: pidFile, atomically: true, encoding: .utf8)
    }

    /// Throws when a child exited on its own, with the end of its log.
    func checkAlive() throws {
        lock.lock()
        let dead = children.first { !$0.process.isRunning }
        lock.unlock()
        if let dead {
            let tail = (try? String(contentsOfFile: dead.log, encoding: .utf8))?.split(separator: "\n").suffix(15)
                .joined(separator: "\n") ?? ""
            throw UpError("\(dead.name) exited (status \(dead.process.terminationStatus)); the end of \(dead.log):\n\(tail)")
        }
    }

    func waitForLine(in log: String, containing needle: String, child: String, seconds: Int) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.contains(needle) }) {
                return String(line)
            }
            try checkAlive()
            try await Task.sleep(for: .milliseconds(100))
        }
        throw UpError("\(child) did not start within \(seconds)s; see \(log)")
    }

    func waitForHTTP(_ url: String, child: String, seconds: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let response = try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: url)),
               response.status == 200 {
                return
            }
            try checkAlive()
            try await Task.sleep(for: .milliseconds(200))
        }
        throw UpError("\(child) was not ready within \(seconds)s (\(url))")
    }

    /// SIGTERM to each child, newest first, then SIGKILL after 15 s.
    func stopAll() async {
        let list = lock.withLock { children.reversed() }
        for child in list {
            if child.process.isRunning { kill(child.process.processIdentifier, SIGTERM) }
            let deadline = ContinuousClock.now + .seconds(15)
            while child.process.isRunning, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
            Console.shared.line("  stopped \(child.name)")
        }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    /// Stops processes a previous run left behind (recorded in `pids`), if they still run opsagent or Prometheus.
    func stopLeftovers() {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            guard let pid = Int32(line.split(separator: " ").first ?? "") else { continue }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            guard command.contains("opsagent") || command.contains("prometheus") else { continue }
            Console.shared.line("Stopping \(line.split(separator: " ").last ?? "a process") left by a previous run (pid \(pid))")
            kill(pid, SIGTERM)
            for _ in 0..<100 where kill(pid, 0) == 0 { usleep(100_000) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: pidFile)
    }
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
enum FreePort {
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw UpError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw UpError("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

