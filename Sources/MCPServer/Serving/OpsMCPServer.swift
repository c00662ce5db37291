import Analysis
import Cloud
import Foundation
import KubeClient
import Logging
import MCP

/// Who a session's requests act as: a name for messages and logs, and the client that sends
/// requests with that identity.
public struct CallerIdentity: Sendable {
    public let name: String
    public let client: KubernetesClient

    public init(name: String, client: KubernetesClient) {
        self.name = name
        self.client = client
    }
}

/// The opsagent MCP server, whatever the transport: the tools it serves under its options,
/// and the one path every tool call takes — the access check, the call as the caller's
/// identity, redaction of the answer (or the error), and a log line.
public final class OpsMCPServer: Sendable {
    public static let name = "opsagent"

    public let options: MCPServerOptions
    /// The clouds the cloud tools call; nil when none is configured.
    public let cloud: CloudClients?
    /// The tools listed to agents (those the options allow, and the cloud tools of the
    /// configured clouds), in catalog order.
    public let servedTools: [MCPTool]
    let toolsByName: [String: MCPTool]
    let secrets: SecretValues
    let redactor: Redactor
    let logger: Logger

    /// - Parameters:
    ///   - serverClient: the server's own identity, used to read Secret values for redaction.
    ///   - cloud: the configured clouds (`--aws-region`, `--gcp-project`, `--cloud-configmap`).
    public init(serverClient: KubernetesClient, options: MCPServerOptions, cloud: CloudClients? = nil, redactor: Redactor = .builtin,
                tools: [MCPTool] = MCPToolCatalog.allTools, logger: Logger = Logger(label: "opsagent.mcp")) {
        self.options = options
        self.cloud = cloud
        self.servedTools = tools.filter { options.flag(for: $0.access) == nil && Self.configured($0.cloud, in: cloud) }
        self.toolsByName = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.secrets = SecretValues(client: serverClient, logger: logger)
        self.redactor = redactor
        self.logger = logger
    }

    /// Calls a tool for `identity`. Never throws: failures are tool errors saying what to fix.
    public func call(_ name: String, arguments: [String: JSONValue], as identity: CallerIdentity) async -> CallTool.Result {
        let started = ContinuousClock.now
        let access = ClusterAccess(client: identity.client, identity: identity.name, policy: options.policy)
        var outcome = "ok"
        var result: ToolOutput
        var failed = false
        do {
            guard let tool = toolsByName[name] else { throw ToolError.unknownTool(name) }
            if let flag = options.flag(for: tool.access) { throw ToolError.notAllowed(tool: name, flag: flag) }
            if let provider = tool.cloud, !Self.configured(provider, in: cloud) { throw ToolError.notConfigured(tool: name, cloud: provider) }
            result = try await tool.run(ToolCall(tool: name, arguments: ToolArguments(arguments), cluster: access, cloud: cloud))
        } catch {
            let toolError = error as? ToolError ?? .failed("\(name) failed: \(error)")
            outcome = toolError.outcome
            failed = true
            result = ToolOutput(structured: ["error": .string(toolError.outcome)], text: toolError.message)
        }
        var sensitive = await secrets.forms(in: access.touchedNamespaces)
        // The clouds' own credentials (keys, session and access tokens), wherever a provider's answer may echo them.
        if let cloud { sensitive.formUnion(FactsGatherer.sensitiveForms(of: Array(await cloud.credentialValues()))) }
        var redaction = OutputRedaction(redactor: redactor, sensitiveValues: sensitive)
        result = redaction.redact(result)
        // Argument values are left out: they may carry secrets an agent was given.
        logger.info("mcp tool call", metadata: [
            "tool": "\(name)", "identity": "\(identity.name)", "outcome": "\(outcome)",
            "durationMs": "\(Self.milliseconds(since: started))",
            "redacted": "\(redaction.session.redactedCount)",
        ])
        if failed { return CallTool.Result(content: [.text(result.text)], isError: true) }
        return CallTool.Result(content: [.text(result.text)], structuredContent: Optional(Value(json: result.structured)), isError: false)
    }

    /// Whether `provider` (nil: no cloud needed) is configured in `cloud`.
    static func configured(_ provider: CloudProvider?, in cloud: CloudClients?) -> Bool {
        switch provider {
        case nil: true
        case .aws?: cloud?.awsSettings != nil
        case .gcp?: cloud?.gcpSettings != nil
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = (ContinuousClock.now - start).components
        return Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
    }
}
