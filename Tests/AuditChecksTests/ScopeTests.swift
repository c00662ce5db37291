import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Scope and ownership")
struct ScopeTests {
    func insecureSpec() -> JSONValue {
        var spec = Fixtures.podSpec()
        spec.editContainer { $0["securityContext"]["privileged"] = true }
        return spec
    }

    @Test("Pods and ReplicaSets owned by an audited workload are not counted twice")
    func ownedObjectsSkipped() throws {
        let replicaSet: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": "web-5d8f", "namespace": .string(Fixtures.namespace),
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true]],
            ],
            "spec": ["template": ["spec": insecureSpec()]],
        ]
        let objects = [
            Fixtures.deployment(spec: insecureSpec()), replicaSet,
            Fixtures.pod("web-5d8f-a", spec: insecureSpec(), owner: ("ReplicaSet", "web-5d8f")),
            Fixtures.pod("web-5d8f-b", spec: insecureSpec(), owner: ("ReplicaSet", "web-5d8f")),
        ]
        let report = try Fixtures.audit(objects)
        #expect(report.findings(of: "OPS-POD-001").map(\.object) == [AuditObject(kind: "Deployment", namespace: "shop", name: "web")])
        #expect(report.objectsAudited == 2)  // the namespace and the Deployment
    }

    @Test("A pod whose owner is not audited is checked itself")
    func orphanedOwnerChecksPod() throws {
        let report = try Fixtures.audit([Fixtures.pod("worker-x", spec: insecureSpec(), owner: ("ReplicaSet", "gone"))])
        #expect(report.findings(of: "OPS-POD-001").map(\.object.name) == ["worker-x"])
        #expect(report.findings(of: "OPS-WL-012").isEmpty)  // it has a controller, just not an audited one
    }

    @Test("CronJobs are checked through their job template")
    func cronJobTemplate() throws {
        let cronJob: JSONValue = [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": Fixtures.meta("nightly"),
            "spec": ["schedule": "0 3 * * *", "jobTemplate": ["spec": ["template": ["spec": insecureSpec()]]]],
        ]
        let report = try Fixtures.audit([cronJob])
        #expect(report.findings(of: "OPS-POD-001").map(\.object.kind) == ["CronJob"])
        #expect(report.findings(of: "OPS-WL-005").isEmpty)  // jobs run to completion: no probes expected
    }

    @Test("Namespaces, kinds and label selectors narrow the audit")
    func scopeFilters() throws {
        let objects = [
            Fixtures.deployment("web", spec: insecureSpec()),
            Fixtures.deployment("api", namespace: "other", spec: insecureSpec()),
        ]
        var policy = Fixtures.policy
        policy.scope = AuditScope(namespaces: ["other"])
        #expect(try Fixtures.audit(objects, policy: policy).findings(of: "OPS-POD-001").map(\.object.name) == ["api"])
        policy.scope = AuditScope(labelSelector: LabelSelector(matchLabels: ["app": "web"]))
        #expect(try Fixtures.audit(objects, policy: policy).findings(of: "OPS-POD-001").map(\.object.name) == ["web"])
        policy.scope = AuditScope(kinds: ["Namespace"])
        let namespacesOnly = try Fixtures.audit(objects + [Fixtures.namespaceObject("bare", labels: [:])], policy: policy)
        #expect(namespacesOnly.findings.allSatisfy { $0.object.kind == "Namespace" })
        #expect(!namespacesOnly.findings.isEmpty)
    }

    @Test("Cluster-scoped RBAC objects are audited only when included")
    func clusterScoped() throws {
        let objects = [Fixtures.binding("ops", cluster: true, role: "cluster-admin", subjects: [Fixtures.subject("User", "bob")])]
        var policy = Fixtures.policy
        #expect(try Fixtures.audit(objects, policy: policy).findings(of: "OPS-RBAC-001").count == 1)
        policy.scope.namespaces = ["shop"]  // a namespace list does not drop cluster-scoped objects
        #expect(try Fixtures.audit(objects, policy: policy).findings(of: "OPS-RBAC-001").count == 1)
        policy.scope.includeClusterScoped = false
        let report = try Fixtures.audit(objects, policy: policy)
        #expect(report.findings(of: "OPS-RBAC-001").isEmpty)
        #expect(report.accessReview.isEmpty)
    }

    @Test("checks.include and checks.exclude select by ID and by category")
    func checkSelection() throws {
        var policy = Fixtures.policy
        policy.checks = CheckSelection(include: ["PodSecurity"], exclude: ["OPS-POD-001"])
        let report = try Fixtures.audit([Fixtures.deployment(namespace: "default", spec: insecureSpec())], policy: policy)
        #expect(report.checksRun.allSatisfy { $0.hasPrefix("OPS-POD-") })
        #expect(!report.checksRun.contains("OPS-POD-001"))
        #expect(report.findings.isEmpty)  // privileged is excluded, default namespace is not selected
    }

    @Test("Image checks run only when the image policy asks for them")
    func imagePolicyApplicability() throws {
        let report = try AuditEngine().audit(AuditInventory(objects: [Fixtures.deployment()]), policy: AuditPolicy())
        #expect(!report.checksRun.contains("OPS-WL-008"))
        #expect(!report.checksRun.contains("OPS-WL-009"))
        #expect(report.checksRun.contains("OPS-WL-007"))
    }
}
