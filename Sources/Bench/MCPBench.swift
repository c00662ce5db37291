import Foundation
import KubeClient
import Logging
import MCPServer
#if canImport(Glibc)
import Glibc
#endif

/// `opsagent-bench --mcp`: the MCP server's figures against the embedded cluster (in its own
/// process) holding 5,000 pods:
/// - `list_pods` first page over the 5,000 pods of one namespace (default page, 50), ≤ 100 ms;
/// - idle RSS of `opsagent mcp` over stdio (the release binary beside this one), ≤ 30 MB;
/// - 50 streamable-HTTP sessions each calling a tool every 100 ms for 10 s, p99 ≤ 50 ms.
enum MCPBench {
    static let pods = 5_000
    static let sessions = 50

    static func run(timeScale: Double) async throws {
        let sim = try await SimProcess.start(timeScale: timeScale)
        defer { sim.stop() }
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfig)
        // The HTTP sessions run first, listing a namespace of 10 pods, before the 5,000 pods
        // exist: the figure is the server's, not that of a simulator busy running 5,000 pods.
        try await deploy(client, namespace: smallNamespace, replicas: 10)
        try await until("10 pods exist", seconds: 120) {
            try await client.list(.pods, namespace: smallNamespace).items.count >= 10
        }
        let latencies = try await httpSessions(client: client, kubeconfig: sim.kubeconfig)
        print(line("HTTP, \(sessions) sessions × 1 call/100 ms, p50", percentile(latencies, 0.5), "ms", ""))
        print(line("HTTP, \(sessions) sessions × 1 call/100 ms, p99 (\(latencies.count) calls)", percentile(latencies, 0.99), "ms", "≤ 50"))
        let namespace = "mcp-bench"
        try await deploy(client, namespace: namespace, replicas: pods)
        try await until("\(pods) pods exist", seconds: 600) {
            let page = try await client.list(.pods, namespace: namespace, options: ListOptions(limit: 1))
            return (page.remainingItemCount ?? 0) + page.items.count >= pods
        }
        let server = OpsMCPServer(serverClient: client, options: MCPServerOptions(), logger: quiet)
        let identity = CallerIdentity(name: "bench", client: client)
        var firstPage: [Double] = []
        for _ in 0..<30 {
            let start = ContinuousClock.now
            let result = await server.call("list_pods", arguments: ["namespace": .string(namespace)], as: identity)
            firstPage.append(seconds(ContinuousClock.now - start) * 1000)
            if result.isError == true { throw BenchError("list_pods failed: \(result.content)") }
        }
        print(line("list_pods first page over \(pods) pods, p50", percentile(firstPage, 0.5), "ms", "≤ 100"))
        print(line("list_pods first page over \(pods) pods, p99", percentile(firstPage, 0.99), "ms", "≤ 100"))
        let idle = try await stdioIdleRSS(kubeconfig: sim.kubeconfig, namespace: namespace)
        print(line("opsagent mcp (stdio) idle RSS", idle.total, "MiB", "≤ 30"))
        print(line("  of which anonymous (heap, stacks)", idle.anonymous, "MiB", ""))
        print(line("  of which file-backed (code of libraries and opsagent)", idle.file, "MiB", ""))
    }

    static let smallNamespace = "mcp-bench-small"

    /// The server's per-call log lines (info) would measure stderr, not the server.
    static var quiet: Logger {
        var logger = Logger(label: "opsagent.mcp.bench")
        logger.logLevel = .warning
        return logger
    }

    static func deploy(_ client: KubernetesClient, namespace: String, replicas: Int) async throws {
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        let labels: JSONValue = ["app": "bench"]
        _ = try await client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "bench"],
            "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": labels],
                     "template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": "registry.example/app:1"]]]]],
        ], namespace: namespace)
    }

    static func line(_ label: String, _ value: Double, _ unit: String, _ target: String) -> String {
        label.padding(toLength: 62, withPad: " ", startingAt: 0) + String(format: "%8.1f %-4@ %@", value, unit, target)
    }

    /// Starts `opsagent mcp`, initializes, lists tools and calls `list_pods` once, waits 3 s,
    /// and reads its VmRSS, and the anonymous and file-backed parts of it.
    static func stdioIdleRSS(kubeconfig: String, namespace: String) async throws -> (total: Double, anonymous: Double, file: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try OperatorChild.binary())
        process.arguments = ["mcp", "--kubeconfig", kubeconfig, "--log-level", "warning"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { try? input.fileHandleForWriting.close(); process.waitUntilExit() }
        let messages = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_pods","arguments":{"namespace":"\#(namespace)","limit":10}}}"#,
        ]
        for message in messages { input.fileHandleForWriting.write(Data((message + "\n").utf8)) }
        let reader = output.fileHandleForReading
        _ = await onThread { () -> Int in
            var answered = 0
            var buffer = Data()
            while answered < 3 {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                answered = buffer.filter { $0 == UInt8(ascii: "\n") }.count
            }
            return answered
        }
        try await Task.sleep(for: .seconds(3))
        let pid = process.processIdentifier
        return (ProcStats.rssMiB(pid), ProcStats.rssMiB(pid, field: "RssAnon"), ProcStats.rssMiB(pid, field: "RssFile"))
    }

    /// 50 sessions on an in-process endpoint, each calling `list_pods` (limit 10) every 100 ms
    /// for 10 s over its own connection; the latency of every call, ms.
    static func httpSessions(client: KubernetesClient, kubeconfig: String) async throws -> [Double] {
        let token = try adminToken(kubeconfig)
        let endpoint = MCPHTTPEndpoint(server: OpsMCPServer(serverClient: client, options: MCPServerOptions(), logger: quiet),
                                       serverClient: client, logger: quiet)
        let bound = AsyncStream<Int>.makeStream()
        let serving = Task { try await endpoint.run(host: "127.0.0.1", port: 0, handlingSignals: false) { bound.continuation.yield($0) } }
        defer { serving.cancel() }
        var port = 0
        for await p in bound.stream { port = p; break }
        let url = "http://127.0.0.1:\(port)/mcp"
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            for index in 0..<sessions {
                group.addTask { try await session(url: url, token: token, index: index) }
            }
            var all: [Double] = []
            for try await latencies in group { all += latencies }
            return all
        }
    }

    static func session(url: String, token: String, index: Int) async throws -> [Double] {
        func post(_ body: String, session: String?) async throws -> HTTPResponse {
            var headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Content-Type": "application/json",
                                        "Accept": "application/json, text/event-stream"]
            if let session { headers.add("Mcp-Session-Id", session); headers.add("MCP-Protocol-Version", "2025-11-25") }
            let response = try await CurlTransport.shared.send(KubeClient.HTTPRequest(method: "POST", url: url, headers: headers,
                                                                                         body: Array(body.utf8), timeout: .seconds(30)))
            guard (200..<300).contains(response.status) else { throw BenchError("POST \(body.prefix(60)): \(response.status) \(response.bodyText)") }
            return response
        }
        let initialized = try await post(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench-\#(index)","version":"1"}}}"#, session: nil)
        guard let id = initialized.headers["Mcp-Session-Id"] else { throw BenchError("no session id") }
        _ = try await post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: id)
        var latencies: [Double] = []
        let end = ContinuousClock.now + .seconds(10)
        var next = ContinuousClock.now + .milliseconds(Int64(index * 2))
        var call = 1
        while next < end {
            try await Task.sleep(until: next)
            let start = ContinuousClock.now
            let response = try await post(#"{"jsonrpc":"2.0","id":\#(call),"method":"tools/call","params":{"name":"list_pods","arguments":{"namespace":"\#(smallNamespace)","limit":10}}}"#, session: id)
            latencies.append(seconds(ContinuousClock.now - start) * 1000)
            if response.bodyText.contains("\"isError\":true") { throw BenchError("tool error: \(response.bodyText.prefix(300))") }
            call += 1
            next += .milliseconds(100)
        }
        return latencies
    }

    /// The admin token user of the simulator's kubeconfig.
    static func adminToken(_ kubeconfig: String) throws -> String {
        let config = try YAML.decode(String(contentsOfFile: kubeconfig, encoding: .utf8))
        for user in config["users"].arrayValue ?? [] {
            if let token = user["user"]["token"].stringValue { return token }
        }
        throw BenchError("the simulator's kubeconfig has no token user")
    }
}
