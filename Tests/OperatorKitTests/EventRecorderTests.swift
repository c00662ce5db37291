import KubeClient
import Testing

@testable import OperatorKit

@Suite("Event recorder")
struct EventRecorderTests {
    func events(_ cluster: InMemoryCluster) async throws -> [JSONValue] {
        try await cluster.list(.events, namespace: "default", options: ListOptions()).items
    }

    @Test("repeats of an event bump count and lastTimestamp of one Event")
    func aggregatesRepeats() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        let recorder = EventRecorder(configuration: .init(component: "test", instance: "host"), api: cluster, clock: clock)
        let writer = Task { await recorder.run() }
        for _ in 0..<3 {
            recorder.warning(widget, reason: "InvalidSize", message: "size must be positive")
            clock.advance(by: .seconds(5))
        }
        recorder.normal(widget, reason: "Scaled", message: "scaled to 3")
        recorder.finish()
        await writer.value

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
}
