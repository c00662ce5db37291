import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// `dryRun=All` as kube-apiserver runs it: every stage up to storage, then nothing stored,
/// no resourceVersion spent, no watch event.
@Suite("Dry run")
struct DryRunTests {
    static let shared = SharedSimulator(.init(port: 0, tls: true, workloads: nil))
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let dry = WriteOptions(dryRun: true)

    func client() async throws -> (Simulator, KubernetesClient) {
        let sim = try await Self.shared.get()
        return (sim, KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath)))
    }

    func namespace(_ client: KubernetesClient) async throws -> String {
        let name = "dry-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(GroupVersionResource(group: "", version: "v1", resource: "namespaces"),
                                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }

    @Test("a dry-run create answers 201 with uid and creationTimestamp but no resourceVersion, and stores nothing")
    func create() async throws {
        let (_, client) = try await client()
        let ns = try await namespace(client)
        let response = try await client.request("POST", Self.configMaps.path(namespace: ns), query: [("dryRun", "All")],
                                                body: ["apiVersion": "v1", "kind": "ConfigMap",
                                                       "metadata": ["generateName": "preview-"], "data": ["a": "b"]])
        #expect(response.status == 201)
        let object = try JSONValue(parsing: response.body)
        #expect(object["metadata"]["resourceVersion"].isNull, "\(object)")
        #expect(object["metadata"]["uid"].stringValue?.isEmpty == false)
        #expect(object["metadata"]["creationTimestamp"].stringValue?.isEmpty == false)
        #expect(object["metadata"]["name"].stringValue?.hasPrefix("preview-") == true)
        let listed = try await client.list(Self.configMaps, namespace: ns)
        #expect(listed.items.filter { $0["metadata"]["name"].stringValue != "kube-root-ca.crt" }.isEmpty)
    }

    @Test("validation and conflicts still run: an invalid object is 422, an existing name 409")
    func validationRuns() async throws {
        let (_, client) = try await client()
        let ns = try await namespace(client)
        await #expect {
            _ = try await client.create(Self.deployments, ["apiVersion": "apps/v1", "kind": "Deployment",
                                                           "metadata": ["name": "Bad_Name"], "spec": [:]],
                                        namespace: ns, options: Self.dry)
        } throws: { ($0 as? KubeError)?.httpCode == 422 }
        _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "taken"]],
                                    namespace: ns)
        await #expect {
            _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "taken"]],
                                        namespace: ns, options: Self.dry)
        } throws: { ($0 as? KubeError)?.httpCode == 409 }
    }

    @Test("dry-run update, patch and delete answer what would be, keep the resourceVersion, and send no watch event")
    func writesLeaveNoTrace() async throws {
        let (_, client) = try await client()
        let ns = try await namespace(client)
        let created = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                                "metadata": ["name": "kept"], "data": ["k": "v"]],
                                              namespace: ns)
        let rv = try #require(created["metadata"]["resourceVersion"].stringValue)
        let watch = try await client.watch(Self.configMaps, namespace: ns, options: WatchOptions(resourceVersion: rv, timeoutSeconds: 10))

        var changed = created
        changed["data"] = ["k": "updated"]
        let updated = try await client.update(Self.configMaps, changed, namespace: ns, options: Self.dry)
        #expect(updated["data"]["k"] == "updated")
        #expect(updated["metadata"]["resourceVersion"] == .string(rv))
        let patched = try await client.patch(Self.configMaps, name: "kept", namespace: ns, type: .merge,
                                             body: ["data": ["k": "patched"]], options: Self.dry)
        #expect(patched["data"]["k"] == "patched")
        #expect(patched["metadata"]["resourceVersion"] == .string(rv))
        let deleted = try await client.delete(Self.configMaps, name: "kept", namespace: ns, options: DeleteOptions(dryRun: true))
        guard case .deleted(let status) = deleted else {
            Issue.record("expected a Status for an immediate dry-run delete, got \(deleted)")
            return
        }
        #expect(status.status == "Success")
        _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "dry-a"]],
                                    namespace: ns, options: Self.dry)
        let stored = try await client.get(Self.configMaps, name: "kept", namespace: ns)
        #expect(stored["data"]["k"] == "v")
        #expect(stored["metadata"]["resourceVersion"] == .string(rv))

        // The first event the watch sees is the real write that follows.
        _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "marker"]],
                                    namespace: ns)
        var first: KubeClient.WatchEvent?
        for try await event in watch {
            first = event
            break
        }
        guard case .added(let object)? = first else {
            Issue.record("expected ADDED marker, got \(String(describing: first))")
            return
        }
        #expect(object["metadata"]["name"] == "marker")
    }
}
