/// Every tool group the server offers. Adding an area (workflows, generate, cloud) is one
/// new file under `Tools/` with an ``MCPToolGroup``, and its line here.
public enum MCPToolCatalog {
    public static let groups: [any MCPToolGroup] = [
        PodTools(),
        DeploymentTools(),
        ResourceTools(),
        ClusterTools(),
        RolloutTools(),
        AlertTools(),
        AuditTools(),
        WorkflowTools(),
        GenerateTools(),
        AWSTools(),
        GCPTools(),
    ]

    /// The tools of every group, in order.
    public static var allTools: [MCPTool] { groups.flatMap(\.tools) }
}
