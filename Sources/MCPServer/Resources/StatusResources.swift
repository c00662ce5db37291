import Foundation
import KubeClient
import MCP

/// MCP resources: each rollout's status (`opsagent://rollouts/NAMESPACE/NAME`) and each
/// audit's latest report (`opsagent://audits/NAMESPACE/NAME/report`). Reading one goes
/// through the matching tool (`rollout_get`, `audit_findings`), so policy, identity and
/// redaction are the same as for a tool call.
enum StatusResource {
    static let rolloutPrefix = "opsagent://rollouts/"
    static let auditPrefix = "opsagent://audits/"

    static let templates: [Resource.Template] = [
        Resource.Template(uriTemplate: "opsagent://rollouts/{namespace}/{name}", name: "rollout-status",
                          description: "A BlueGreenDeployment's status: phase, colors, revisions, conditions and analysis.",
                          mimeType: "application/json"),
        Resource.Template(uriTemplate: "opsagent://audits/{namespace}/{name}/report", name: "audit-report",
                          description: "The findings of a SecurityAudit's latest report, most severe first.", mimeType: "application/json"),
    ]

    /// The tool and arguments that answer a resource URI.
    static func tool(for uri: String) -> (tool: String, arguments: [String: JSONValue])? {
        if uri.hasPrefix(rolloutPrefix) {
            let parts = uri.dropFirst(rolloutPrefix.count).split(separator: "/").map(String.init)
            guard parts.count == 2 else { return nil }
            return ("rollout_get", ["namespace": .string(parts[0]), "name": .string(parts[1])])
        }
        if uri.hasPrefix(auditPrefix) {
            let parts = uri.dropFirst(auditPrefix.count).split(separator: "/").map(String.init)
            guard parts.count == 3, parts[2] == "report" else { return nil }
            return ("audit_findings", ["namespace": .string(parts[0]), "name": .string(parts[1]), "limit": 500])
        }
        return nil
    }
}

extension OpsMCPServer {
    /// The rollouts and audits the identity can read (at most 100 of each).
    func statusResources(for identity: CallerIdentity) async -> [Resource] {
        let access = ClusterAccess(client: identity.client, identity: identity.name, policy: options.policy)
        var resources: [Resource] = []
        let kinds: [(ResourceRef, String, String)] = [
            (RolloutTools.rollouts, StatusResource.rolloutPrefix, ""), (AuditTools.audits, StatusResource.auditPrefix, "/report"),
        ]
        for (ref, prefix, suffix) in kinds {
            // A missing CRD or a forbidden list leaves that kind out; the tools say why when called.
            guard let list = try? await access.list(ref, namespace: nil, options: ListOptions(limit: 100)) else { continue }
            for item in list.items {
                guard let ns = item["metadata"]["namespace"].stringValue, let name = item["metadata"]["name"].stringValue else { continue }
                resources.append(Resource(name: "\(ref.kind) \(ns)/\(name)", uri: "\(prefix)\(ns)/\(name)\(suffix)",
                                          description: suffix.isEmpty ? "Rollout status" : "Latest security report",
                                          mimeType: "application/json"))
            }
        }
        return resources
    }

    func readResource(_ uri: String, as identity: CallerIdentity) async throws -> ReadResource.Result {
        guard let (tool, arguments) = StatusResource.tool(for: uri) else {
            throw MCPError.invalidParams("unknown resource \(uri); list them with resources/list (opsagent://rollouts/NS/NAME, opsagent://audits/NS/NAME/report)")
        }
        let result = await call(tool, arguments: arguments, as: identity)
        if result.isError == true {
            let message = result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
            throw MCPError.invalidParams(message)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let json = String(decoding: try encoder.encode(result.structuredContent ?? .null), as: UTF8.self)
        return ReadResource.Result(contents: [.text(json, uri: uri, mimeType: "application/json")])
    }
}
