import Foundation
import Testing
@testable import KubeSim

/// RBAC for ServiceAccount tokens and certificate users, as kubectl sees it.
@Suite("Simulator RBAC")
struct SimulatorRBACTests {
    static let shared = SharedSimulator()

    @Test("a ServiceAccount token user can do what its RoleBinding grants, and gets 403 for the rest")
    func serviceAccountToken() async throws {
        let sim = try await Self.shared.get()
        let admin = Kubectl(kubeconfig: sim.kubeconfigPath)
        #expect(try await admin.run("create", "namespace", "team").succeeded)
        #expect(try await admin.run("create", "serviceaccount", "robot", "-n", "team").succeeded)
        #expect(try await admin.run("create", "rolebinding", "robot-view", "--clusterrole=view",
                                    "--serviceaccount=team:robot", "-n", "team").succeeded)
        let token = try await admin.run("create", "token", "robot", "-n", "team")
        #expect(token.succeeded, "\(token)")
        let robot = Kubectl(kubeconfig: try sim.kubeconfig(token: token.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                                                           name: "robot"))
        var result = try await robot.run("auth", "can-i", "list", "pods", "-n", "team")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes", "\(result)")
        result = try await robot.run("auth", "can-i", "create", "deployments", "-n", "team")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no", "\(result)")
        result = try await robot.run("auth", "can-i", "list", "pods", "-n", "default")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no", "\(result)")
        result = try await robot.run("get", "pods", "-n", "default")
        #expect(!result.succeeded)
        #expect(result.stderr.contains(#"pods is forbidden: User "system:serviceaccount:team:robot" cannot list resource "pods" in API group "" in the namespace "default""#), "\(result)")
        result = try await robot.run("get", "configmaps", "-n", "team")
        #expect(result.succeeded, "\(result)")

        // Deleting the ServiceAccount invalidates its tokens.
        #expect(try await admin.run("delete", "serviceaccount", "robot", "-n", "team").succeeded)
        result = try await robot.run("get", "configmaps", "-n", "team")
        #expect(result.stderr.contains("Unauthorized"), "\(result)")
    }

    @Test("a certificate user gains access through a ClusterRoleBinding to its group")
    func certificateUserGroups() async throws {
        let sim = try await Self.shared.get()
        let admin = Kubectl(kubeconfig: sim.kubeconfigPath)
        let auditor = Kubectl(kubeconfig: try sim.kubeconfig(user: "alice", groups: ["auditors"]))
        var result = try await auditor.run("get", "namespaces")
        #expect(result.stderr.contains(#"namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope"#), "\(result)")
        #expect(try await admin.run("create", "clusterrole", "ns-reader", "--verb=get,list,watch", "--resource=namespaces").succeeded)
        #expect(try await admin.run("create", "clusterrolebinding", "auditors-ns", "--clusterrole=ns-reader", "--group=auditors").succeeded)
        result = try await auditor.run("get", "namespaces")
        #expect(result.succeeded, "\(result)")
        result = try await auditor.run("auth", "whoami")
        #expect(result.stdout.contains("alice"), "\(result)")
        #expect(result.stdout.contains("auditors"), "\(result)")
    }
}
