import KubeClient
import Logging
import MCP

extension OpsMCPServer {
    /// The protocol versions the SDK negotiates through `initialize`, newest first.
    static var handshakeVersions: [String] { Version.supported.sorted(by: >) }

    /// An MCP server (the SDK's) for one session of `identity`, with this server's tools,
    /// resources and prompt. Start it on a transport.
    public func makeServer(for identity: CallerIdentity) async -> Server {
        let server = Server(
            name: Self.name, version: BuildInfo.version, title: "opsagent Kubernetes operations",
            instructions: "Kubernetes operations on the cluster as \(identity.name): pods, deployments, any resource, events, "
                + "nodes, blue-green rollouts, alerts and security audits\(cloudScope). "
                + (options.allowWrite ? "Writes are enabled. " : "Read-only: tools that change the cluster are not offered. ")
                + "Secret values are never returned.",
            capabilities: .init(prompts: .init(listChanged: false), resources: .init(subscribe: false, listChanged: false),
                                tools: .init(listChanged: false)))
        let tools = servedTools.map(\.definition)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        let callTool = toolCalls(as: identity)
        await server.withMethodHandler(CallTool.self) { params in await callTool(params) }
        await server.withMethodHandler(ListResources.self) { [self] _ in
            ListResources.Result(resources: await statusResources(for: identity))
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: StatusResource.templates)
        }
        await server.withMethodHandler(ReadResource.self) { [self] params in
            try await readResource(params.uri, as: identity)
        }
        await server.withMethodHandler(ListPrompts.self) { _ in ListPrompts.Result(prompts: [TriagePrompt.prompt]) }
        await server.withMethodHandler(GetPrompt.self) { params in
            try TriagePrompt.render(name: params.name, arguments: params.arguments ?? [:])
        }
        await server.withMethodHandler(DiscoverProbe.self) { (params: DiscoverProbe.Parameters) throws -> Empty in
            // A client of a newer protocol (2026-07-28 and later) probes with `server/discover`
            // before `initialize`; it falls back to `initialize` on this error.
            throw MCPError.serverError(code: -32022, message: "protocol \(params.protocolVersion ?? "of server/discover") is not supported; "
                + "this server negotiates \(Self.handshakeVersions.joined(separator: ", ")) through initialize")
        }
        return server
    }

    /// `tools/call` for `identity`: what the SDK's handler and ``DirectToolCalls`` both run.
    func toolCalls(as identity: CallerIdentity) -> @Sendable (CallTool.Parameters) async -> CallTool.Result {
        { [self] params in
            await call(params.name, arguments: (params.arguments ?? [:]).mapValues { JSONValue(mcp: $0) }, as: identity)
        }
    }

    /// Starts `server` (from ``makeServer(for:)``) on `transport`: its `tools/call` requests
    /// take ``DirectToolCalls``, and each `initialize` is logged by ``NegotiationObserver``.
    public func start(_ server: Server, on transport: any Transport, as identity: CallerIdentity, label: String) async throws {
        let direct = DirectToolCalls(transport, logger: logger, handle: toolCalls(as: identity))
        try await server.start(transport: NegotiationObserver(direct, label: label, logger: logger))
    }

    /// The clouds the tools reach, for the instructions: ", and AWS (…) and GCP (…)" or "".
    var cloudScope: String {
        let clouds = [cloud?.awsSettings == nil ? nil : "AWS (EC2, EKS, CloudWatch)",
                      cloud?.gcpSettings == nil ? nil : "GCP (Compute Engine, GKE, Cloud Monitoring)"].compactMap { $0 }
        return clouds.isEmpty ? "" : ", and " + clouds.joined(separator: " and ")
    }
}

/// `server/discover`, the first request of clients of the 2026-07-28 protocol; the SDK
/// does not know it, so this server answers it with "unsupported protocol version".
enum DiscoverProbe: Method {
    static let name = "server/discover"

    struct Parameters: NotRequired, Hashable, Codable, Sendable {
        var protocolVersion: String?
        init() {}
    }

    typealias Result = Empty
}
