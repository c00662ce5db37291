import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("RBAC access review")
struct AccessReviewTests {
    @Test("Each subject gets its bindings, its risks and a capped score, riskiest first")
    func review() throws {
        let objects = [
            Fixtures.binding("admins", cluster: true, role: "cluster-admin", subjects: [Fixtures.subject("User", "alice")]),
            Fixtures.role("debugger", cluster: true, rules: [
                Fixtures.rule(["get", "list"], ["secrets"]), Fixtures.rule(["create"], ["pods/exec"]),
            ]),
            Fixtures.binding("debuggers", cluster: true, role: "debugger", subjects: [
                Fixtures.subject("User", "bob"), Fixtures.subject("User", "system:kube-scheduler"),
            ]),
            Fixtures.role(rules: [Fixtures.rule(["get"], ["configmaps"])]),
            Fixtures.binding(subjects: [Fixtures.subject("ServiceAccount", "app", namespace: Fixtures.namespace)]),
            Fixtures.binding("app-debug", role: "debugger", roleKind: "ClusterRole", subjects: [Fixtures.subject("ServiceAccount", "app", namespace: Fixtures.namespace)]),
            Fixtures.binding("anon", cluster: true, role: "debugger", subjects: [Fixtures.subject("Group", "system:unauthenticated")]),
        ]
        let report = try Fixtures.audit(objects)
        let reviews = report.accessReview
        // equal scores are ordered by subject: kind, namespace, name
        #expect(reviews.map(\.subject.name) == ["system:unauthenticated", "alice", "bob", "app"])
        #expect(!reviews.contains { $0.subject.name == "system:kube-scheduler" })

        let alice = reviews[1]
        #expect(alice.riskScore == 100)
        #expect(alice.risks.map(\.id) == ["cluster-admin"])

        let anonymous = reviews[0]
        #expect(anonymous.riskScore == 100)  // 50 + 35 + 25, capped
        #expect(anonymous.risks.map(\.id) == ["unauthenticated", "secrets-cluster-wide", "pods-exec"])

        let bob = reviews[2]
        #expect(bob.riskScore == 60)
        #expect(bob.bindings == [AuditObject(kind: "ClusterRoleBinding", name: "debuggers")])

        let app = reviews[3]
        #expect(app.subject.namespace == Fixtures.namespace)
        #expect(app.bindings.count == 2)
        #expect(app.risks.map(\.id) == ["pods-exec", "secrets"])  // the secrets are readable in its namespace only
        #expect(app.riskScore == 40)
        #expect(app.risks[1].detail.contains("in namespace shop"))
    }
}
