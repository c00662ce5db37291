import KubeClient
import Testing

@testable import OperatorKit

@Suite("Event recorder")
struct EventRecorderTests {
    func events(_ cluster: InMemoryCluster) async throws -> [JSONValue] {
        try await cluster.list(.events, namespace: "default", options: ListOptions()).items
    }

    /// Records the same warning three times, 5 s apart, then `lastMessage` as a Normal event,
    /// about widget `w`; answers the widget once every event is written.
    func recordRepeats(_ cluster: InMemoryCluster, clock: ManualClock, lastMessage: String) async throws -> JSONValue {
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        let recorder = EventRecorder(configuration: .init(component: "test", instance: "host"), api: cluster, clock: clock)
        let writer = Task { await recorder.run() }
        for _ in 0..<3 {
            recorder.warning(widget, reason: "InvalidSize", message: "size must be positive")
            clock.advance(by: .seconds(5))
        }
        recorder.normal(widget, reason: "Scaled", message: lastMessage)
        recorder.finish()
        await writer.value
        return widget
    }

    @Test("repeats of an event bump count and lastTimestamp of one Event")
    func aggregatesRepeats() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let widget = try await recordRepeats(cluster, clock: clock, lastMessage: "scaled to 3")

        let all = try await events(cluster)
        #expect(all.count == 2)
        let warning = try #require(all.first { $0["reason"] == "InvalidSize" })
        #expect(warning["count"] == 3)
        #expect(warning["type"] == "Warning")
        #expect(warning["involvedObject"]["name"] == "w")
        #expect(warning["involvedObject"]["uid"] == widget["metadata"]["uid"])
        #expect(warning["source"]["component"] == "test")
        #expect(warning["firstTimestamp"] != warning["lastTimestamp"])
        #expect(cluster.writes(verb: "create", resource: .events).count == 2)
        #expect(cluster.writes(verb: "patch", resource: .events).count == 2)
    }

    @Test("after the window a repeat starts a new Event; many similar messages are combined")
    func windowAndSimilarEvents() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        let recorder = EventRecorder(configuration: .init(component: "test", instance: "host"), api: cluster, clock: clock)
        let writer = Task { await recorder.run() }
        recorder.warning(widget, reason: "Failed", message: "attempt 0")
        try await eventually { recorder.writeCount == 1 }
        clock.advance(by: .seconds(601))
        for attempt in 1...12 {
            recorder.warning(widget, reason: "Failed", message: "attempt \(attempt)")
        }
        recorder.finish()
        await writer.value

        let all = try await events(cluster)
        let combined = all.filter { ($0["message"].stringValue ?? "").hasPrefix("(combined from similar events): ") }
        #expect(combined.count == 1)
        #expect(combined.first?["count"] == 3, "the 10th, 11th and 12th similar events fold into one")
        #expect(all.count == 1 + 9 + 1, "attempt 0, attempts 1–9 individually, then the combined one")
    }

    @Test("where discovery lists events.k8s.io/v1, Events go there with kube's required fields, repeats in series")
    func writesEventsV1WhereServed() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock, served: [EventsAPIVersion.eventsV1Resource, .events])
        let widget = try await recordRepeats(cluster, clock: clock, lastMessage: String(repeating: "é", count: 600))

        #expect(try await events(cluster).isEmpty, "nothing written through core/v1")
        let all = try await cluster.list(EventsAPIVersion.eventsV1Resource, namespace: "default", options: ListOptions()).items
        #expect(all.count == 2)
        let warning = try #require(all.first { $0["reason"] == "InvalidSize" })
        #expect(warning["apiVersion"] == "events.k8s.io/v1")
        #expect(warning["regarding"]["name"] == "w")
        #expect(warning["regarding"]["uid"] == widget["metadata"]["uid"])
        #expect(warning["note"] == "size must be positive")
        #expect(warning["type"] == "Warning")
        #expect(warning["reportingController"] == "test")
        #expect(warning["reportingInstance"] == "host")
        #expect(warning["action"] == "InvalidSize")
        let eventTime = try #require(warning["eventTime"].stringValue)
        #expect(eventTime.split(separator: ".").last?.count == 7, "MicroTime: six fractional digits and Z, got \(eventTime)")
        #expect(warning["series"]["count"] == 3)
        #expect(warning["series"]["lastObservedTime"] != warning["eventTime"])
        #expect(warning["deprecatedCount"].isNull && warning["deprecatedSource"].isNull && warning["count"].isNull)
        let note = try #require(all.first { $0["reason"] == "Scaled" }?["note"].stringValue)
        #expect(note.utf8.count == 1024 && note.allSatisfy { $0 == "é" }, "a note is cut to 1024 bytes on a character boundary")
        #expect(cluster.writes(verb: "create", resource: EventsAPIVersion.eventsV1Resource).count == 2)
        #expect(cluster.writes(verb: "patch", resource: EventsAPIVersion.eventsV1Resource).count == 2)
    }

    @Test("where discovery does not list events.k8s.io/v1, core/v1 Events are written")
    func fallsBackToCoreWhereNotServed() async throws {
        let cluster = InMemoryCluster(served: [.events])
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        let recorder = EventRecorder(configuration: .init(component: "test", instance: "host"), api: cluster)
        let writer = Task { await recorder.run() }
        recorder.warning(widget, reason: "InvalidSize", message: "size must be positive")
        recorder.finish()
        await writer.value
        let all = try await events(cluster)
        #expect(all.count == 1)
        #expect(all.first?["apiVersion"] == "v1")
        #expect(all.first?["involvedObject"]["name"] == "w")
        #expect(all.first?["count"] == 1)
        #expect(try await cluster.list(EventsAPIVersion.eventsV1Resource, namespace: "default", options: ListOptions()).items.isEmpty)
    }
}
