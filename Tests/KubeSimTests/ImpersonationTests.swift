import Foundation
import Testing
@testable import KubeSim

/// `kubectl --as` / `--as-group` and `kubectl auth can-i --list`, answered from RBAC for the
/// impersonated user after checking that the caller may impersonate.
@Suite("Impersonation and rules reviews")
struct ImpersonationTests {
    static let shared = SharedSimulator(.init(port: 0, tls: true, workloads: nil))

    func trimmed(_ result: CommandResult) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    @Test("the admin acting as a ServiceAccount gets that ServiceAccount's answers")
    func adminImpersonates() async throws {
        let sim = try await Self.shared.get()
        let admin = Kubectl(kubeconfig: sim.kubeconfigPath)
        #expect(try await admin.run("create", "namespace", "imp").succeeded)
        #expect(try await admin.run("create", "serviceaccount", "bot", "-n", "imp").succeeded)
        #expect(try await admin.run("create", "rolebinding", "bot-view", "--clusterrole=view",
                                    "--serviceaccount=imp:bot", "-n", "imp").succeeded)
        let bot = "--as=system:serviceaccount:imp:bot"
        #expect(trimmed(try await admin.run("auth", "can-i", "list", "pods", "-n", "imp", bot)) == "yes")
        #expect(trimmed(try await admin.run("auth", "can-i", "delete", "pods", "-n", "imp", bot)) == "no")
        #expect(trimmed(try await admin.run("auth", "can-i", "list", "pods", "-n", "default", bot)) == "no")
        let denied = try await admin.run("get", "roles", "-n", "imp", bot)
        #expect(denied.stderr.contains(#"roles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:imp:bot" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "imp""#), "\(denied)")
        let whoami = try await admin.run("auth", "whoami", bot, "-o", "json")
        #expect(whoami.stdout.contains("system:serviceaccounts:imp"), "\(whoami)")

        // can-i --list: the rules RBAC gives the impersonated user.
        let list = try await admin.run("auth", "can-i", "--list", "-n", "imp", bot)
        #expect(list.succeeded, "\(list)")
        #expect(list.stdout.contains("pods "), "\(list)")
        #expect(!list.stdout.contains("*.*"), "the admin's wildcard is not the ServiceAccount's: \(list)")
        #expect(try await admin.run("auth", "can-i", "--list").stdout.contains("*.*"))

        // Groups are impersonated too.
        #expect(trimmed(try await admin.run("auth", "can-i", "get", "nodes", "--as=nobody", "--as-group=system:masters")) == "yes")
    }

    @Test("a user without the impersonate verb is refused with 403; granting it allows it")
    func impersonateNeedsPermission() async throws {
        let sim = try await Self.shared.get()
        let admin = Kubectl(kubeconfig: sim.kubeconfigPath)
        let carol = Kubectl(kubeconfig: try sim.kubeconfig(user: "carol"))
        // `--raw`: no discovery first (kubectl cannot read a 403 to its discovery request, and says "unknown").
        var result = try await carol.run("get", "--raw", "/api/v1/namespaces/default/pods", "--as=dave")
        #expect(!result.succeeded)
        #expect(result.stderr.contains(#"users "dave" is forbidden: User "carol" cannot impersonate resource "users" in API group "" at the cluster scope"#),
                "\(result)")
        #expect(try await admin.run("create", "clusterrole", "impersonate-dave", "--verb=impersonate", "--resource=users",
                                    "--resource-name=dave").succeeded)
        #expect(try await admin.run("create", "clusterrolebinding", "carol-as-dave", "--clusterrole=impersonate-dave",
                                    "--user=carol").succeeded)
        result = try await carol.run("auth", "whoami", "--as=dave")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("dave"), "\(result)")
        result = try await carol.run("get", "--raw", "/api/v1/namespaces/default/pods", "--as=erin")
        #expect(result.stderr.contains(#"users "erin" is forbidden: User "carol" cannot impersonate resource "users""#), "\(result)")
        // A group without a user is a bad request.
        result = try await carol.run("get", "pods", "--as-group=devs")
        #expect(!result.succeeded, "\(result)")
    }
}
