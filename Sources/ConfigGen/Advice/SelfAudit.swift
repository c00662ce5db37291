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
