import Foundation
import KubeClient
import Testing
@testable import KubeSim

private typealias C = EventsCluster

/// events.k8s.io/v1 in discovery, OpenAPI and kubectl, with the simulator's own recorder.
@Suite("events.k8s.io/v1 through kubectl")
struct EventsKubectlTests {
    @Test("discovery lists events.k8s.io/v1 events with kube-apiserver 1.32's verbs; OpenAPI v3 serves the group version")
    func discovery() async throws {
        let client = try await C.client()
        let list = try JSONValue(parsing: try await client.request("GET", "/apis/events.k8s.io/v1").body)
        let events = try #require(list["resources"].arrayValue?.first { $0["name"] == "events" })
        #expect(events["kind"] == "Event")
        #expect(events["namespaced"] == true)
        #expect(events["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        let core = try JSONValue(parsing: try await client.request("GET", "/api/v1").body)
        let coreEvents = try #require(core["resources"].arrayValue?.first { $0["name"] == "events" })
        #expect(events["storageVersionHash"] == coreEvents["storageVersionHash"], "both are stored as core v1 Events")
        let groups = try JSONValue(parsing: try await client.request("GET", "/apis").body)
        let group = try #require(groups["groups"].arrayValue?.first { $0["name"] == "events.k8s.io" })
        #expect(group["preferredVersion"]["groupVersion"] == "events.k8s.io/v1")
        let openAPI = try JSONValue(parsing: try await client.request("GET", "/openapi/v3").body)
        #expect(!openAPI["paths"]["apis/events.k8s.io/v1"].isNull)

        let kubectl = try await C.kubectl()
        let resources = try await kubectl.run("api-resources", "--api-group=events.k8s.io", "--no-headers")
        let line = resources.stdout.split(separator: "\n").first { $0.hasPrefix("events ") }
        #expect(line?.split(separator: " ", omittingEmptySubsequences: true) == ["events", "ev", "events.k8s.io/v1", "true", "Event"],
                "\(resources)")
    }

    @Test("kubectl get events and kubectl get events.events.k8s.io both show Events written through either API")
    func kubectlGetShowsBoth() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        _ = try await client.create(C.eventsV1, C.newEvent("scaled", namespace: ns), namespace: ns)
        _ = try await client.create(C.core, C.legacyEvent("backoff", namespace: ns, pod: "db-0"), namespace: ns)
        let kubectl = try await C.kubectl()
        for resource in ["events", "events.events.k8s.io"] {
            let table = try await kubectl.run("get", resource, "-n", ns)
            #expect(table.succeeded, "\(table)")
            let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(rows.first?.prefix(4) == ["LAST", "SEEN", "TYPE", "REASON"], "\(resource): \(table)")
            let scaled = rows.first { $0.contains("ScaledUp") }
            #expect(scaled?.contains("pod/web-0") == true, "\(resource): \(table)")
            #expect(table.stdout.contains("scaled up to 3 replicas"), "\(resource): \(table)")
            let backoff = rows.first { $0.contains("BackOff") }
            #expect(backoff?.contains("pod/db-0") == true, "\(resource): \(table)")
        }
        let yaml = try await kubectl.run("get", "events.events.k8s.io", "backoff", "-n", ns, "-o", "yaml")
        #expect(yaml.stdout.contains("apiVersion: events.k8s.io/v1"), "\(yaml)")
        #expect(yaml.stdout.contains("note: Back-off restarting failed container"), "\(yaml)")
        #expect(yaml.stdout.contains("deprecatedCount: 4"), "\(yaml)")
        let selected = try await kubectl.run("get", "events.events.k8s.io", "-n", ns, "--field-selector", "regarding.name=db-0",
                                             "-o", "name")
        #expect(selected.stdout.split(separator: "\n") == ["event.events.k8s.io/backoff"], "\(selected)")
        let deleted = try await kubectl.run("delete", "events.events.k8s.io", "scaled", "-n", ns)
        #expect(deleted.succeeded, "\(deleted)")
        let left = try await kubectl.run("get", "events", "-n", ns, "-o", "name")
        #expect(left.stdout.split(separator: "\n") == ["event/backoff"], "\(left)")
    }

    @Test("the simulator's event recorder (core/v1) shows through both APIs and kubectl")
    func recorderEventsThroughBothAPIs() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        _ = try await client.create(.pods, ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "recorded"],
                                            "spec": ["containers": [["name": "c", "image": "nginx:1.27"]]]], namespace: ns)
        let selector = ListOptions(fieldSelector: "involvedObject.name=recorded")
        let recorded = try await waitFor("the kubelet records Started") {
            let items = try await client.list(C.core, namespace: ns, options: selector).items
            return items.contains { $0["reason"] == "Started" } ? items : nil
        }
        let viewed = try await client.list(C.eventsV1, namespace: ns, options: ListOptions(fieldSelector: "regarding.name=recorded"))
        #expect(Set(viewed.items.compactMap { $0["metadata"]["name"].stringValue })
            .isSuperset(of: recorded.compactMap { $0["metadata"]["name"].stringValue }))
        let started = try #require(viewed.items.first { $0["reason"] == "Started" })
        #expect(started["deprecatedSource"]["component"] == "kubelet")
        #expect(started["reportingController"] == "kubelet")
        #expect(started["regarding"]["kind"] == "Pod")

        let kubectl = try await C.kubectl()
        for resource in ["events", "events.events.k8s.io"] {
            let table = try await kubectl.run("get", resource, "-n", ns)
            #expect(table.stdout.split(separator: "\n").contains { $0.contains("Started") && $0.contains("pod/recorded") },
                    "\(resource): \(table)")
        }
    }

    @Test("kubectl apply (client side and server side) writes events.k8s.io Events that core/v1 reads")
    func kubectlApply() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        let kubectl = try await C.kubectl()
        let clientSide = try await kubectl.run(["apply", "-f", "-"],
                                               input: C.newEvent("applied", namespace: ns).serialized(pretty: true))
        #expect(clientSide.succeeded, "\(clientSide)")
        let serverSide = try await kubectl.run(["apply", "--server-side", "-f", "-"],
                                               input: C.newEvent("server-applied", namespace: ns, pod: "api-1").serialized(pretty: true))
        #expect(serverSide.succeeded, "\(serverSide)")
        let applied = try await client.get(C.core, name: "applied", namespace: ns)
        #expect(applied["message"] == "scaled up to 3 replicas")
        #expect(applied["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].stringValue?
            .contains("\"note\"") == true, "the last applied configuration is the events.k8s.io object")
        let serverApplied = try await client.get(C.core, name: "server-applied", namespace: ns)
        #expect(serverApplied["involvedObject"]["name"] == "api-1")
        #expect(serverApplied["metadata"]["managedFields"][0]["manager"] == "kubectl")
        // Applying a changed note again is an update through events.k8s.io/v1: refused, as kube refuses it.
        let changed = try await kubectl.run(["apply", "--server-side", "-f", "-"], input: C.newEvent(
            "server-applied", namespace: ns, pod: "api-1", ["note": "rewritten"]).serialized(pretty: true))
        #expect(!changed.succeeded)
        #expect(changed.stderr.contains("message: Invalid value: \"rewritten\": field is immutable"), "\(changed)")
    }
}
