import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// What kube-apiserver's strategies and validation do to built-in kinds on write: the status a
/// Go struct always serializes, and the fields that may not change once set (422 with kube's texts).
@Suite("Built-in update rules")
struct BuiltinUpdateRulesTests {
    static let shared = SharedSimulator(.init(port: 0, tls: true, workloads: nil))

    static func gvr(_ group: String, _ version: String, _ resource: String) -> GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: resource)
    }
    static let services = gvr("", "v1", "services")
    static let configMaps = gvr("", "v1", "configmaps")
    static let secrets = gvr("", "v1", "secrets")
    static let deployments = gvr("apps", "v1", "deployments")
    static let replicaSets = gvr("apps", "v1", "replicasets")
    static let jobs = gvr("batch", "v1", "jobs")
    static let pvcs = gvr("", "v1", "persistentvolumeclaims")
    static let pods = gvr("", "v1", "pods")

    func setUp() async throws -> (KubernetesClient, String) {
        let sim = try await Self.shared.get()
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        let ns = "rules-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(Self.gvr("", "v1", "namespaces"),
                                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        return (client, ns)
    }

    /// Expects a 422 whose message is exactly `message` (or starts with it when `prefix`).
    func expectInvalid(_ message: String, prefix: Bool = false, field: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("the write was accepted", sourceLocation: sourceLocation)
        } catch let error as KubeError {
            #expect(error.httpCode == 422, "\(error)", sourceLocation: sourceLocation)
            let text = error.status?.message ?? ""
            #expect(prefix ? text.hasPrefix(message) : text == message, "\(text)", sourceLocation: sourceLocation)
            if let field {
                #expect(error.status?.details?.causes?.first?.field == field, sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    static let template: JSONValue = ["metadata": ["labels": ["app": "web"]],
                                      "spec": ["containers": [["name": "c", "image": "nginx:1.27"]]]]

    @Test("status is serialized for kinds whose Go status is not a pointer, from create on")
    func statusAlwaysSerialized() async throws {
        let (client, ns) = try await setUp()
        let deployment = try await client.create(Self.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
            "spec": ["selector": ["matchLabels": ["app": "web"]], "template": Self.template]], namespace: ns)
        #expect(deployment["status"] == .emptyObject, "\(deployment["status"])")
        let service = try await client.create(Self.services, [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
            "spec": ["selector": ["app": "web"], "ports": [["port": 80]]]], namespace: ns)
        #expect(service["status"] == ["loadBalancer": .emptyObject], "\(service["status"])")
        let replicaSet = try await client.create(Self.replicaSets, [
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "web"],
            "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "web"]], "template": Self.template]], namespace: ns)
        #expect(replicaSet["status"] == ["replicas": 0], "\(replicaSet["status"])")
        let read = try await client.get(Self.deployments, name: "web", namespace: ns)
        #expect(read["status"] == .emptyObject)
        // A status write that empties it still reads back the zero values.
        var emptied = try await client.get(Self.services, name: "web", namespace: ns)
        emptied["status"] = .emptyObject
        let written = try await client.updateStatus(Self.services, emptied, namespace: ns)
        #expect(written["status"] == ["loadBalancer": .emptyObject])
    }

    @Test("a Service's clusterIP may not change once set")
    func serviceClusterIP() async throws {
        let (client, ns) = try await setUp()
        let created = try await client.create(Self.services, [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
            "spec": ["selector": ["app": "web"], "ports": [["port": 80]]]], namespace: ns)
        var changed = created
        changed[path: ["spec", "clusterIP"]] = "10.96.200.200"
        await expectInvalid(#"Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.200.200"}: may not change once set"#,
                            field: "spec.clusterIPs[0]") {
            _ = try await client.update(Self.services, changed, namespace: ns)
        }
        // Leaving it out keeps the allocated one (a client that never read it).
        var unset = created
        unset[path: ["spec", "clusterIP"]] = nil
        unset[path: ["spec", "clusterIPs"]] = nil
        unset[path: ["metadata", "labels"]] = ["tier": "front"]
        let kept = try await client.update(Self.services, unset, namespace: ns)
        #expect(kept["spec"]["clusterIP"] == created["spec"]["clusterIP"])
        #expect(kept["spec"]["clusterIPs"] == created["spec"]["clusterIPs"])
    }

    @Test("an immutable ConfigMap or Secret keeps its data and its flag")
    func immutableConfigMapAndSecret() async throws {
        let (client, ns) = try await setUp()
        _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "frozen"],
                                                      "data": ["k": "v"], "immutable": true], namespace: ns)
        await expectInvalid("ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set",
                            field: "data") {
            _ = try await client.patch(Self.configMaps, name: "frozen", namespace: ns, type: .merge, body: ["data": ["k": "w"]])
        }
        await expectInvalid("ConfigMap \"frozen\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set",
                            field: "immutable") {
            _ = try await client.patch(Self.configMaps, name: "frozen", namespace: ns, type: .merge, body: ["immutable": false])
        }
        // Metadata still changes.
        let labelled = try await client.patch(Self.configMaps, name: "frozen", namespace: ns, type: .merge,
                                              body: ["metadata": ["labels": ["a": "b"]]])
        #expect(labelled["metadata"]["labels"]["a"] == "b")

        _ = try await client.create(Self.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "frozen"],
                                                   "data": ["k": "dg=="], "immutable": true], namespace: ns)
        await expectInvalid("Secret \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set") {
            _ = try await client.patch(Self.secrets, name: "frozen", namespace: ns, type: .merge, body: ["data": ["k": "dw=="]])
        }
    }

    @Test("an apps/v1 Deployment's selector and a Job's selector and template are immutable")
    func workloadSelectors() async throws {
        let (client, ns) = try await setUp()
        let deployment = try await client.create(Self.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
            "spec": ["selector": ["matchLabels": ["app": "web"]], "template": Self.template]], namespace: ns)
        var moved = deployment
        moved[path: ["spec", "selector"]] = ["matchLabels": ["app": "web", "track": "canary"]]
        moved[path: ["spec", "template", "metadata", "labels", "track"]] = "canary"
        await expectInvalid(#"Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "track":"canary"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#,
                            field: "spec.selector") {
            _ = try await client.update(Self.deployments, moved, namespace: ns)
        }

        let job = try await client.create(Self.jobs, [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "once"],
            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]]],
                                          namespace: ns)
        var retemplated = job
        retemplated[path: ["spec", "template", "spec", "containers"]] = [["name": "c", "image": "busybox:1.37"]]
        await expectInvalid(#"Job.batch "once" is invalid: spec.template: Invalid value: "#, prefix: true, field: "spec.template") {
            _ = try await client.update(Self.jobs, retemplated, namespace: ns)
        }
        var reselected = job
        reselected[path: ["spec", "selector", "matchLabels", "extra"]] = "x"
        await expectInvalid(#"Job.batch "once" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"#,
                            prefix: true, field: "spec.selector") {
            _ = try await client.update(Self.jobs, reselected, namespace: ns)
        }
        // What may change does.
        let suspended = try await client.patch(Self.jobs, name: "once", namespace: ns, type: .merge, body: ["spec": ["suspend": true]])
        #expect(suspended["spec"]["suspend"] == true)
    }

    @Test("a PVC's spec is immutable but for its resources; a Pod's spec but for images and the fields kube allows")
    func pvcAndPodSpecs() async throws {
        let (client, ns) = try await setUp()
        _ = try await client.create(Self.pvcs, [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data"],
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]]], namespace: ns)
        await expectInvalid(#"PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"#,
                            prefix: true, field: "spec") {
            _ = try await client.patch(Self.pvcs, name: "data", namespace: ns, type: .merge,
                                       body: ["spec": ["accessModes": ["ReadWriteMany"]]])
        }
        let grown = try await client.patch(Self.pvcs, name: "data", namespace: ns, type: .merge,
                                           body: ["spec": ["resources": ["requests": ["storage": "2Gi"]]]])
        #expect(grown["spec"]["resources"]["requests"]["storage"] == "2Gi")

        _ = try await client.create(Self.pods, [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
            "spec": ["containers": [["name": "c", "image": "nginx:1.27", "ports": [["containerPort": 80]]]]]], namespace: ns)
        let reimaged = try await client.patch(Self.pods, name: "p", namespace: ns, type: .strategic,
                                              body: ["spec": ["containers": [["name": "c", "image": "nginx:1.28"]],
                                                              "activeDeadlineSeconds": 600,
                                                              "tolerations": [["key": "k", "operator": "Exists"]]]])
        #expect(reimaged["spec"]["containers"][0]["image"] == "nginx:1.28")
        await expectInvalid("Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n",
                            prefix: true, field: "spec") {
            _ = try await client.patch(Self.pods, name: "p", namespace: ns, type: .strategic,
                                       body: ["spec": ["containers": [["name": "c", "ports": [["containerPort": 8080]]]]]])
        }
        await expectInvalid("Pod \"p\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers",
                            field: "spec.containers") {
            _ = try await client.patch(Self.pods, name: "p", namespace: ns, type: .strategic,
                                       body: ["spec": ["containers": [["name": "sidecar", "image": "busybox"]]]])
        }
    }
}
