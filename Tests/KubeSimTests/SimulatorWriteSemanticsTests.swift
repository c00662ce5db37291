import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Write, delete and list details a controller or client depends on, over HTTPS with the
/// project's own client: deletion with finalizers, no-op writes, status on create, the
/// watch URL forms, field selectors a server evaluates, the scale selector and CRD names.
@Suite("Simulator write semantics")
struct SimulatorWriteSemanticsTests {
    static let gadgets = GroupVersionResource(group: "example.com", version: "v1", resource: "gadgets")
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")

    static let crd: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "gadgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "gadgets", "singular": "gadget", "kind": "Gadget"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "selectableFields": [["jsonPath": ".spec.color"]],
                "subresources": [
                    "status": [:],
                    "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                              "labelSelectorPath": ".status.selector"],
                ],
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "spec": ["type": "object", "properties": ["color": ["type": "string"], "replicas": ["type": "integer"]]],
                        "status": ["type": "object", "properties": ["replicas": ["type": "integer"], "selector": ["type": "string"]]],
                    ],
                ]],
            ]],
        ],
    ]

    static let shared = SharedSimulator { sim in
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        _ = try await client.create(crds, crd)
        let established = await eventually {
            let current = try? await client.get(crds, name: "gadgets.example.com")
            return current?["status"]["conditions"].arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        guard established else { throw SetupFailure(description: "the Gadget CRD never became Established") }
    }

    func client() async throws -> KubernetesClient {
        let sim = try await Self.shared.get()
        return KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
    }

    func gadget(_ name: String, color: String = "red", extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: JSONValue = ["apiVersion": "example.com/v1", "kind": "Gadget", "metadata": ["name": .string(name)],
                                 "spec": ["color": .string(color), "replicas": 1]]
        for (key, value) in extra { object[key] = value }
        return object
    }

    /// The events a watch from `resourceVersion` delivers within `seconds`.
    func events(_ client: KubernetesClient, _ resource: GroupVersionResource, from resourceVersion: String,
                seconds: Int = 1) async throws -> [KubeClient.WatchEvent] {
        let stream = try await client.watch(resource, namespace: "default",
                                            options: WatchOptions(resourceVersion: resourceVersion, timeoutSeconds: seconds))
        var events: [KubeClient.WatchEvent] = []
        for try await event in stream { events.append(event) }
        return events
    }

    @Test("deleting an object with a finalizer marks it: deletionTimestamp, grace 0, generation + 1, a MODIFIED event; removing the finalizer deletes it")
    func deleteWithFinalizer() async throws {
        let client = try await client()
        let created = try await client.create(Self.gadgets, gadget("held", extra: ["metadata": ["name": "held", "finalizers": ["example.com/hold"]]]),
                                              namespace: "default")
        let start = try #require(created["metadata"]["resourceVersion"].stringValue)
        #expect(created["metadata"]["generation"] == 1)
        let response = try await client.request("DELETE", "/apis/example.com/v1/namespaces/default/gadgets/held")
        #expect(response.status == 200)
        let marked = try JSONValue(parsing: response.body)
        #expect(marked["kind"] == "Gadget", "the answer is the object, not a Status")
        #expect(!marked["metadata"]["deletionTimestamp"].isNull)
        #expect(marked["metadata"]["deletionGracePeriodSeconds"] == 0)
        #expect(marked["metadata"]["generation"] == 2)

        var current = try await client.get(Self.gadgets, name: "held", namespace: "default")
        current[path: ["metadata", "finalizers"]] = .null
        _ = try await client.update(Self.gadgets, current, namespace: "default")
        let seen = try await events(client, Self.gadgets, from: start)
        let kinds = seen.compactMap { event -> String? in
            switch event {
            case .modified(let o) where o["metadata"]["name"] == "held": return "MODIFIED"
            case .deleted(let o) where o["metadata"]["name"] == "held": return "DELETED"
            default: return nil
            }
        }
        #expect(kinds == ["MODIFIED", "DELETED"], "\(seen)")
        #expect((try? await client.get(Self.gadgets, name: "held", namespace: "default")) == nil)
    }

    @Test("create drops .status when the status subresource is on; a no-op PUT or PATCH bumps no resourceVersion and sends no event")
    func statusOnCreateAndNoOpWrites() async throws {
        let client = try await client()
        let created = try await client.create(Self.gadgets, gadget("steady", extra: ["status": ["replicas": 7]]), namespace: "default")
        #expect(created["status"].isNull || created["status"]["replicas"].isNull, "\(created)")
        let version = try #require(created["metadata"]["resourceVersion"].stringValue)

        let put = try await client.update(Self.gadgets, created, namespace: "default")
        #expect(put["metadata"]["resourceVersion"].stringValue == version)
        let patched = try await client.patch(Self.gadgets, name: "steady", namespace: "default", type: .merge,
                                             body: ["spec": ["color": "red"]])
        #expect(patched["metadata"]["resourceVersion"].stringValue == version)
        let seen = try await events(client, Self.gadgets, from: version)
        #expect(!seen.contains { $0.object?["metadata"]["name"] == "steady" }, "\(seen)")
    }

    @Test("watches are served at ?watch=1, ?watch=true and the deprecated /watch/ paths")
    func watchURLForms() async throws {
        let client = try await client()
        let created = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                                "metadata": ["name": "watched-forms"], "data": ["k": "v"]],
                                              namespace: "default")
        let before = String((created["metadata"]["resourceVersion"].stringValue.flatMap(UInt64.init) ?? 1) - 1)
        let forms: [(String, [(String, String)])] = [
            ("/api/v1/namespaces/default/configmaps", [("watch", "1")]),
            ("/api/v1/namespaces/default/configmaps", [("watch", "true")]),
            ("/api/v1/watch/namespaces/default/configmaps", []),
        ]
        for (path, query) in forms {
            let response = try await client.request("GET", path, query: query + [("resourceVersion", before), ("timeoutSeconds", "1")])
            let lines = response.bodyText.split(separator: "\n")
            let first = try JSONValue(parsing: String(lines.first ?? ""))
            #expect(first["type"] == "ADDED" && first["object"]["metadata"]["name"] == "watched-forms", "\(path) \(query): \(response.bodyText)")
        }
    }

    @Test("field selectors the server evaluates: a CRD's selectableFields, and pod fields such as status.phase")
    func serverSideFieldSelectors() async throws {
        let client = try await client()
        _ = try await client.create(Self.gadgets, gadget("blue-one", color: "blue"), namespace: "default")
        _ = try await client.create(Self.gadgets, gadget("red-one", color: "red"), namespace: "default")
        var options = ListOptions()
        options.fieldSelector = "spec.color=blue"
        let blue = try await client.list(Self.gadgets, namespace: "default", options: options)
        #expect(blue.items.compactMap { $0["metadata"]["name"].stringValue } == ["blue-one"])
        options.fieldSelector = "spec.replicas=1"
        do {
            _ = try await client.list(Self.gadgets, namespace: "default", options: options)
            Issue.record("a field that is not selectable was accepted")
        } catch let error as KubeError {
            #expect(error.httpCode == 400, "\(error)")
        }
        _ = try await client.create(Self.pods, ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "phase-pod"],
                                                "spec": ["containers": [["name": "c", "image": "busybox:1.36"]]]],
                                    namespace: "default")
        var pods = ListOptions()
        pods.fieldSelector = "status.phase!=Failed,metadata.name=phase-pod"
        #expect(try await client.list(Self.pods, namespace: "default", options: pods).items.count == 1)
        pods.fieldSelector = "status.phase=Failed,metadata.name=phase-pod"
        #expect(try await client.list(Self.pods, namespace: "default", options: pods).items.isEmpty)
    }

    @Test("the scale subresource reports status.selector from labelSelectorPath; the CRD reports its accepted names")
    func scaleSelectorAndAcceptedNames() async throws {
        let client = try await client()
        _ = try await client.create(Self.gadgets, gadget("scaled"), namespace: "default")
        var current = try await client.get(Self.gadgets, name: "scaled", namespace: "default")
        current["status"] = ["replicas": 1, "selector": "app=scaled"]
        _ = try await client.updateStatus(Self.gadgets, current, namespace: "default")
        let scale = try await client.getScale(Self.gadgets, name: "scaled", namespace: "default")
        #expect(scale["kind"] == "Scale" && scale["apiVersion"] == "autoscaling/v1")
        #expect(scale["status"]["selector"] == "app=scaled")
        #expect(scale["status"]["replicas"] == 1 && scale["spec"]["replicas"] == 1)

        let crd = try await client.get(Self.crds, name: "gadgets.example.com")
        let names = crd["status"]["conditions"].arrayValue?.first { $0["type"] == "NamesAccepted" }
        #expect(names?["status"] == "True" && names?["reason"] == "NoConflicts", "\(crd["status"])")
        #expect(crd["status"]["acceptedNames"]["kind"] == "Gadget" && crd["status"]["acceptedNames"]["listKind"] == "GadgetList")
    }

    @Test("fieldValidation=Ignore drops unknown fields without a warning; Warn warns")
    func fieldValidationIgnore() async throws {
        let client = try await client()
        var object = gadget("ignored")
        object["spec"]["bogus"] = true
        let ignored = try await client.request("POST", "/apis/example.com/v1/namespaces/default/gadgets",
                                               query: [("fieldValidation", "Ignore")], body: object)
        #expect(ignored.status == 201)
        #expect(ignored.headers["Warning"] == nil, "\(ignored.headers)")
        #expect(try JSONValue(parsing: ignored.body)["spec"]["bogus"].isNull)
        object["metadata"]["name"] = "warned"
        let warned = try await client.request("POST", "/apis/example.com/v1/namespaces/default/gadgets",
                                              query: [("fieldValidation", "Warn")], body: object)
        #expect(warned.headers["Warning"] == #"299 - "unknown field \"spec.bogus\"""#, "\(warned.headers)")
    }
}

extension SimulatorWriteSemanticsTests {
    @Test("a key repeated in a JSON body is a strict decoding error under Strict, a warning under Warn (the last value kept)")
    func duplicateKeys() async throws {
        let client = try await client()
        /// Sent with curl as raw bytes: a JSONValue cannot hold a repeated key.
        func post(_ validation: String, _ name: String) async throws -> (status: Int, headers: String, body: String) {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"a":"1","a":"2"}},"data":{"k":"x","k":"y"}}"#
                .replacingOccurrences(of: "NAME", with: name)
            let sim = try await Self.shared.get()
            let result = try await CommandRunner.run("/usr/bin/curl", [
                "-s", "-k", "-X", "POST", "-H", "Content-Type: application/json", "-H", "Authorization: Bearer \(sim.adminToken)",
                "-D", "-", "--data-binary", body,
                "\(sim.url)/api/v1/namespaces/default/configmaps?fieldValidation=\(validation)",
            ])
            let text = result.stdout
            let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
            guard let headerEnd = text.range(of: "\r\n\r\n") else { return (status, text, "") }
            return (status, String(text[..<headerEnd.lowerBound]), String(text[headerEnd.upperBound...]))
        }
        let strict = try await post("Strict", "dupes-strict")
        #expect(strict.status == 400)
        #expect(strict.body.contains(#"ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"metadata.labels.a\", duplicate field \"data.k\""#), "\(strict.body)")
        let warned = try await post("Warn", "dupes-warn")
        #expect(warned.status == 201, "\(warned.body)")
        #expect(warned.headers.contains(#"Warning: 299 - "duplicate field \"data.k\"""#), "\(warned.headers)")
        let stored = try await client.get(Self.configMaps, name: "dupes-warn", namespace: "default")
        #expect(stored["data"]["k"] == "y" && stored["metadata"]["labels"]["a"] == "2")
    }
}
