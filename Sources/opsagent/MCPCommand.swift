import ArgumentParser
import Cloud
import Foundation
import KubeClient
import Logging
import MCPServer
import OperatorKit

/// `opsagent mcp`: the operator's capabilities as MCP tools for AI agents, over stdio (for
/// Claude Desktop, mcp-agent, IDEs; as the kubeconfig's identity) or streamable HTTP at
/// `/mcp` (bearer tokens checked with TokenReview).
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve MCP tools for Kubernetes operations: over stdio by default, or streamable HTTP with --http.",
        discussion: """
            Read-only unless --allow-write (and --allow-destructive for deletions). Secret values are never \
            returned. The AWS and GCP tools are offered when that cloud is configured (--aws-region, --gcp-project, \
            --cloud-configmap, as opsagent run). Logs go to standard error; over stdio, standard output carries only the protocol.
            """)

    @Option(help: "Serve streamable HTTP at /mcp on this address (:8090, HOST:PORT) instead of stdio.")
    var http: String?

    @OptionGroup var safety: MCPSafetyOptions

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup(title: "Clouds (the AWS and GCP tools)") var cloud: CloudOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default info).")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        OperatorLogging.bootstrap(format: .auto, level: level)
        let logger = Logger(label: "opsagent.mcp")
        let client = try cluster.makeClient()
        let clouds = try await cloud.makeClients(client: client, environment: ProcessInfo.processInfo.environment, logger: logger)
        let server = OpsMCPServer(serverClient: client, options: try safety.serverOptions(), cloud: clouds, logger: logger)
        if let http {
            guard let address = try BindAddressSpec.parse(http) else { throw ValidationError("--http: give an address such as :8090") }
            try await MCPHTTPEndpoint(server: server, serverClient: client, logger: logger).run(host: address.host, port: address.port)
        } else {
            try await server.serveStdio(as: CallerIdentity(name: "kubeconfig (\(client.configuration.source))", client: client))
        }
    }
}

/// The safety options of the MCP server, for `opsagent mcp` (and, prefixed, `opsagent run`).
struct MCPSafetyOptions: ParsableArguments {
    @Flag(help: "Offer the tools that change the cluster (create, apply, scale, restart, rollout and audit requests).")
    var allowWrite = false

    @Flag(help: "Offer the tools that delete (resources_delete).")
    var allowDestructive = false

    @Option(help: ArgumentHelp(
        "Kinds, groups and namespaces kept from agents, comma-separated: KIND[.GROUP], GROUP/*, ns/NAMESPACE, each with an optional :write (writes only) or :data (Secret values hidden, writes refused).",
        discussion: "Default: \(ResourcePolicy.defaultEntries.joined(separator: ","))"))
    var deniedResources: String = ResourcePolicy.defaultEntries.joined(separator: ",")

    @Option(help: "Over HTTP, act as the token's user (impersonate) or as this server's own identity (server).")
    var httpIdentity: MCPServerOptions.HTTPIdentity = .impersonate

    func serverOptions() throws -> MCPServerOptions {
        try Self.serverOptions(allowWrite: allowWrite, allowDestructive: allowDestructive, deniedResources: deniedResources,
                               httpIdentity: httpIdentity)
    }

    static func serverOptions(allowWrite: Bool, allowDestructive: Bool, deniedResources: String,
                              httpIdentity: MCPServerOptions.HTTPIdentity) throws -> MCPServerOptions {
        let policy: ResourcePolicy
        switch Result(catching: { () throws(ToolError) in try ResourcePolicy(entries: deniedResources.split(separator: ",").map(String.init)) }) {
        case .success(let parsed): policy = parsed
        case .failure(let error): throw ValidationError(error.message)
        }
        return MCPServerOptions(allowWrite: allowWrite, allowDestructive: allowDestructive, policy: policy, httpIdentity: httpIdentity)
    }
}

extension MCPServerOptions.HTTPIdentity: ExpressibleByArgument {}
