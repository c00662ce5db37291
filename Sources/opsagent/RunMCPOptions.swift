import ArgumentParser
import Cloud
import KubeClient
import Logging
import MCPServer
import OperatorKit

/// `opsagent run --mcp-http :8090`: the MCP server's streamable HTTP endpoint inside the
/// operator, acting as each caller (impersonation) or as the operator, with the cloud tools of
/// the operator's clouds.
struct RunMCPOptions: ParsableArguments {
    @Option(name: .customLong("mcp-http"), help: "Also serve MCP over streamable HTTP at /mcp on this address (:8090); off by default.")
    var http: String?

    @Flag(name: .customLong("mcp-allow-write"), help: "Offer the MCP tools that change the cluster.")
    var allowWrite = false

    @Flag(name: .customLong("mcp-allow-destructive"), help: "Offer the MCP tools that delete.")
    var allowDestructive = false

    @Option(name: .customLong("mcp-denied-resources"), help: "As opsagent mcp --denied-resources.")
    var deniedResources: String = ResourcePolicy.defaultEntries.joined(separator: ",")

    @Option(name: .customLong("mcp-http-identity"), help: "impersonate (default) or server.")
    var httpIdentity: MCPServerOptions.HTTPIdentity = .impersonate

    /// Runs `body` (the operator) with the endpoint beside it when `--mcp-http` is set. On
    /// SIGTERM/SIGINT both shut down gracefully (each signal source is notified); when the
    /// operator returns for another reason the endpoint is cancelled.
    func runAlongside(settings: RunSettings, cloud: CloudOptions, environment: [String: String],
                      _ body: () async throws -> Void) async throws {
        guard let http, let address = try BindAddressSpec.parse(http) else { return try await body() }
        let options = try MCPSafetyOptions.serverOptions(allowWrite: allowWrite, allowDestructive: allowDestructive,
                                                         deniedResources: deniedResources, httpIdentity: httpIdentity)
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: settings.kubeconfig,
                                                                                   context: settings.context))
        let logger = Logger(label: "opsagent.mcp")
        let clouds = try await cloud.makeClients(client: client, environment: environment, logger: logger)
        let endpoint = MCPHTTPEndpoint(server: OpsMCPServer(serverClient: client, options: options, cloud: clouds, logger: logger),
                                       serverClient: client, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await endpoint.run(host: address.host, port: address.port, handlingSignals: true) }
            try await body()
            group.cancelAll()
        }
    }
}
