import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Services get Endpoints and EndpointSlices that follow pod readiness.
@Suite("Workloads: Services, Endpoints and EndpointSlices")
struct WorkloadServiceTests {
    @Test("Endpoints list ready pods as addresses and unready ones as notReadyAddresses, and follow scaling")
    func endpointsFollowReadiness() async throws {
        let ns = try await WorkloadCluster.namespace("endpoints")
        let client = try await WorkloadCluster.client()
        _ = try await client.create(.services, Manifests.service("web", namespace: ns, selector: ["tier": "web"]), namespace: ns)
        var ready = Manifests.deployment("ready", namespace: ns, replicas: 2)
        ready[path: ["spec", "template", "metadata", "labels", "tier"]] = "web"
        var unready = Manifests.deployment("unready", namespace: ns, replicas: 1, image: "registry.example/shop:3.0-notready")
        unready[path: ["spec", "template", "metadata", "labels", "tier"]] = "web"
        _ = try await client.create(.deployments, ready, namespace: ns)
        _ = try await client.create(.deployments, unready, namespace: ns)

        let endpoints = try await waitFor("2 ready and 1 unready address") { () -> JSONValue? in
            guard let endpoints = try? await client.get(.endpoints, name: "web", namespace: ns) else { return nil }
            let subset = endpoints["subsets"][0]
            let complete = subset["addresses"].arrayValue?.count == 2 && subset["notReadyAddresses"].arrayValue?.count == 1
            // Not `? endpoints : nil`: JSONValue takes a nil literal as JSON null.
            return complete ? Optional(endpoints) : .none
        }
        let subset = endpoints["subsets"][0]
        #expect(subset["ports"][0]["port"].intValue == 8080, "the named target port resolves to the container port: \(endpoints)")
        #expect(subset["ports"][0]["name"].stringValue == "web")
        let pods = try await client.items(.pods, namespace: ns)
        let readyIPs = Set(pods.filter { $0.condition("Ready")?["status"].stringValue == "True" }
            .compactMap { $0["status"]["podIP"].stringValue })
        #expect(Set((subset["addresses"].arrayValue ?? []).compactMap { $0["ip"].stringValue }) == readyIPs)
        #expect(subset["addresses"][0]["targetRef"]["kind"].stringValue == "Pod")
        #expect(subset["addresses"][0]["nodeName"].stringValue?.hasPrefix("sim-node-") == true)

        let slice = try await waitFor("an EndpointSlice with 3 endpoints") { () -> JSONValue? in
            let slices = try await client.items(GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices"),
                                                namespace: ns, labelSelector: "kubernetes.io/service-name=web")
            return slices.first { ($0["endpoints"].arrayValue?.count ?? 0) == 3 }
        }
        #expect(slice["addressType"].stringValue == "IPv4")
        #expect(slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"].stringValue == "endpointslice-controller.k8s.io")
        #expect(slice["metadata"]["ownerReferences"][0]["kind"].stringValue == "Service")
        let readyFlags = (slice["endpoints"].arrayValue ?? []).compactMap { $0["conditions"]["ready"].boolValue }
        #expect(readyFlags.filter { $0 }.count == 2 && readyFlags.filter { !$0 }.count == 1)

        // Scaling the ready Deployment down leaves one address.
        _ = try await client.scale(.deployments, name: "ready", namespace: ns, replicas: 1)
        try await waitFor("one ready address") { () -> Bool? in
            let endpoints = try await client.get(.endpoints, name: "web", namespace: ns)
            return endpoints["subsets"][0]["addresses"].arrayValue?.count == 1 ? true : nil
        }
        let result = try await WorkloadCluster.kubectl().run("get", "endpoints", "web", "-n", ns)
        #expect(result.succeeded && result.stdout.contains(":8080"), "\(result)")

        // Deleting the Service removes its Endpoints and, by owner reference, its slices.
        _ = try await client.delete(.services, name: "web", namespace: ns)
        try await waitFor("Endpoints and slices gone") { () -> Bool? in
            let slices = try await client.items(GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices"),
                                                namespace: ns)
            let endpoints = try await client.items(.endpoints, namespace: ns)
            return slices.isEmpty && endpoints.isEmpty ? true : nil
        }
    }

    @Test("a Service without a selector keeps the Endpoints written by hand")
    func manualEndpoints() async throws {
        let ns = try await WorkloadCluster.namespace("manual")
        let client = try await WorkloadCluster.client()
        var service = Manifests.service("external", namespace: ns, selector: [:], targetPort: 5432)
        service[path: ["spec", "selector"]] = .null
        _ = try await client.create(.services, service, namespace: ns)
        let manual: JSONValue = [
            "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "external", "namespace": .string(ns)],
            "subsets": [["addresses": [["ip": "192.0.2.10"]], "ports": [["name": "web", "port": 5432]]]],
        ]
        _ = try await client.create(.endpoints, manual, namespace: ns)
        // A pod change in the namespace gives the controller every chance to interfere.
        _ = try await client.create(.deployments, Manifests.deployment("noise", namespace: ns, replicas: 1), namespace: ns)
        try await waitFor("the noise pod ready") { () -> Bool? in
            try await client.items(.pods, namespace: ns).first?.condition("Ready")?["status"].stringValue == "True" ? true : nil
        }
        let endpoints = try await client.get(.endpoints, name: "external", namespace: ns)
        #expect(endpoints["subsets"][0]["addresses"][0]["ip"].stringValue == "192.0.2.10")
    }
}
