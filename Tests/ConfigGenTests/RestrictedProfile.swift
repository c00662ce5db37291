import KubeClient

@testable import ConfigGen

/// What the Pod Security Standards' restricted profile (and this project's hardening)
/// demands of a pod template, checked field by field, independently of the generator.
enum RestrictedProfile {
    /// Every violation in the generated objects, as readable strings; empty when compliant.
    static func problems(_ generated: GeneratedManifests) -> [String] {
        var problems: [String] = []
        for manifest in generated.manifests {
            let where_ = "\(manifest.kind)/\(manifest.name)"
            let labels = manifest.object["metadata"]["labels"]
            for key in ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by"] where labels[key].isNull {
                problems.append("\(where_): no label \(key)")
            }
            if manifest.kind == "ServiceAccount" && manifest.object["automountServiceAccountToken"] != false {
                problems.append("\(where_): automountServiceAccountToken is not false")
            }
            if manifest.kind == "Secret" { problems.append("\(where_): secret data generated") }
            guard ["Deployment", "BlueGreenDeployment"].contains(manifest.kind) else { continue }
            problems += pod(manifest.object["spec"]["template"]).map { "\(where_): \($0)" }
        }
        if !generated.manifests.contains(where: { ["Deployment", "BlueGreenDeployment"].contains($0.kind) }) {
            problems.append("no workload generated")
        }
        if !generated.manifests.contains(where: { $0.kind == "NetworkPolicy" }) { problems.append("no NetworkPolicy") }
        return problems
    }

    static func pod(_ template: JSONValue) -> [String] {
        var problems: [String] = []
        let spec = template["spec"]
        let security = spec["securityContext"]
        if security["runAsNonRoot"] != true { problems.append("pod runAsNonRoot is not true") }
        if (security["runAsUser"].intValue ?? 0) <= 0 { problems.append("pod runAsUser is not a fixed non-zero UID") }
        if security["seccompProfile"]["type"] != "RuntimeDefault" { problems.append("seccomp is not RuntimeDefault") }
        if spec["automountServiceAccountToken"] != false { problems.append("token automounted") }
        for key in ["hostNetwork", "hostPID", "hostIPC"] where spec[key] == true { problems.append("\(key) is true") }
        if (spec["serviceAccountName"].stringValue ?? "default") == "default" { problems.append("default service account") }
        for volume in spec["volumes"].arrayValue ?? [] where !volume["hostPath"].isNull { problems.append("hostPath volume") }
        let containers = (spec["containers"].arrayValue ?? []) + (spec["initContainers"].arrayValue ?? [])
        if containers.isEmpty { problems.append("no containers") }
        for container in containers {
            let name = container["name"].stringValue ?? "?"
            let context = container["securityContext"]
            if context["allowPrivilegeEscalation"] != false { problems.append("\(name): privilege escalation allowed") }
            if context["readOnlyRootFilesystem"] != true { problems.append("\(name): writable root filesystem") }
            if context["privileged"] == true { problems.append("\(name): privileged") }
            if !(context["capabilities"]["drop"].arrayValue ?? []).contains("ALL") { problems.append("\(name): capabilities not dropped") }
            if !(context["capabilities"]["add"].arrayValue ?? []).isEmpty { problems.append("\(name): capabilities added") }
            if context["runAsUser"] == 0 { problems.append("\(name): runs as UID 0") }
            for kind in ["requests", "limits"] {
                for resource in ["cpu", "memory"] where container["resources"][kind][resource].isNull {
                    problems.append("\(name): no \(resource) \(kind)")
                }
            }
            for probe in ["livenessProbe", "readinessProbe"] where container[probe].isNull { problems.append("\(name): no \(probe)") }
            for variable in container["env"].arrayValue ?? [] where !variable["value"].isNull {
                problems.append("\(name): literal env value inlined (\(variable["name"].stringValue ?? ""))")
            }
            if let image = container["image"].stringValue, image.hasSuffix(":latest") || !image.contains(":") {
                problems.append("\(name): image \(image) names no version")
            }
            for port in container["ports"].arrayValue ?? [] where !port["hostPort"].isNull { problems.append("\(name): hostPort") }
        }
        return problems
    }
}
