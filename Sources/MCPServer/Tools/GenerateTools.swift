import ConfigGen
import KubeClient

/// `generate_manifests`: hardened manifests from workload requirements, as
/// `opsagent generate` makes them. Read-only: it returns text and touches no cluster.
struct GenerateTools: MCPToolGroup {
    var tools: [MCPTool] { [generate] }

    var generate: MCPTool {
        MCPTool(
            name: "generate_manifests",
            description: "Generate production-grade Kubernetes YAML (Deployment or BlueGreenDeployment, Service, Ingress, ConfigMap, "
                + "ServiceAccount, NetworkPolicy, HPA, PDB) from workload requirements, hardened to the restricted Pod Security "
                + "profile. `requirements` is the document `opsagent generate --help` describes (name, image, replicas, ports, env, "
                + "size, scaling, exposure, storage, rollout, health, environment). Invalid fields are reported with their path. "
                + "Secrets are referenced by name, never generated.",
            inputSchema: InputSchema.object([
                "requirements": InputSchema.anyObject("The workload requirements document."),
                "explain": InputSchema.boolean("Add a one-line comment on each non-obvious default saying why."),
            ], required: ["requirements"])
        ) { call in
            guard let document = try call.arguments.object("requirements") else {
                throw ToolError.invalidArgument(name: "requirements", problem: "required, an object (see opsagent generate --help)")
            }
            let manifests: GeneratedManifests
            do {
                manifests = try ManifestGenerator().generate(document: document)
            } catch let error as InvalidRequirements {
                let problems = error.issues.map { "requirements.\($0.field): \($0.problem) (\($0.hint))" }
                throw ToolError.invalidArgument(name: "requirements", problem: problems.joined(separator: "; "))
            }
            let yaml = manifests.yaml(explain: try call.arguments.bool("explain") ?? false)
            let objects = manifests.objects.map { object -> JSONValue in
                ["kind": object["kind"], "name": object["metadata"]["name"]]
            }
            return ToolOutput(structured: ["objects": .array(objects), "yaml": .string(yaml),
                                           "requiredSecrets": .array(manifests.requiredSecrets.map { .string($0) })],
                              text: yaml)
        }
    }
}
