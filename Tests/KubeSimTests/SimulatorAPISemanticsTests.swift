import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// The API semantics clients depend on, checked over HTTPS with the project's own client.
@Suite("Simulator API semantics")
struct SimulatorAPISemanticsTests {
    static let shared = SharedSimulator(.init(port: 0, tls: true, historyCapacity: 200))
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")

    func client() async throws -> (Simulator, KubernetesClient) {
        let sim = try await Self.shared.get()
        return (sim, KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath)))
    }

    func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:],
                   data: [String: String] = ["k": "v"]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": .string(namespace),
                      "labels": .object(labels.mapValues { .string($0) })],
         "data": .object(data.mapValues { .string($0) })]
    }

    @Test("a request without credentials is refused with 401 Unauthorized")
    func unauthenticated() async throws {
        let sim = try await Self.shared.get()
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString.prefix(6)).pem")
        try Data(sim.caPEM.utf8).write(to: ca)
        let result = try await CommandRunner.run("/usr/bin/curl", ["-s", "--cacert", ca.path, "-w", "\n%{http_code}",
                                                                   "\(sim.url)/api/v1/namespaces"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last == "401", "\(result)")
        let status = try JSONValue(parsing: String(lines.first ?? ""))
        #expect(status["reason"] == "Unauthorized")
        #expect(status["code"] == 401)
    }

    @Test("an update with a stale resourceVersion gets 409 Conflict; one with the current version succeeds")
    func staleUpdate() async throws {
        let (_, client) = try await client()
        let created = try await client.create(Self.configMaps, configMap("stale-update"), namespace: "default")
        var first = created
        first["data"] = ["k": "first"]
        let updated = try await client.update(Self.configMaps, first, namespace: "default")
        #expect(updated["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"])
        var stale = created
        stale["data"] = ["k": "second"]
        await #expect {
            _ = try await client.update(Self.configMaps, stale, namespace: "default")
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.isConflict && error.status?.message == "Operation cannot be fulfilled on configmaps \"stale-update\": the object has been modified; please apply your changes to the latest version and try again"
        }
    }

    @Test("a watch from a compacted resourceVersion ends with one ERROR event carrying 410 Expired")
    func expiredWatch() async throws {
        // Its own simulator: compacting the shared one would expire the other tests' continue tokens.
        let sim = try await Simulator.start(.init(port: 0, tls: true))
        defer { Task { await sim.stop() } }
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        let created = try await client.create(Self.configMaps, configMap("old-version"), namespace: "default")
        let old = created["metadata"]["resourceVersion"].stringValue!
        for i in 0..<3 {
            var changed = try await client.get(Self.configMaps, name: "old-version", namespace: "default")
            changed["data"] = ["k": .string("v\(i)")]
            _ = try await client.update(Self.configMaps, changed, namespace: "default")
        }
        sim.store.compact()
        let stream = try await client.watch(Self.configMaps, namespace: "default",
                                            options: WatchOptions(resourceVersion: old, timeoutSeconds: 5))
        var events: [KubeClient.WatchEvent] = []
        for try await event in stream { events.append(event) }
        #expect(events.count == 1)
        guard case .expired(let status)? = events.first else {
            Issue.record("expected an expired event, got \(events)")
            return
        }
        #expect(status.code == 410)
        #expect(status.message?.hasPrefix("too old resource version: \(old)") == true)
    }

    @Test("pages of a list share one resourceVersion and show the state the first page saw")
    func consistentPagination() async throws {
        let (_, client) = try await client()
        let ns = "paging-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(GroupVersionResource(group: "", version: "v1", resource: "namespaces"),
                                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        for i in 0..<5 { _ = try await client.create(Self.configMaps, configMap("item-\(i)", namespace: ns), namespace: ns) }
        let first = try await client.list(Self.configMaps, namespace: ns, options: .init(limit: 2))
        #expect(first.items.count == 2)
        #expect(first.remainingItemCount == 3)
        let token = try #require(first.continueToken)
        // A change after the first page must not show in the later pages.
        var changed = try await client.get(Self.configMaps, name: "item-4", namespace: ns)
        changed["data"] = ["k": "changed"]
        _ = try await client.update(Self.configMaps, changed, namespace: ns)
        _ = try await client.create(Self.configMaps, configMap("item-5", namespace: ns), namespace: ns)

        let second = try await client.list(Self.configMaps, namespace: ns, options: .init(limit: 2, continueToken: token))
        #expect(second.resourceVersion == first.resourceVersion)
        let third = try await client.list(Self.configMaps, namespace: ns,
                                          options: .init(limit: 2, continueToken: try #require(second.continueToken)))
        #expect(third.continueToken == nil)
        #expect(third.resourceVersion == first.resourceVersion)
        let names = (first.items + second.items + third.items).compactMap { $0["metadata"]["name"].stringValue }
        #expect(names == ["item-0", "item-1", "item-2", "item-3", "item-4"])
        #expect(third.items.last?["data"]["k"] == "v")
    }

    @Test("label and field selectors filter lists; an unknown field selector is a 400")
    func selectors() async throws {
        let (_, client) = try await client()
        _ = try await client.create(Self.configMaps, configMap("sel-a", labels: ["tier": "web", "env": "prod"]), namespace: "default")
        _ = try await client.create(Self.configMaps, configMap("sel-b", labels: ["tier": "db"]), namespace: "default")
        func names(_ label: String? = nil, _ field: String? = nil) async throws -> [String] {
            try await client.list(Self.configMaps, namespace: "default",
                                  options: .init(labelSelector: label, fieldSelector: field))
                .items.compactMap { $0["metadata"]["name"].stringValue }.filter { $0.hasPrefix("sel-") }
        }
        #expect(try await names("tier=web") == ["sel-a"])
        #expect(try await names("tier in (web,db)") == ["sel-a", "sel-b"])
        #expect(try await names("env!=prod") == ["sel-b"])
        #expect(try await names("!env") == ["sel-b"])
        #expect(try await names(nil, "metadata.name=sel-b") == ["sel-b"])
        await #expect {
            _ = try await client.list(Self.configMaps, namespace: "default", options: .init(fieldSelector: "spec.color=red"))
        } throws: { error in
            (error as? KubeError)?.isBadRequest == true
                && (error as? KubeError)?.status?.message == "field label not supported: spec.color"
        }
    }

    @Test("generation starts at 1 and moves only when the spec changes")
    func generation() async throws {
        let (_, client) = try await client()
        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "gen-web", "namespace": "default"],
            "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "gen"]],
                     "template": ["metadata": ["labels": ["app": "gen"]],
                                  "spec": ["containers": [["name": "c", "image": "nginx:1.27"]]]]],
        ]
        let created = try await client.create(Self.deployments, deployment, namespace: "default")
        #expect(created["metadata"]["generation"] == 1)
        let labeled = try await client.patch(Self.deployments, name: "gen-web", namespace: "default", type: .merge,
                                             body: ["metadata": ["labels": ["note": "x"]]])
        #expect(labeled["metadata"]["generation"] == 1)
        let statusOnly = try await client.patch(Self.deployments, name: "gen-web", namespace: "default", type: .merge,
                                                body: ["status": ["observedGeneration": 1]], subresource: "status")
        #expect(statusOnly["metadata"]["generation"] == 1)
        #expect(statusOnly["status"]["observedGeneration"] == 1)
        let scaled = try await client.patch(Self.deployments, name: "gen-web", namespace: "default", type: .merge,
                                            body: ["spec": ["replicas": 3]])
        #expect(scaled["metadata"]["generation"] == 2)
    }

    @Test("finalizers keep a deleted object until the last one is removed")
    func finalizers() async throws {
        let (_, client) = try await client()
        var cm = configMap("held")
        cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = try await client.create(Self.configMaps, cm, namespace: "default")
        try await client.delete(Self.configMaps, name: "held", namespace: "default")
        let held = try await client.get(Self.configMaps, name: "held", namespace: "default")
        #expect(held["metadata"]["deletionTimestamp"].stringValue != nil)
        await #expect {
            _ = try await client.create(Self.configMaps, configMap("held"), namespace: "default")
        } throws: { ($0 as? KubeError)?.isAlreadyExists == true }
        _ = try await client.patch(Self.configMaps, name: "held", namespace: "default", type: .json,
                                   body: [["op": "remove", "path": "/metadata/finalizers"]])
        await #expect {
            _ = try await client.get(Self.configMaps, name: "held", namespace: "default")
        } throws: { ($0 as? KubeError)?.isNotFound == true }
    }

    @Test("garbage collection: background deletes dependents, orphan strips their ownerReferences")
    func garbageCollection() async throws {
        let (_, client) = try await client()
        for (owner, policy) in [("gc-owner-bg", KubeClient.PropagationPolicy.background), ("gc-owner-orphan", .orphan)] {
            let parent = try await client.create(Self.configMaps, configMap(owner), namespace: "default")
            var child = configMap("\(owner)-child")
            child[path: ["metadata", "ownerReferences"]] = [[
                "apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner),
                "uid": parent["metadata"]["uid"], "blockOwnerDeletion": true,
            ]]
            _ = try await client.create(Self.configMaps, child, namespace: "default")
            try await client.delete(Self.configMaps, name: owner, namespace: "default",
                                    options: .init(propagationPolicy: policy))
        }
        let backgroundCollected = await eventually {
            (try? await client.get(Self.configMaps, name: "gc-owner-bg-child", namespace: "default")) == nil
        }
        #expect(backgroundCollected)
        let orphaned = try await eventually {
            let child = try await client.get(Self.configMaps, name: "gc-owner-orphan-child", namespace: "default")
            let ownerGone = (try? await client.get(Self.configMaps, name: "gc-owner-orphan", namespace: "default")) == nil
            return child["metadata"]["ownerReferences"].isNull && ownerGone
        }
        #expect(orphaned)
    }

    @Test("owner references must name their owner fully, and only one may be the controller")
    func ownerReferenceValidation() async throws {
        let (_, client) = try await client()
        let owner = try await client.create(Self.configMaps, configMap("refs-owner"), namespace: "default")
        func reference(_ name: String, uid: JSONValue, controller: Bool) -> JSONValue {
            ["apiVersion": "v1", "kind": "ConfigMap", "name": .string(name), "uid": uid, "controller": .bool(controller)]
        }
        var twoControllers = configMap("refs-two")
        twoControllers[path: ["metadata", "ownerReferences"]] = [
            reference("refs-owner", uid: owner["metadata"]["uid"], controller: true),
            reference("someone", uid: "5f0c7d9e-0000-4000-8000-000000000001", controller: true),
        ]
        do {
            _ = try await client.create(Self.configMaps, twoControllers, namespace: "default")
            Issue.record("two controller references were accepted")
        } catch let error as KubeError {
            #expect(error.isInvalid)
            #expect(error.description.contains("metadata.ownerReferences: Invalid value:"), "\(error)")
            #expect(error.description.contains(#"Only one reference can have Controller set to true. Found "true" in references for ConfigMap/refs-owner and ConfigMap/someone"#), "\(error)")
        }
        var noUID = configMap("refs-no-uid")
        noUID[path: ["metadata", "ownerReferences"]] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "refs-owner"]]
        do {
            _ = try await client.create(Self.configMaps, noUID, namespace: "default")
            Issue.record("an owner reference without a uid was accepted")
        } catch let error as KubeError {
            #expect(error.description.contains(#"metadata.ownerReferences.uid: Invalid value: "": must not be empty"#), "\(error)")
        }
        // The same rules hold for updates.
        let child = try await client.create(Self.configMaps, configMap("refs-child"), namespace: "default")
        var second = child
        second[path: ["metadata", "ownerReferences"]] = twoControllers["metadata"]["ownerReferences"]
        await #expect(throws: KubeError.self) { try await client.update(Self.configMaps, second, namespace: "default") }
        var one = child
        one[path: ["metadata", "ownerReferences"]] = [reference("refs-owner", uid: owner["metadata"]["uid"], controller: true)]
        let updated = try await client.update(Self.configMaps, one, namespace: "default")
        #expect(updated["metadata"]["ownerReferences"].arrayValue?.count == 1)
    }

    @Test("/openapi/v2 is served as JSON, or as a protobuf document to client-go, and 406 for anything else")
    func openAPIv2Negotiation() async throws {
        let (_, client) = try await client()
        let json = try await client.request("GET", "/openapi/v2", accept: "application/json")
        #expect(try JSONValue(parsing: json.body)["swagger"] == "2.0")
        let protobuf = try await client.request("GET", "/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
        #expect(protobuf.headers["Content-Type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        // Field 1 (swagger) = "2.0", then field 2 (info) holding title "Kubernetes".
        #expect(Array(protobuf.body.prefix(5)) == [0x0A, 3] + Array("2.0".utf8))
        #expect(String(decoding: protobuf.body, as: UTF8.self).contains("Kubernetes"))
        do {
            _ = try await client.request("GET", "/openapi/v2", accept: "application/xml")
            Issue.record("an XML-only client was answered")
        } catch let error as KubeError {
            #expect(error.httpCode == 406, "\(error)")
        }
    }

    @Test("server-side apply over HTTP: a second manager's change is a 409 naming the field, force takes it, no fieldManager is a 422")
    func applyConflictsOverHTTP() async throws {
        let (_, client) = try await client()
        let mine: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa-http", "namespace": "default"], "data": ["k": "a"]]
        _ = try await client.apply(Self.configMaps, mine, fieldManager: "alice")
        var theirs = mine
        theirs["data"]["k"] = "b"
        do {
            _ = try await client.apply(Self.configMaps, theirs, fieldManager: "bob")
            Issue.record("a conflicting apply was accepted")
        } catch let error as KubeError {
            #expect(error.isConflict)
            let cause = error.status?.details?.causes?.first
            #expect(cause?.reason == "FieldManagerConflict" && cause?.field == ".data.k", "\(error)")
            #expect(error.description.contains(#"conflict with "alice""#), "\(error)")
        }
        let forced = try await client.apply(Self.configMaps, theirs, fieldManager: "bob", force: true)
        #expect(forced["data"]["k"] == "b")
        do {
            _ = try await client.request("PATCH", "/api/v1/namespaces/default/configmaps/ssa-http", body: theirs,
                                         contentType: "application/apply-patch+yaml")
            Issue.record("an apply without a fieldManager was accepted")
        } catch let error as KubeError {
            #expect(error.isInvalid, "\(error)")
            #expect(error.description.contains("fieldManager"), "\(error)")
        }
    }

    @Test("writes with preconditions: a stale resourceVersion in a PATCH body or on a delete is a 409; PUT of a missing object is a 404")
    func writePreconditions() async throws {
        let (_, client) = try await client()
        let created = try await client.create(Self.configMaps, configMap("preconditions"), namespace: "default")
        let staleVersion = created["metadata"]["resourceVersion"]
        _ = try await client.patch(Self.configMaps, name: "preconditions", namespace: "default", type: .merge, body: ["data": ["k": "2"]])
        await #expect(throws: KubeError.self) {
            _ = try await client.patch(Self.configMaps, name: "preconditions", namespace: "default", type: .merge,
                                       body: ["metadata": ["resourceVersion": staleVersion], "data": ["k": "3"]])
        }
        for options in [DeleteOptions(preconditionUID: "00000000-0000-4000-8000-000000000000"),
                        DeleteOptions(preconditionResourceVersion: staleVersion.stringValue)] {
            do {
                _ = try await client.delete(Self.configMaps, name: "preconditions", namespace: "default", options: options)
                Issue.record("a delete with a failed precondition went through")
            } catch let error as KubeError {
                #expect(error.isConflict, "\(error)")
                #expect(error.description.contains("Precondition failed"), "\(error)")
            }
        }
        #expect(try await client.get(Self.configMaps, name: "preconditions", namespace: "default")["data"]["k"] == "2")
        var missing = configMap("never-created")
        missing[path: ["metadata", "resourceVersion"]] = "1"
        do {
            _ = try await client.update(Self.configMaps, missing, namespace: "default")
            Issue.record("a PUT of a missing object succeeded")
        } catch let error as KubeError {
            #expect(error.isNotFound, "\(error)")
        }
    }

    @Test("list options: a continue token older than the history is a 410 Expired; resourceVersionMatch needs a resourceVersion")
    func listOptionErrors() async throws {
        // Its own simulator: compacting the shared one would expire the other tests' tokens.
        let sim = try await Simulator.start(.init(port: 0, tls: true))
        defer { Task { await sim.stop() } }
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        for i in 0..<3 { _ = try await client.create(Self.configMaps, configMap("page-\(i)"), namespace: "default") }
        var options = ListOptions()
        options.limit = 1
        let first = try await client.list(Self.configMaps, namespace: "default", options: options)
        let token = try #require(first.continueToken)
        for i in 0..<3 { _ = try await client.create(Self.configMaps, configMap("later-\(i)"), namespace: "default") }
        sim.store.compact()
        options.continueToken = token
        do {
            _ = try await client.list(Self.configMaps, namespace: "default", options: options)
            Issue.record("a continue token past the history was honoured")
        } catch let error as KubeError {
            #expect(error.httpCode == 410 && error.isGone, "\(error)")
            #expect(error.description.contains("The provided continue parameter is too old"), "\(error)")
        }
        var match = ListOptions()
        match.resourceVersionMatch = "NotOlderThan"
        do {
            _ = try await client.list(Self.configMaps, namespace: "default", options: match)
            Issue.record("resourceVersionMatch without resourceVersion was accepted")
        } catch let error as KubeError {
            #expect(error.isInvalid, "\(error)")
            #expect(error.description.contains("resourceVersionMatch is forbidden unless resourceVersion is provided"), "\(error)")
        }
    }

    @Test("a GET at a resourceVersion the server has not reached is a 504 Too large resource version; older versions read the current object")
    func getAtResourceVersion() async throws {
        let (_, client) = try await client()
        let created = try await client.create(Self.configMaps, configMap("get-at-version"), namespace: "default")
        let version = try #require(created["metadata"]["resourceVersion"].stringValue.flatMap(UInt64.init))
        let path = "/api/v1/namespaces/default/configmaps/get-at-version"
        let current = try await client.request("GET", path, query: [("resourceVersion", String(version))])
        #expect(try JSONValue(parsing: current.body)["metadata"]["name"] == "get-at-version")
        do {
            _ = try await client.request("GET", path, query: [("resourceVersion", String(version + 1_000_000))])
            Issue.record("a GET from the future was answered")
        } catch let error as KubeError {
            #expect(error.httpCode == 504, "\(error)")
            #expect(error.description.contains("Too large resource version: \(version + 1_000_000)"), "\(error)")
        }
    }

    @Test("foreground deletion removes dependents before the owner")
    func foregroundDeletion() async throws {
        let (_, client) = try await client()
        let parent = try await client.create(Self.configMaps, configMap("fg-owner"), namespace: "default")
        var child = configMap("fg-owner-child")
        child[path: ["metadata", "ownerReferences"]] = [[
            "apiVersion": "v1", "kind": "ConfigMap", "name": "fg-owner", "uid": parent["metadata"]["uid"],
            "blockOwnerDeletion": true,
        ]]
        child[path: ["metadata", "finalizers"]] = ["example.com/slow"]
        _ = try await client.create(Self.configMaps, child, namespace: "default")
        try await client.delete(Self.configMaps, name: "fg-owner", namespace: "default",
                                options: .init(propagationPolicy: .foreground))
        // The child waits on its own finalizer, so the owner must wait too.
        let childTerminating = try await eventually {
            try await client.get(Self.configMaps, name: "fg-owner-child", namespace: "default")["metadata"]["deletionTimestamp"].stringValue != nil
        }
        #expect(childTerminating)
        let owner = try await client.get(Self.configMaps, name: "fg-owner", namespace: "default")
        #expect(owner["metadata"]["finalizers"] == ["foregroundDeletion"])
        _ = try await client.patch(Self.configMaps, name: "fg-owner-child", namespace: "default", type: .merge,
                                   body: ["metadata": ["finalizers": nil]])
        let ownerGone = await eventually {
            (try? await client.get(Self.configMaps, name: "fg-owner", namespace: "default")) == nil
        }
        #expect(ownerGone)
    }

    @Test("a watch from a resourceVersion sees later changes only; leaving a selector is a DELETED event")
    func watchFromVersion() async throws {
        let (_, client) = try await client()
        let created = try await client.create(Self.configMaps, configMap("watched", labels: ["watch": "yes"]), namespace: "default")
        let stream = try await client.watch(Self.configMaps, namespace: "default",
                                            options: WatchOptions(resourceVersion: created["metadata"]["resourceVersion"].stringValue,
                                                                  labelSelector: "watch=yes", timeoutSeconds: 10,
                                                                  allowBookmarks: false))
        _ = try await client.patch(Self.configMaps, name: "watched", namespace: "default", type: .merge,
                                   body: ["data": ["k": "changed"]])
        _ = try await client.patch(Self.configMaps, name: "watched", namespace: "default", type: .merge,
                                   body: ["metadata": ["labels": ["watch": "no"]]])
        var seen: [String] = []
        for try await event in stream {
            switch event {
            case .modified(let o): seen.append("MODIFIED \(o["data"]["k"].stringValue ?? "")")
            case .deleted(let o): seen.append("DELETED \(o["metadata"]["labels"]["watch"].stringValue ?? "")")
            case .added: seen.append("ADDED")
            default: continue
            }
            if seen.count == 2 { stream.cancel(); break }
        }
        #expect(seen == ["MODIFIED changed", "DELETED yes"])
    }

    @Test("deletecollection removes what the selector matches and nothing else")
    func deleteCollection() async throws {
        let (_, client) = try await client()
        for (name, team) in [("dc-a", "red"), ("dc-b", "red"), ("dc-c", "blue")] {
            _ = try await client.create(Self.configMaps, configMap(name, labels: ["dc-team": team]), namespace: "default")
        }
        try await client.deleteCollection(Self.configMaps, namespace: "default", labelSelector: "dc-team=red")
        let left = try await client.list(Self.configMaps, namespace: "default", options: .init(labelSelector: "dc-team"))
        #expect(left.items.compactMap { $0["metadata"]["name"].stringValue } == ["dc-c"])
    }

    @Test("a server-side dry run validates and answers without storing")
    func dryRun() async throws {
        let (sim, _) = try await client()
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        let result = try await kubectl.run("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server", "-o", "name")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "configmap/dry", "\(result)")
        #expect(sim.store.get(GroupResource(group: "", resource: "configmaps"), StoreKey(namespace: "default", name: "dry")) == nil)
    }

    @Test("an immediate delete answers Status Success naming the object; a namespace being deleted refuses new objects")
    func deleteAnswersAndTerminatingNamespace() async throws {
        let (_, client) = try await client()
        let created = try await client.create(Self.configMaps, configMap("gone-now"), namespace: "default")
        let answer = try JSONValue(parsing: try await client.request(
            "DELETE", Self.configMaps.path(namespace: "default", name: "gone-now")).body)
        #expect(answer["kind"] == "Status")
        #expect(answer["status"] == "Success")
        #expect(answer["details"]["name"] == "gone-now")
        #expect(answer["details"]["kind"] == "configmaps")
        #expect(answer["details"]["uid"] == created["metadata"]["uid"])

        let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
        _ = try await client.create(namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "closing"]])
        var held = configMap("held-open", namespace: "closing")
        held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = try await client.create(Self.configMaps, held, namespace: "closing")
        try await client.delete(namespaces, name: "closing")
        let phase = try await client.get(namespaces, name: "closing")["status"]["phase"]
        #expect(phase == "Terminating")
        await #expect {
            _ = try await client.create(Self.configMaps, configMap("late", namespace: "closing"), namespace: "closing")
        } throws: { error in
            (error as? KubeError)?.isForbidden == true
                && (error as? KubeError)?.status?.message == "configmaps \"late\" is forbidden: unable to create new content in namespace closing because it is being terminated"
        }
        _ = try await client.patch(Self.configMaps, name: "held-open", namespace: "closing", type: .merge,
                                   body: ["metadata": ["finalizers": nil]])
        let namespaceGone = await eventually { (try? await client.get(namespaces, name: "closing")) == nil }
        #expect(namespaceGone)
    }
}
