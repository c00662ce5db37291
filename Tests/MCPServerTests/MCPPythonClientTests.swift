import Foundation
import KubeClient
import Logging
import MCPServer
import Testing

/// The official Python MCP SDK (PyPI `mcp`) against `opsagent mcp` as users run it: over
/// stdio (the real binary, the kubeconfig's identity, read-only) and over streamable HTTP
/// (bearer token, TokenReview, impersonation, --allow-write). Each run initializes, lists
/// the tools, calls the seed's four, gets a clear not-found error, and greps the output of
/// every read tool for the planted secrets (mcp_e2e.py).
@Suite(.serialized) struct MCPPythonClientTests {
    @Test func stdioReadOnlyWithThePythonSDK() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: MCPCluster.binary), "build opsagent first (swift build)")
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = cluster.sim.kubeconfigPath
        let (report, log) = try await cluster.runPythonClient([
            "mode": "stdio", "command": .string(MCPCluster.binary), "args": ["mcp", "--log-level", "info"],
            "env": .object(environment.mapValues(JSONValue.string)), "writeAllowed": false,
        ])
        let tools = (report["tools"].arrayValue ?? []).compactMap(\.stringValue)
        #expect(tools.contains("list_pods") && tools.contains("get_pod") && tools.contains("get_pod_logs"))
        #expect(!tools.contains("create_deployment"), "read-only: mutating tools are not even listed")
        #expect(!tools.contains("resources_delete"))
        // The Python SDK probes with a newer protocol first; the server answers in a version both know.
        #expect(report["protocolVersion"].stringValue == "2025-11-25")
        #expect(report["serverName"].stringValue == "opsagent")
        let refused = report["calls"].objectValue?.first { $0.key.hasPrefix("create_deployment") }?.value
        #expect(refused?["isError"].boolValue == true)
        #expect(refused?["text"].stringValue?.contains("--allow-write") == true)
        #expect((report["scanned"].intValue ?? 0) >= 20, "every probe's output was scanned")
        #expect(report["leaks"].arrayValue?.isEmpty == true)
        // A line that is not JSON: the JSON-RPC parse error, and the server still answers.
        #expect(report["malformed"]["error"]["code"].intValue == -32700)
        #expect(report["malformed"]["pingAfter"]["result"].objectValue != nil)
        let created = try? await cluster.admin.get(.deployments, name: "mcp-created", namespace: cluster.namespace)
        #expect(created == nil, "the refused call created nothing")
        // Every call is logged with tool, identity and outcome, never with argument values;
        // the negotiation is logged with the version offered and the one chosen.
        #expect(log.contains("mcp tool call") && log.contains("list_pods") && log.contains("not-found") && log.contains("not-allowed"))
        #expect(log.contains("mcp protocol version negotiated") && log.contains("2025-11-25"))
        #expect(!log.contains(MCPCluster.password) && !log.contains(MCPCluster.apiKey) && !log.contains("no-such-pod"),
                "argument values stay out of the log")
    }

    @Test func streamableHTTPWithTokenReviewImpersonationAndWrites() async throws {
        let cluster = try await MCPCluster.start()
        defer { Task { await cluster.stop() } }
        let token = try await cluster.agentToken()
        let server = OpsMCPServer(serverClient: cluster.admin, options: MCPServerOptions(allowWrite: true))
        let endpoint = MCPHTTPEndpoint(server: server, serverClient: cluster.admin)
        let bound = AsyncStream<Int>.makeStream()
        let serving = Task { try await endpoint.run(host: "127.0.0.1", port: 0, handlingSignals: false) { bound.continuation.yield($0) } }
        defer { serving.cancel() }
        var port = 0
        for await p in bound.stream { port = p; break }

        let (report, _) = try await cluster.runPythonClient([
            "mode": "http", "url": .string("http://127.0.0.1:\(port)/mcp"), "token": .string(token), "writeAllowed": true,
        ])
        let tools = (report["tools"].arrayValue ?? []).compactMap(\.stringValue)
        #expect(["list_pods", "get_pod", "create_deployment", "get_pod_logs"].allSatisfy(tools.contains))
        #expect(!tools.contains("resources_delete"), "deleting needs --allow-destructive")
        #expect(report["protocolVersion"].stringValue == "2025-11-25")
        #expect(report["leaks"].arrayValue?.isEmpty == true)
        // The Deployment was created as the token's ServiceAccount (impersonated), in the namespace its Role allows.
        let created = try await cluster.admin.get(.deployments, name: "mcp-created", namespace: cluster.namespace)
        #expect(created["spec"]["template"]["spec"]["containers"][0]["image"].stringValue == "nginx:1.27")
        #expect(report["malformed"]["status"].intValue == 400)
        #expect(report["malformed"]["body"]["error"]["code"].intValue == -32700)
        #expect(report["malformed"]["anonymousStatus"].intValue == 401)
        #expect(report["malformed"]["wrongTokenStatus"].intValue == 401)
    }
}
