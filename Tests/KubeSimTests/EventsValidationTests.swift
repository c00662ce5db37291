import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// kube's `ValidateEventCreate` for events.k8s.io/v1 (and the legacy rules every Event
/// passes), with kube's core field paths and messages.
@Suite("events.k8s.io/v1 validation")
struct EventsValidationTests {
    typealias C = EventsCluster

    func refusal(_ event: JSONValue, through resource: GroupVersionResource = C.eventsV1,
                 namespace: String) async throws -> (message: String, causes: [String]) {
        let client = try await C.client()
        do {
            _ = try await client.create(resource, event, namespace: namespace)
        } catch let error as KubeError {
            #expect(error.httpCode == 422, "\(error)")
            #expect(error.status?.details?.kind == "Event")
            return (error.status?.message ?? "", C.causes(error))
        }
        Issue.record("the Event was accepted: \(event)")
        return ("", [])
    }

    @Test("eventTime is required and the type is Normal or Warning")
    func eventTimeAndType() async throws {
        let ns = try await C.namespace(try await C.client())
        let refused = try await refusal(C.newEvent("no-time", namespace: ns, ["eventTime": .null, "type": "Info"]),
                                        namespace: ns)
        #expect(refused.causes == ["eventTime: Required value", "type: Invalid value: \"\": has invalid value: Info"])
        #expect(refused.message == "Event \"no-time\" is invalid: [eventTime: Required value, type: Invalid value: \"\": has invalid value: Info]")
    }

    @Test("reportingController, reportingInstance and action are required once eventTime is set")
    func reportingFieldsRequired() async throws {
        let ns = try await C.namespace(try await C.client())
        let refused = try await refusal(C.newEvent("anonymous", namespace: ns, [
            "reportingController": .null, "reportingInstance": .null, "action": .null,
        ]), namespace: ns)
        let pattern = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        #expect(refused.causes == [
            "reportingController: Required value",
            "reportingController: Invalid value: \"\": name part must be non-empty",
            "reportingController: Invalid value: \"\": name part \(pattern)",
            "reportingInstance: Required value",
            "action: Required value",
        ])
        let malformed = try await refusal(C.newEvent("malformed", namespace: ns, [
            "reportingController": "a/b/c", "reportingInstance": .string(String(repeating: "i", count: 129)),
            "regarding": ["apiVersion": "v1", "kind": "Node", "name": "node-1"],
        ]), namespace: ns)
        #expect(malformed.causes == [
            "involvedObject.namespace: Invalid value: \"\": does not match event.namespace",
            "reportingController: Invalid value: \"a/b/c\": a qualified name \(pattern) with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            "reportingInstance: Invalid value: \"\": can have at most 128 characters",
        ])
    }

    @Test("the deprecated fields must be unset and a series counts at least 2 with a lastObservedTime")
    func deprecatedFieldsAndSeries() async throws {
        let ns = try await C.namespace(try await C.client())
        let refused = try await refusal(C.newEvent("old-style", namespace: ns, [
            "deprecatedCount": 3, "deprecatedFirstTimestamp": "2026-12-07T09:00:00Z",
            "deprecatedLastTimestamp": "2026-12-07T09:05:00Z", "deprecatedSource": ["component": "kubelet"],
            "series": ["count": 1],
        ]), namespace: ns)
        #expect(refused.causes == [
            "series.count: Invalid value: \"\": should be at least 2",
            "series.lastObservedTime: Required value",
            "firstTimestamp: Invalid value: \"\": needs to be unset",
            "lastTimestamp: Invalid value: \"\": needs to be unset",
            "count: Invalid value: \"\": needs to be unset",
            "source: Invalid value: \"\": needs to be unset",
        ])
    }

    @Test("core/v1 keeps its legacy rules: no eventTime needs nothing more, an eventTime needs the reporting fields")
    func coreKeepsLegacyRules() async throws {
        let client = try await C.client()
        let ns = try await C.namespace(client)
        var loose = C.legacyEvent("loose", namespace: ns)
        loose["type"] = "Info"
        _ = try await client.create(C.core, loose, namespace: ns)
        var timed = C.legacyEvent("timed", namespace: ns)
        timed["eventTime"] = .string(C.microTime)
        let refused = try await refusal(timed, through: C.core, namespace: ns)
        #expect(refused.causes.first == "reportingController: Required value")
        #expect(refused.causes.contains("reportingInstance: Required value"))
        #expect(refused.causes.contains("action: Required value"))
        #expect(!refused.causes.contains { $0.hasPrefix("count:") }, "the strict rules are events.k8s.io's only")
    }

    @Test("kubectl create of an invalid events.k8s.io Event prints kube's Invalid error")
    func kubectlShowsInvalid() async throws {
        let ns = try await C.namespace(try await C.client())
        let kubectl = try await C.kubectl()
        let result = try await kubectl.run(["create", "-f", "-"], input: C.newEvent(
            "kubectl-bad", namespace: ns, ["eventTime": .null]).serialized(pretty: true))
        #expect(!result.succeeded)
        #expect(result.stderr.contains("The Event \"kubectl-bad\" is invalid"), "\(result)")
        #expect(result.stderr.contains("eventTime: Required value"), "\(result)")
    }
}
