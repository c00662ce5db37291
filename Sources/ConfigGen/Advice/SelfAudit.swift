import AuditChecks
import KubeClient

/// The project's SecurityAudit checks run over generated objects, before anything is
/// printed: a high or critical finding refuses the generation (it would otherwise ship a
/// manifest the cluster's own audit flags).
extension GeneratedManifests {
    /// The audit of the generated objects. A BlueGreenDeployment is audited as the
    /// Deployments its controller creates from the same pod template.
    public func audit() -> AuditReport {
        var inventory = AuditInventory()
        for object in objects {
            if object["kind"].stringValue == "BlueGreenDeployment" {
                inventory.add(Self.coloredDeployment(of: object))
            } else {
                inventory.add(object)
            }
        }
        do {
            return try AuditEngine().audit(inventory)
        } catch {
            // The default policy has no settings to be invalid.
            preconditionFailure("the default audit policy was refused: \(error)")
        }
    }

    /// High and critical findings of ``audit()``, as requirement issues.
    func seriousFindings() -> [RequirementIssue] {
        audit().findings.filter { $0.severity >= .high }.map { finding in
            RequirementIssue(
                field: Self.field(for: finding),
                problem: "the generated \(finding.object.kind) fails audit check \(finding.checkID) (\(finding.title)): \(finding.message)",
                hint: "change the requirement; manifests with high or critical findings are not generated")
        }
    }

    /// Literal values (env and config files) that the audit's credential detector takes
    /// for secrets by their shape: they would sit in a ConfigMap, readable by anyone who
    /// can read the namespace's ConfigMaps. The values are judged through a throwaway pod
    /// given to the audit engine; the issues name the field, never the value.
    static func literalIssues(_ requirements: WorkloadRequirements) -> [RequirementIssue] {
        var env: [JSONValue] = []
        var fieldByVariable: [String: String] = [:]
        for key in requirements.env.keys.sorted() {
            guard case .literal(let value) = requirements.env[key]! else { continue }
            env.append(["name": .string(key), "value": .string(value)])
            fieldByVariable[key] = "env.\(key)"
        }
        for (index, key) in requirements.configFiles.keys.sorted().enumerated() {
            let variable = "CONFIG_FILE_\(index)"
            env.append(["name": .string(variable), "value": .string(requirements.configFiles[key]!)])
            fieldByVariable[variable] = "config.\(key)"
        }
        guard !env.isEmpty else { return [] }
        let probe: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "literal-probe", "namespace": "probe"],
                                "spec": ["containers": [["name": "probe", "image": "probe:1", "env": .array(env)]]]]
        let findings = (try? AuditEngine().audit(AuditInventory(objects: [probe])).findings) ?? []
        return findings.filter { $0.checkID == "OPS-SEC-001" }.compactMap { finding in
            guard let range = finding.message.range(of: "env var ") else { return nil }
            let variable = String(finding.message[range.upperBound...].prefix { !$0.isWhitespace })
            let reason = finding.message.range(of: "(").map { String(finding.message[$0.lowerBound...].prefix { $0 != ")" }) + ")" } ?? ""
            return RequirementIssue(
                field: fieldByVariable[variable] ?? "env",
                problem: "holds a literal value that looks like a credential \(reason); the value is not shown",
                hint: "store it in a Secret and reference it (env: {secret, key}, or secrets: to mount files)")
        }
    }

    /// The requirement behind a finding, where the check names it.
    static func field(for finding: Finding) -> String {
        if finding.checkID == "OPS-SEC-001", let range = finding.message.range(of: "env var ") {
            let name = finding.message[range.upperBound...].prefix { !$0.isWhitespace }
            return "env.\(name)"
        }
        return finding.checkID.hasPrefix("OPS-WL-009") ? "image" : "(generated objects)"
    }

    /// The Deployment a BlueGreenDeployment's controller runs for one color.
    static func coloredDeployment(of rollout: JSONValue) -> JSONValue {
        var metadata = rollout["metadata"]
        metadata["name"] = .string((metadata["name"].stringValue ?? "") + "-blue")
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": [
            "replicas": rollout["spec"]["replicas"].isNull ? 1 : rollout["spec"]["replicas"],
            "selector": rollout["spec"]["selector"], "template": rollout["spec"]["template"],
        ]]
    }
}
