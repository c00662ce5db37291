import Foundation
import KubeClient
import Testing

@testable import AuditChecks

/// A check on something other than a pod template: the objects that fail it and the
/// objects that pass it, audited next to the hardened fixture's namespace.
struct ClusterCase: CustomTestStringConvertible, Sendable {
    let id: String
    let failing: [JSONValue]
    let passing: [JSONValue]
    /// The object the finding must be on.
    let object: AuditObject
    var testDescription: String { id }
}

let rbacGroup = "rbac.authorization.k8s.io"

let clusterCases: [ClusterCase] = [
    ClusterCase(
        id: "OPS-RBAC-001",
        failing: [Fixtures.binding("ops-admins", cluster: true, role: "cluster-admin", subjects: [Fixtures.subject("Group", "ops")])],
        passing: [Fixtures.binding("ops-admins", cluster: true, role: "cluster-admin", subjects: [Fixtures.subject("User", "system:kube-controller-manager")])],
        object: AuditObject(kind: "ClusterRoleBinding", name: "ops-admins")),
    ClusterCase(
        id: "OPS-RBAC-002",
        failing: [Fixtures.role(rules: [Fixtures.rule(["*"], ["deployments"], groups: ["apps"])])],
        passing: [Fixtures.role(rules: [Fixtures.rule(["get", "list"], ["deployments"], groups: ["apps"])])],
        object: AuditObject(kind: "Role", namespace: Fixtures.namespace, name: "app-role")),
    ClusterCase(
        id: "OPS-RBAC-003",
        failing: [
            Fixtures.role("secret-reader", cluster: true, rules: [Fixtures.rule(["get", "list"], ["secrets"])]),
            Fixtures.binding("read-secrets", cluster: true, role: "secret-reader", subjects: [Fixtures.subject("User", "alice")]),
        ],
        passing: [  // the same role bound in one namespace only
            Fixtures.role("secret-reader", cluster: true, rules: [Fixtures.rule(["get", "list"], ["secrets"])]),
            Fixtures.binding("read-secrets", role: "secret-reader", roleKind: "ClusterRole", subjects: [Fixtures.subject("User", "alice")]),
        ],
        object: AuditObject(kind: "ClusterRoleBinding", name: "read-secrets")),
    ClusterCase(
        id: "OPS-RBAC-004",
        failing: [Fixtures.role(rules: [Fixtures.rule(["create"], ["pods/exec"])])],
        passing: [Fixtures.role(rules: [Fixtures.rule(["get", "list"], ["pods", "pods/log"])])],
        object: AuditObject(kind: "Role", namespace: Fixtures.namespace, name: "app-role")),
    ClusterCase(
        id: "OPS-RBAC-005",
        failing: [Fixtures.role(rules: [Fixtures.rule(["create"], ["pods/attach"])])],
        passing: [Fixtures.role(rules: [Fixtures.rule(["get"], ["pods/log"])])],
        object: AuditObject(kind: "Role", namespace: Fixtures.namespace, name: "app-role")),
    ClusterCase(
        id: "OPS-RBAC-006",
        failing: [Fixtures.role("role-admin", cluster: true, rules: [Fixtures.rule(["escalate", "bind"], ["clusterroles"], groups: [rbacGroup])])],
        passing: [Fixtures.role("role-admin", cluster: true, rules: [Fixtures.rule(["get", "list"], ["clusterroles"], groups: [rbacGroup])])],
        object: AuditObject(kind: "ClusterRole", name: "role-admin")),
    ClusterCase(
        id: "OPS-RBAC-007",
        failing: [Fixtures.role(rules: [Fixtures.rule(["impersonate"], ["serviceaccounts"])])],
        passing: [Fixtures.role(rules: [[
            "apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"], "resourceNames": ["ci-bot"],
        ]])],
        object: AuditObject(kind: "Role", namespace: Fixtures.namespace, name: "app-role")),
    ClusterCase(
        id: "OPS-RBAC-008",
        failing: [
            Fixtures.role("viewer", cluster: true, rules: [Fixtures.rule(["get"], ["configmaps"])]),
            Fixtures.binding("public", cluster: true, role: "viewer", subjects: [Fixtures.subject("User", "system:anonymous")]),
        ],
        passing: [
            Fixtures.role("system:public-info-viewer", cluster: true, rules: [["nonResourceURLs": ["/version"], "verbs": ["get"]]]),
            Fixtures.binding("system:public-info-viewer", cluster: true, role: "system:public-info-viewer", subjects: [Fixtures.subject("Group", "system:unauthenticated")]),
        ],
        object: AuditObject(kind: "ClusterRoleBinding", name: "public")),
    ClusterCase(
        id: "OPS-RBAC-009",
        failing: [
            Fixtures.role("viewer", cluster: true, rules: [Fixtures.rule(["get"], ["configmaps"])]),
            Fixtures.binding("everyone", cluster: true, role: "viewer", subjects: [Fixtures.subject("Group", "system:authenticated")]),
        ],
        passing: [
            Fixtures.role("viewer", cluster: true, rules: [Fixtures.rule(["get"], ["configmaps"])]),
            Fixtures.binding("everyone", cluster: true, role: "viewer", subjects: [Fixtures.subject("Group", "developers")]),
        ],
        object: AuditObject(kind: "ClusterRoleBinding", name: "everyone")),
    ClusterCase(
        id: "OPS-RBAC-010",
        failing: [
            Fixtures.role(rules: [Fixtures.rule(["get"], ["configmaps"])]),
            Fixtures.binding(subjects: [Fixtures.subject("ServiceAccount", "deleted-bot", namespace: Fixtures.namespace)]),
        ],
        passing: [
            Fixtures.role(rules: [Fixtures.rule(["get"], ["configmaps"])]),
            Fixtures.binding(subjects: [Fixtures.subject("ServiceAccount", "app", namespace: Fixtures.namespace)]),
        ],
        object: AuditObject(kind: "RoleBinding", namespace: Fixtures.namespace, name: "app-binding")),
    ClusterCase(
        id: "OPS-RBAC-011",
        failing: [Fixtures.binding("masters", cluster: true, role: "view", subjects: [Fixtures.subject("Group", "system:masters")])],
        passing: [Fixtures.binding("masters", cluster: true, role: "view", subjects: [Fixtures.subject("Group", "sre")])],
        object: AuditObject(kind: "ClusterRoleBinding", name: "masters")),
    ClusterCase(
        id: "OPS-NET-001",
        failing: [Fixtures.namespaceObject("payments")],
        passing: [Fixtures.namespaceObject("payments"), Fixtures.networkPolicy(namespace: "payments")],
        object: AuditObject(kind: "Namespace", name: "payments")),
    ClusterCase(
        id: "OPS-NET-002",
        failing: [Fixtures.service(spec: ["type": "LoadBalancer", "ports": [["port": 443]]])],
        passing: [Fixtures.service(spec: ["type": "LoadBalancer", "ports": [["port": 443]], "loadBalancerSourceRanges": ["10.0.0.0/8"]])],
        object: AuditObject(kind: "Service", namespace: Fixtures.namespace, name: "web")),
    ClusterCase(
        id: "OPS-NET-003",
        failing: [Fixtures.service(spec: ["type": "NodePort", "ports": [["port": 80, "nodePort": 30080]]])],
        passing: [Fixtures.service(spec: ["type": "ClusterIP", "ports": [["port": 80]]])],
        object: AuditObject(kind: "Service", namespace: Fixtures.namespace, name: "web")),
    ClusterCase(
        id: "OPS-NET-004",
        failing: [Fixtures.ingress(spec: [
            "tls": [["hosts": ["shop.example"], "secretName": "shop-tls"]],
            "rules": [["host": "shop.example"], ["host": "admin.shop.example"]],
        ])],
        passing: [Fixtures.ingress(spec: [
            "tls": [["hosts": ["shop.example", "admin.shop.example"], "secretName": "shop-tls"]],
            "rules": [["host": "shop.example"], ["host": "admin.shop.example"]],
        ])],
        object: AuditObject(kind: "Ingress", namespace: Fixtures.namespace, name: "web")),
    ClusterCase(
        id: "OPS-NET-005",
        failing: [Fixtures.service(spec: ["ports": [["port": 80]], "externalIPs": ["203.0.113.7"]])],
        passing: [Fixtures.service(spec: ["ports": [["port": 80]]])],
        object: AuditObject(kind: "Service", namespace: Fixtures.namespace, name: "web")),
    ClusterCase(
        id: "OPS-NS-001",
        failing: [Fixtures.namespaceObject("payments", labels: [:]), Fixtures.networkPolicy(namespace: "payments")],
        passing: [Fixtures.namespaceObject("payments", labels: ["pod-security.kubernetes.io/enforce": "restricted"]), Fixtures.networkPolicy(namespace: "payments")],
        object: AuditObject(kind: "Namespace", name: "payments")),
    ClusterCase(
        id: "OPS-NS-002",
        failing: [Fixtures.namespaceObject("payments", labels: ["pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted"]), Fixtures.networkPolicy(namespace: "payments")],
        passing: [Fixtures.namespaceObject("payments", labels: ["pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"]), Fixtures.networkPolicy(namespace: "payments")],
        object: AuditObject(kind: "Namespace", name: "payments")),
    ClusterCase(
        id: "OPS-NS-003",
        failing: [Fixtures.namespaceObject("payments", labels: ["pod-security.kubernetes.io/enforce": "baseline"]), Fixtures.networkPolicy(namespace: "payments")],
        passing: [Fixtures.namespaceObject("payments", labels: ["pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/audit": "restricted"]), Fixtures.networkPolicy(namespace: "payments")],
        object: AuditObject(kind: "Namespace", name: "payments")),
    ClusterCase(
        id: "OPS-VULN-001",
        failing: [Fixtures.vulnerabilityReport([Fixtures.cve("CVE-2023-0286", "HIGH")])],
        passing: [Fixtures.vulnerabilityReport([])],
        object: AuditObject(kind: "Deployment", namespace: Fixtures.namespace, name: "web")),
]

@Suite("RBAC, network, namespace and vulnerability checks")
struct ClusterCheckTests {
    @Test("Each check fails its failing fixture and passes its passing one", arguments: clusterCases)
    func clusterCheck(_ testCase: ClusterCase) throws {
        let failed = try Fixtures.audit(testCase.failing)
        let found = failed.findings(of: testCase.id)
        #expect(!found.isEmpty, "expected \(testCase.id); got \(failed.checkIDs.sorted())")
        #expect(found.allSatisfy { $0.object == testCase.object }, "\(found.map(\.object))")
        let passed = try Fixtures.audit(testCase.passing)
        #expect(passed.findings(of: testCase.id).isEmpty, "\(passed.findings(of: testCase.id).map(\.message))")
    }

    @Test("Every non-workload check of the catalog has a fixture case")
    func everyClusterCheckHasACase() {
        let ids = CheckCatalog.standard.checks.filter {
            if case .workload = $0.rule { return false } else { return true }
        }.map(\.id)
        #expect(Set(ids) == Set(clusterCases.map(\.id)))
    }

    @Test("Vulnerability findings carry the CVE, its severity and the affected package, once per workload container")
    func vulnerabilityFields() throws {
        let report = try Fixtures.audit([
            Fixtures.vulnerabilityReport([Fixtures.cve("CVE-2024-1", "CRITICAL"), Fixtures.cve("CVE-2024-2", "low", fixed: "")]),
            // a second ReplicaSet's report of the same Deployment repeats a CVE
            {
                var older = Fixtures.vulnerabilityReport([Fixtures.cve("CVE-2024-1", "CRITICAL")])
                older["metadata"]["name"] = "replicaset-web-old-app"
                return older
            }(),
        ])
        let vulns = report.findings(of: "OPS-VULN-001")
        #expect(vulns.count == 2)
        let critical = try #require(vulns.first)
        #expect(critical.cveId == "CVE-2024-1")
        #expect(critical.severity == .critical)
        #expect(critical.affectedResource == "openssl 3.0.1")
        #expect(critical.container == "app")
        #expect(critical.message.contains("fixed in 3.0.8"))
        #expect(critical.message.contains("ghcr.io/acme/app:1.2.3"))
        #expect(vulns.last?.severity == .low)
        #expect(vulns.last?.message.contains("no fixed version") == true)
    }
}

@Suite("Vulnerability reports of ReplicaSets")
struct ReplicaSetVulnerabilityTests {
    @Test("A report on a Deployment's ReplicaSet is a finding on the Deployment, once across revisions")
    func attributedToDeployment() throws {
        func replicaSet(_ name: String) -> JSONValue {
            [
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": [
                    "name": .string(name), "namespace": .string(Fixtures.namespace),
                    "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true]],
                ],
                "spec": ["template": ["spec": Fixtures.podSpec()]],
            ]
        }
        func report(of replicaSet: String) -> JSONValue {
            var report = Fixtures.vulnerabilityReport([Fixtures.cve("CVE-2024-9", "HIGH")])
            report["metadata"]["name"] = .string("replicaset-\(replicaSet)-app")
            report["metadata"]["labels"]["trivy-operator.resource.kind"] = "ReplicaSet"
            report["metadata"]["labels"]["trivy-operator.resource.name"] = .string(replicaSet)
            return report
        }
        let result = try Fixtures.audit([
            Fixtures.deployment(), replicaSet("web-1111"), replicaSet("web-2222"), report(of: "web-1111"), report(of: "web-2222"),
        ])
        let vulns = result.findings(of: "OPS-VULN-001")
        #expect(vulns.map(\.object) == [AuditObject(kind: "Deployment", namespace: Fixtures.namespace, name: "web")])
        #expect(vulns.first?.cveId == "CVE-2024-9")
    }
}
