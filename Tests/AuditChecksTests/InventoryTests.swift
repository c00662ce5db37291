import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Inventory and image references")
struct InventoryTests {
    @Test("A mixed object list is sorted into kinds; unknown kinds and foreign VulnerabilityReports are ignored")
    func sortsObjects() {
        let foreign: JSONValue = ["apiVersion": "example.com/v1", "kind": "VulnerabilityReport", "metadata": ["name": "x"]]
        let configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]]
        var inventory = AuditInventory(objects: [
            Fixtures.deployment(), Fixtures.pod(), Fixtures.namespaceObject(), Fixtures.vulnerabilityReport([]), foreign,
        ])
        #expect(inventory.deployments.count == 1)
        #expect(inventory.pods.count == 1)
        #expect(inventory.namespaces.count == 1)
        #expect(inventory.vulnerabilityReports.count == 1)
        #expect(inventory.count == 4)
        #expect(inventory.add(configMap) == false)
    }

    @Test("An object that does not read as its kind is skipped and listed, and the audit goes on")
    func unreadableObjects() throws {
        let broken: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": Fixtures.meta("broken"),
            "spec": ["template": ["spec": ["containers": "not-a-list"]]],
        ]
        let report = try Fixtures.audit([broken, Fixtures.deployment()])
        #expect(report.unreadable.count == 1)
        #expect(report.unreadable.first?.hasPrefix("Deployment shop/broken: ") == true)
        #expect(report.findings.isEmpty)
    }

    @Test("Image references split into registry, repository, tag and digest")
    func imageReferences() {
        let nginx = ImageReference("nginx")
        #expect(nginx.registry == "docker.io" && nginx.repository == "nginx" && nginx.tag == nil && nginx.usesLatest)
        let local = ImageReference("localhost:5000/team/app:2.1")
        #expect(local.registry == "localhost:5000" && local.repository == "team/app" && local.tag == "2.1" && !local.usesLatest)
        let pinned = ImageReference("ghcr.io/acme/app:latest@sha256:abc")
        #expect(pinned.registry == "ghcr.io" && pinned.tag == "latest" && pinned.isDigestPinned && !pinned.usesLatest)
        let hub = ImageReference("acme/app:latest")
        #expect(hub.registry == "docker.io" && hub.repository == "acme/app" && hub.usesLatest)
        let policy = ImagePolicy(allowedRegistries: ["ghcr.io/acme/", "quay.io"])
        #expect(policy.allows(ImageReference("ghcr.io/acme/app:1")))
        #expect(policy.allows(ImageReference("quay.io/x/y:1")))
        #expect(!policy.allows(ImageReference("ghcr.io/acmecorp/app:1")))
        #expect(!policy.allows(ImageReference("nginx:1.25")))
    }
}

/// ``AuditObjects``: kinds handed to the engine as sources, parsed one object at a time.
@Suite("Inventory sources")
struct InventorySourceTests {
    @Test("an inventory of sources audits exactly as the same objects parsed; left-out objects are not audited")
    func sourcesAuditAsParsedObjects() throws {
        let objects = AuditBenchmark.syntheticInventory(pods: 60, namespaces: 4, rbacObjects: 12)
        var parsed = AuditInventory()
        var streamed = AuditInventory()
        let produced = Counter()
        for kind in AuditInventory.supportedKinds {
            let all = Self.objects(of: kind, in: objects)
            for object in all { parsed.add(object) }
            // The last object of each kind stands for one being deleted: the source leaves it out.
            let source = AuditObjects.Source(count: all.count + 1) { index in
                produced.increment()
                // Not a ternary: there `nil` would read as JSON null (JSONValue is nil-literal expressible).
                guard index < all.count else { return nil }
                return all[index]
            }
            let added = streamed.add(source, kind: kind)
            #expect(added)
        }
        let unread = streamed.add(AuditObjects.Source(count: 1) { _ in ["kind": "ConfigMap"] }, kind: "ConfigMap")
        #expect(unread == false, "a kind the audit does not read is refused")
        #expect(produced.value == 0, "nothing is produced before the audit reads it")

        let now = Date()
        let expected = try AuditEngine().audit(parsed, policy: Fixtures.policy, now: now)
        let actual = try AuditEngine().audit(streamed, policy: Fixtures.policy, now: now)
        #expect(expected.findings.count > 50, "the synthetic cluster has findings to compare")
        let differing = Set(actual.findings).symmetricDifference(expected.findings)
        #expect(differing.isEmpty, "findings of one audit only: \(differing.map { "\($0.checkID) \($0.object)" }.sorted())")
        #expect(actual.findings == expected.findings, "the same findings in the same order")
        #expect(actual.objectsAudited == expected.objectsAudited)
        #expect(actual.riskScore == expected.riskScore)
        #expect(produced.value > 0)
    }

    static func objects(of kind: String, in inventory: AuditInventory) -> [JSONValue] {
        let all: [AuditObjects] = [
            inventory.pods, inventory.deployments, inventory.statefulSets, inventory.daemonSets, inventory.replicaSets,
            inventory.jobs, inventory.cronJobs, inventory.namespaces, inventory.services, inventory.ingresses,
            inventory.networkPolicies, inventory.serviceAccounts, inventory.roles, inventory.clusterRoles,
            inventory.roleBindings, inventory.clusterRoleBindings, inventory.vulnerabilityReports,
        ]
        return all.flatMap { Array($0) }.filter { $0["kind"].stringValue == kind }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
