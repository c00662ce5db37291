import Foundation
import KubeClient
import Testing
@testable import Controllers

/// The facts an analysis reads from the API server.
@Suite struct ClusterFactSourceTests {
    /// Events of other objects in the namespace are left out, whether the uids are few (a list
    /// per uid, by field selector: the server must honour `involvedObject.uid`) or many (one
    /// list, filtered here).
    @Test func eventsAreThoseOfTheAnalysedObjectsOldestFirst() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("facts")
        let uids = (0..<12).map { "uid-\($0)" }
        func event(_ name: String, uid: String, at time: String) -> JSONValue {
            ["apiVersion": "v1", "kind": "Event", "metadata": ["name": .string(name)],
             "involvedObject": ["kind": "Pod", "name": .string("pod-\(uid)"), "namespace": .string(ns), "uid": .string(uid)],
             "reason": "Tested", "message": .string(name), "type": "Normal", "source": ["component": "test"],
             "firstTimestamp": .string(time), "lastTimestamp": .string(time), "count": 1]
        }
        for (i, uid) in uids.enumerated() {
            // Two per object, the later one created first.
            _ = try await cluster.client.create(.events, event("\(uid)-late", uid: uid, at: "2026-12-01T10:\(String(format: "%02d", 30 + i)):00Z"), namespace: ns)
            _ = try await cluster.client.create(.events, event("\(uid)-early", uid: uid, at: "2026-12-01T10:\(String(format: "%02d", i)):00Z"), namespace: ns)
        }
        let source = ClusterFactSource(api: cluster.client, logReader: nil)

        let few: Set<String> = ["uid-3", "uid-7"]
        let selected = await source.events(namespace: ns, involving: few)
        #expect(selected.compactMap { $0["message"].stringValue } == ["uid-3-early", "uid-7-early", "uid-3-late", "uid-7-late"])

        let many = Set(uids.prefix(ClusterFactSource.selectedListLimit + 1))
        let filtered = await source.events(namespace: ns, involving: many)
        #expect(filtered.count == many.count * 2)
        #expect(filtered.allSatisfy { many.contains($0["involvedObject"]["uid"].stringValue ?? "") })
        let times = filtered.compactMap { $0["lastTimestamp"].stringValue }
        #expect(times == times.sorted())
    }
}
