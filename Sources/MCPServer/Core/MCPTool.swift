import KubeClient
import MCP

/// What a tool may change: read-only tools are always served, `write` ones only with
/// `--allow-write`, `destructive` ones (deleting, undoing) only with `--allow-destructive`.
public enum ToolAccess: Int, Sendable, Comparable {
    case read, write, destructive

    public static func < (lhs: ToolAccess, rhs: ToolAccess) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The cloud a tool works on (``MCPTool/cloud``).
public enum CloudProvider: String, Sendable {
    case aws = "AWS", gcp = "GCP"

    /// What makes the server's cloud configuration include this provider.
    var howToConfigure: String {
        switch self {
        case .aws: "--aws-region (or aws.region in the --cloud-configmap ConfigMap, or AWS_REGION), with credentials from the "
            + "environment, the shared config files, web identity, the ConfigMap's Secret or instance metadata"
        case .gcp: "--gcp-project (or gcp.project in the --cloud-configmap ConfigMap), with a service-account key (the ConfigMap's "
            + "Secret or GOOGLE_APPLICATION_CREDENTIALS) or the metadata server"
        }
    }
}

/// One MCP tool: its name, what an agent reads about it (description, JSON Schema of its
/// input, annotations), and what it does.
public struct MCPTool: Sendable {
    public let name: String
    public let description: String
    /// A JSON Schema object describing the arguments.
    public let inputSchema: JSONValue
    public let access: ToolAccess
    /// Whether calling it twice with the same arguments has the effect of calling it once.
    public let idempotent: Bool
    /// The cloud the tool calls; it is served only when the server has that cloud configured.
    public let cloud: CloudProvider?
    public let run: @Sendable (ToolCall) async throws -> ToolOutput

    public init(name: String, description: String, inputSchema: JSONValue, access: ToolAccess = .read,
                idempotent: Bool = true, cloud: CloudProvider? = nil, run: @escaping @Sendable (ToolCall) async throws -> ToolOutput) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.access = access
        self.idempotent = idempotent
        self.cloud = cloud
        self.run = run
    }

    /// The tool as `tools/list` describes it.
    var definition: Tool {
        Tool(name: name, description: description, inputSchema: Value(json: inputSchema),
             annotations: Tool.Annotations(readOnlyHint: access == .read, destructiveHint: access == .destructive,
                                           idempotentHint: idempotent, openWorldHint: cloud != nil))
    }
}

/// A set of tools about one resource or area (pods, rollouts, audits, …), one file each.
///
/// Adding an area is one new file with a type conforming to this protocol, listed in
/// ``MCPToolCatalog/groups``.
public protocol MCPToolGroup: Sendable {
    var tools: [MCPTool] { get }
}

/// What a tool returns: a JSON document for programs and the same content as readable text.
/// Both are redacted before they leave the server.
public struct ToolOutput: Sendable {
    public var structured: JSONValue
    public var text: String

    public init(structured: JSONValue, text: String) {
        self.structured = structured
        self.text = text
    }
}

extension Value {
    /// The MCP value of a Kubernetes JSON value.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map { Value(json: $0) })
        case .object(let o): self = .object(o.mapValues { Value(json: $0) })
        }
    }
}

extension JSONValue {
    /// The Kubernetes JSON value of an MCP value (binary data becomes its base64 text).
    init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int64(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .data(mimeType: _, let data): self = .string(data.base64EncodedString())
        case .array(let a): self = .array(a.map { JSONValue(mcp: $0) })
        case .object(let o): self = .object(o.mapValues { JSONValue(mcp: $0) })
        }
    }
}
