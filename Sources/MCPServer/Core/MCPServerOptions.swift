/// How the MCP server is configured: which tools exist and whom HTTP requests act as.
public struct MCPServerOptions: Sendable {
    /// Whom an authenticated HTTP request acts as.
    public enum HTTPIdentity: String, Sendable, CaseIterable {
        /// The token's user, through impersonation headers (the server's identity needs
        /// the `impersonate` verb): RBAC decides per user.
        case impersonate
        /// The server's own identity (the operator's ServiceAccount), whoever calls.
        case server
    }

    /// Serve the tools that change the cluster (`--allow-write`).
    public var allowWrite: Bool
    /// Serve the tools that delete (`--allow-destructive`; implies nothing about write).
    public var allowDestructive: Bool
    public var policy: ResourcePolicy
    public var httpIdentity: HTTPIdentity

    public init(allowWrite: Bool = false, allowDestructive: Bool = false, policy: ResourcePolicy = .standard,
                httpIdentity: HTTPIdentity = .impersonate) {
        self.allowWrite = allowWrite
        self.allowDestructive = allowDestructive
        self.policy = policy
        self.httpIdentity = httpIdentity
    }

    /// Whether a tool of this access is served, and if not, the flag it needs.
    func flag(for access: ToolAccess) -> String? {
        switch access {
        case .read: nil
        case .write: allowWrite ? nil : "--allow-write"
        case .destructive: allowDestructive ? nil : "--allow-destructive"
        }
    }
}
