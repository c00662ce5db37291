import KubeClient
@testable import MCPServer
import Testing

/// `--denied-resources`: what each entry form denies, and a clear error for a bad entry.
struct ResourcePolicyTests {
    static let configMaps = ResourceRef(.configmaps, kind: "ConfigMap")
    static let clusterRoles = ResourceRef(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles"),
                                          kind: "ClusterRole", namespaced: false)

    @Test func theDefaultHidesSecretDataDeniesRBACWritesAndTheOperatorsNamespace() throws {
        let policy = ResourcePolicy.standard
        #expect(policy.hidesData(.secrets))
        #expect(!policy.hidesData(Self.configMaps))
        #expect(throws: ToolError.self) { try policy.check(.secrets, namespace: "app", write: true) }
        try policy.check(.secrets, namespace: "app", write: false)
        try policy.check(Self.clusterRoles, namespace: nil, write: false)
        #expect(throws: ToolError.denied(what: "changing clusterroles", entry: "rbac.authorization.k8s.io/*:write")) {
            try policy.check(Self.clusterRoles, namespace: nil, write: true)
        }
        #expect(throws: ToolError.self) { try policy.check(Self.configMaps, namespace: "opsagent-system", write: false) }
        #expect(throws: ToolError.self) { try policy.check(.namespaces, namespace: nil, name: "opsagent-system", write: true) }
        #expect(!policy.allowsListing(.pods, namespace: "opsagent-system", name: "operator-0"))
        #expect(policy.allowsListing(.pods, namespace: "default", name: "web"))
    }

    @Test func entriesNameKindsWithGroupsGroupsAndNamespaces() throws {
        let policy = try ResourcePolicy(entries: ["deployments.apps", "configmaps:write"])
        #expect(throws: ToolError.self) { try policy.check(.deployments, namespace: "a", write: false) }
        try policy.check(Self.configMaps, namespace: "a", write: false)
        #expect(throws: ToolError.self) { try policy.check(Self.configMaps, namespace: "a", write: true) }
        #expect(throws: ToolError.invalidArgument(name: "--denied-resources", problem: "'Secret:hidden': the scope after ':' must be all, write or data")) {
            try ResourcePolicy(entries: ["Secret:hidden"])
        }
    }
}
