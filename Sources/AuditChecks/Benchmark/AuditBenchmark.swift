import Foundation
import KubeClient

/// Times an audit of a synthetic cluster, for `make bench` and the figure
/// (10,000 pods in 500 namespaces plus 2,000 RBAC objects in ≤ 5 s).
///
/// The inventory is built first and not timed. Its pods are bare (the most work per pod:
/// nothing is skipped as owned) and mixed: every third is hardened, the others miss
/// various settings, and some carry literal credentials; namespaces alternate with and
/// without Pod Security labels and NetworkPolicies. The RBAC objects are a quarter each
/// Roles, RoleBindings, ClusterRoles and ClusterRoleBindings, spread over the namespaces.
public enum AuditBenchmark {
    /// Builds the inventory, audits it once with ``policy`` and returns the audit's
    /// wall-clock time and its number of (unwaived) findings.
    public static func run(pods: Int, namespaces: Int, rbacObjects: Int) -> (seconds: Double, findings: Int) {
        let inventory = syntheticInventory(pods: pods, namespaces: namespaces, rbacObjects: rbacObjects)
        let engine = AuditEngine()
        let clock = ContinuousClock()
        let now = Date()
        var findings = 0
        let elapsed = clock.measure {
            findings = (try? engine.audit(inventory, policy: policy(now: now), now: now))?.findings.count ?? -1
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (seconds, findings)
    }

    /// Every check, a registry allow-list, `failOn: high` and five waivers (two expired),
    /// so the audit also pays for waiver matching.
    public static func policy(now: Date) -> AuditPolicy {
        AuditPolicy(
            exceptions: [
                Waiver(check: "OPS-POD-001", namespace: "team-1*", reason: "node agents", expires: KubeTime(now.addingTimeInterval(86_400))),
                Waiver(check: "WorkloadHygiene", name: "pod-1*", reason: "legacy", expires: KubeTime(now.addingTimeInterval(-60))),
                Waiver(check: "OPS-SEC-001", name: "pod-*5", namespace: "team-4*", reason: "rotating"),
                Waiver(check: "RBAC", namespace: "team-2", reason: "platform team"),
                Waiver(check: "OPS-NET-001", name: "team-3*", reason: "mesh policies", expires: KubeTime(now.addingTimeInterval(-1))),
            ],
            imagePolicy: ImagePolicy(allowedRegistries: ["ghcr.io/acme"]), failOn: .high)
    }

    public static func syntheticInventory(pods: Int, namespaces: Int, rbacObjects: Int) -> AuditInventory {
        var inventory = AuditInventory()
        let namespaceCount = max(1, namespaces)
        func ns(_ i: Int) -> String { "team-\(i % namespaceCount)" }
        for i in 0..<namespaceCount {
            var labels: JSONValue = ["team": .string("t\(i)")]
            if i % 2 == 0 { labels["pod-security.kubernetes.io/enforce"] = "restricted" }
            inventory.namespaces.append(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns(i)), "labels": labels]])
            inventory.serviceAccounts.append([
                "apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "app", "namespace": .string(ns(i))],
            ])
            if i % 3 == 0 {
                inventory.networkPolicies.append([
                    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": ["name": "default-deny", "namespace": .string(ns(i))], "spec": ["podSelector": [:]],
                ])
            }
        }
        for i in 0..<pods {
            inventory.pods.append(syntheticPod(index: i, namespace: ns(i)))
        }
        let quarter = rbacObjects / 4
        for i in 0..<quarter {
            let rules: JSONValue = i % 5 == 0
                ? [["apiGroups": [""], "resources": ["pods", "pods/exec", "secrets"], "verbs": ["get", "list", "create"]]]
                : [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]]]
            inventory.roles.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": ["name": .string("role-\(i)"), "namespace": .string(ns(i))], "rules": rules,
            ])
            inventory.roleBindings.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": ["name": .string("binding-\(i)"), "namespace": .string(ns(i))],
                "subjects": [["kind": "ServiceAccount", "name": i % 7 == 0 ? "missing" : "app", "namespace": .string(ns(i))]],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string("role-\(i)")],
            ])
            inventory.clusterRoles.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": ["name": .string("cluster-role-\(i)")],
                "rules": i % 10 == 0 ? [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]] : rules,
            ])
            inventory.clusterRoleBindings.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": ["name": .string("cluster-binding-\(i)")],
                "subjects": [["kind": "User", "name": .string("user-\(i % 50)"), "apiGroup": "rbac.authorization.k8s.io"]],
                "roleRef": [
                    "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": .string(i % 100 == 0 ? "cluster-admin" : "cluster-role-\(i)"),
                ],
            ])
        }
        return inventory
    }

    static func syntheticPod(index i: Int, namespace: String) -> JSONValue {
        let hardened = i % 3 == 0
        var security: JSONValue = [
            "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
            "capabilities": ["drop": ["ALL"]], "seccompProfile": ["type": "RuntimeDefault"],
        ]
        if !hardened {
            security = i % 2 == 0 ? ["privileged": .bool(i % 10 == 1)] : ["capabilities": ["add": ["NET_ADMIN"]]]
        }
        var env: [JSONValue] = [["name": "LOG_LEVEL", "value": "info"], ["name": "PORT", "value": "8080"]]
        if i % 5 == 1 { env.append(["name": "DB_PASSWORD", "value": .string("pw-\(i)-synthetic")]) }
        var container: JSONValue = [
            "name": "app", "image": .string(hardened ? "ghcr.io/acme/app:1.\(i % 20)" : "nginx"),
            "env": .array(env), "securityContext": security,
            "ports": [["containerPort": 8080]],
        ]
        if hardened {
            container["resources"] = [
                "limits": ["cpu": "500m", "memory": "256Mi"], "requests": ["cpu": "100m", "memory": "128Mi"],
            ]
            container["livenessProbe"] = ["httpGet": ["path": "/healthz", "port": 8080]]
            container["readinessProbe"] = ["httpGet": ["path": "/ready", "port": 8080]]
        }
        var spec: JSONValue = ["containers": [container], "serviceAccountName": "app", "automountServiceAccountToken": .bool(hardened)]
        if i % 50 == 7 {
            spec["hostNetwork"] = true
            spec["volumes"] = [["name": "host", "hostPath": ["path": "/var/run"]]]
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string("pod-\(i)"), "namespace": .string(namespace), "labels": ["app": .string("app-\(i % 40)")]],
            "spec": spec,
        ]
    }
}
