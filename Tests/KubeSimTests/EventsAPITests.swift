import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// events.k8s.io/v1 Events over HTTP: stored with core/v1 Events, converted by kube's rules,
/// one resourceVersion sequence and one watch stream for both APIs.
@Suite("events.k8s.io/v1 over HTTP")
struct EventsAPITests {
    typealias C = EventsCluster

    @Test("an Event created through events.k8s.io/v1 reads through core/v1 with kube's field names, and the other way round")
    func conversionBothWays() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        let created = try await client.create(C.eventsV1, C.newEvent("scaled", namespace: ns, [
            "series": ["count": 2, "lastObservedTime": "2026-12-07T10:01:00.000000Z"],
        ]), namespace: ns)
        #expect(created["apiVersion"] == "events.k8s.io/v1")
        let core = try await client.get(C.core, name: "scaled", namespace: ns)
        #expect(core["apiVersion"] == "v1")
        #expect(core["involvedObject"]["name"] == "web-0")
        #expect(core["involvedObject"]["kind"] == "Pod")
        #expect(core["message"] == "scaled up to 3 replicas")
        #expect(core["reportingComponent"] == "example.com/rollout-controller")
        #expect(core["reportingInstance"] == "rollout-controller-7f9c")
        #expect(core["action"] == "Scaling")
        #expect(core["reason"] == "ScaledUp")
        #expect(core["type"] == "Normal")
        #expect(core["eventTime"] == .string(C.microTime))
        #expect(core["series"]["count"] == 2)
        #expect(core["related"]["kind"] == "ReplicaSet")
        #expect(core["source"] == .emptyObject, "Go writes the empty EventSource")
        #expect(core.objectValue?["firstTimestamp"] == .null, "present and null, as Go encodes a zero metav1.Time")
        #expect(core["count"].isNull)
        #expect(core["note"].isNull && core["regarding"].isNull)
        #expect(core["metadata"]["uid"] == created["metadata"]["uid"])
        #expect(core["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"])

        _ = try await client.create(C.core, C.legacyEvent("backoff", namespace: ns), namespace: ns)
        let viewed = try await client.get(C.eventsV1, name: "backoff", namespace: ns)
        #expect(viewed["apiVersion"] == "events.k8s.io/v1")
        #expect(viewed["regarding"]["name"] == "web-0")
        #expect(viewed["note"] == "Back-off restarting failed container")
        #expect(viewed["deprecatedSource"] == ["component": "kubelet", "host": "node-1"])
        #expect(viewed["deprecatedFirstTimestamp"] == "2026-12-07T09:00:00Z")
        #expect(viewed["deprecatedLastTimestamp"] == "2026-12-07T09:05:00Z")
        #expect(viewed["deprecatedCount"] == 4)
        #expect(viewed.objectValue?["eventTime"] == .null, "eventTime is written even when unset")
        #expect(viewed["reportingController"].isNull, "an empty reportingComponent is left out")
        #expect(viewed["message"].isNull && viewed["involvedObject"].isNull && viewed["count"].isNull)
    }

    @Test("lists through either API hold Events of both; field selectors use each API's labels")
    func listsAndFieldSelectors() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        _ = try await client.create(C.eventsV1, C.newEvent("new-api", namespace: ns, pod: "api-0"), namespace: ns)
        _ = try await client.create(C.core, C.legacyEvent("old-api", namespace: ns, pod: "db-0"), namespace: ns)
        func names(_ resource: GroupVersionResource, _ selector: String? = nil) async throws -> [String] {
            try await client.list(resource, namespace: ns, options: ListOptions(fieldSelector: selector)).items
                .compactMap { $0["metadata"]["name"].stringValue }.sorted()
        }
        #expect(try await names(C.core) == ["new-api", "old-api"])
        #expect(try await names(C.eventsV1) == ["new-api", "old-api"])
        #expect(try await names(C.eventsV1, "regarding.name=db-0") == ["old-api"])
        #expect(try await names(C.eventsV1, "regarding.kind=Pod,type=Normal") == ["new-api"])
        #expect(try await names(C.eventsV1, "reportingController=example.com/rollout-controller") == ["new-api"])
        #expect(try await names(C.core, "involvedObject.name=api-0") == ["new-api"])
        #expect(try await names(C.core, "reportingComponent=example.com/rollout-controller") == ["new-api"])
        // `source` is source.component, or reportingController when that is empty (ToSelectableFields).
        #expect(try await names(C.core, "source=example.com/rollout-controller") == ["new-api"])
        #expect(try await names(C.eventsV1, "source=kubelet") == ["old-api"])
        await #expect {
            _ = try await names(C.eventsV1, "involvedObject.name=api-0")
        } throws: { error in
            (error as? KubeError)?.httpCode == 400
                && (error as? KubeError)?.status?.message == "field label not supported: involvedObject.name"
        }
    }

    @Test("a watch on one API sees writes made through the other, in one resourceVersion sequence")
    func watchAcrossAPIs() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        let start = try await client.list(C.core, namespace: ns).resourceVersion
        let newWatch = try await client.watch(C.eventsV1, namespace: ns,
                                              options: WatchOptions(resourceVersion: start, timeoutSeconds: 10))
        let coreWatch = try await client.watch(C.core, namespace: ns,
                                               options: WatchOptions(resourceVersion: start, timeoutSeconds: 10))
        let old = try await client.create(C.core, C.legacyEvent("through-core", namespace: ns), namespace: ns)
        let new = try await client.create(C.eventsV1, C.newEvent("through-events", namespace: ns), namespace: ns)
        let oldRV = try #require(old["metadata"]["resourceVersion"].stringValue.flatMap { UInt64($0) })
        let newRV = try #require(new["metadata"]["resourceVersion"].stringValue.flatMap { UInt64($0) })
        #expect(newRV > oldRV, "both APIs draw from one resourceVersion sequence")

        var seenNew: [JSONValue] = []
        for try await event in newWatch {
            if case .added(let object) = event { seenNew.append(object) }
            if seenNew.count == 2 { break }
        }
        #expect(seenNew.map { $0["metadata"]["name"] } == ["through-core", "through-events"])
        #expect(seenNew.allSatisfy { $0["apiVersion"] == "events.k8s.io/v1" })
        #expect(seenNew.first?["note"] == "Back-off restarting failed container")
        #expect(seenNew.first?["metadata"]["resourceVersion"] == .string(String(oldRV)))

        var seenCore: [JSONValue] = []
        for try await event in coreWatch {
            if case .added(let object) = event { seenCore.append(object) }
            if seenCore.count == 2 { break }
        }
        #expect(seenCore.map { $0["metadata"]["name"] } == ["through-core", "through-events"])
        #expect(seenCore.last?["apiVersion"] == "v1")
        #expect(seenCore.last?["message"] == "scaled up to 3 replicas")
        #expect(seenCore.last?["metadata"]["resourceVersion"] == .string(String(newRV)))
    }

    @Test("updates through events.k8s.io/v1 may change the series only; a delete through it removes the core Event")
    func updateAndDelete() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        _ = try await client.create(C.eventsV1, C.newEvent("repeated", namespace: ns), namespace: ns)
        let patched = try await client.patch(C.eventsV1, name: "repeated", namespace: ns, type: .merge, body: [
            "series": ["count": 3, "lastObservedTime": "2026-12-07T10:05:00.000000Z"],
        ])
        #expect(patched["series"]["count"] == 3)
        #expect(try await client.get(C.core, name: "repeated", namespace: ns)["series"]["count"] == 3)
        do {
            _ = try await client.patch(C.eventsV1, name: "repeated", namespace: ns, type: .merge, body: ["note": "rewritten"])
            Issue.record("changing the note through events.k8s.io/v1 was accepted")
        } catch {
            #expect((error as? KubeError)?.httpCode == 422)
            #expect(C.causes(error) == ["message: Invalid value: \"rewritten\": field is immutable"])
        }
        // core/v1 keeps its old rules: the message may change.
        _ = try await client.patch(C.core, name: "repeated", namespace: ns, type: .merge, body: ["message": "rewritten"])
        #expect(try await client.get(C.eventsV1, name: "repeated", namespace: ns)["note"] == "rewritten")

        _ = try await client.delete(C.eventsV1, name: "repeated", namespace: ns)
        await #expect {
            _ = try await client.get(C.core, name: "repeated", namespace: ns)
        } throws: { ($0 as? KubeError)?.httpCode == 404 }
    }
}
