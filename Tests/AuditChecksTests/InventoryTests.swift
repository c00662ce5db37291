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
