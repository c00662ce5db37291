import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Synchronization
import Testing

/// A new spec that arrives while an earlier revision is still on the preview color — a fix
/// over a bad version under analysis, or a hotfix promoted at once — must never route traffic
/// to the superseded revision: not one of its pods may be a ready endpoint of the active
/// Service, from the moment the bad revision starts until the fix serves.
@Suite struct BlueGreenSupersededTests {
    /// Watches a namespace's pods and the active Service's Endpoints; records which pods were
    /// of the bad revision and which pods were ever ready endpoints. A watch that fails fails
    /// the test, and each must have seen events.
    final class TrafficRecorder: Sendable {
        final class Seen: Sendable {
            let badPods = Mutex<Set<String>>([])
            let endpointPods = Mutex<Set<String>>([])
            let podEvents = Mutex(0)
            let endpointEvents = Mutex(0)
        }
        let seen = Seen()
        let tasks: [Task<Void, any Error>]
        var badPods: Set<String> { seen.badPods.withLock { $0 } }

        init(cluster: RolloutCluster, namespace: String, service: String, badMarker: String) async throws {
            let pods = try await cluster.client.watch(.pods, namespace: namespace, options: WatchOptions(resourceVersion: "0"))
            let endpoints = try await cluster.client.watch(
                .endpoints, namespace: namespace, options: WatchOptions(resourceVersion: "0", fieldSelector: "metadata.name=\(service)"))
            let seen = self.seen
            tasks = [
                Task {
                    for try await event in pods {
                        try Self.check(event)
                        seen.podEvents.withLock { $0 += 1 }
                        guard let pod = event.object, let name = pod["metadata"]["name"].stringValue else { continue }
                        if pod["metadata"]["annotations"]["version"].stringValue == badMarker { seen.badPods.withLock { _ = $0.insert(name) } }
                    }
                    throw WatchEnded(what: "the pod watch")
                },
                Task {
                    for try await event in endpoints {
                        try Self.check(event)
                        seen.endpointEvents.withLock { $0 += 1 }
                        for subset in event.object?["subsets"].arrayValue ?? [] {
                            for address in subset["addresses"].arrayValue ?? [] {
                                if let pod = address["targetRef"]["name"].stringValue { seen.endpointPods.withLock { _ = $0.insert(pod) } }
                            }
                        }
                    }
                    throw WatchEnded(what: "the Endpoints watch")
                },
            ]
        }

        struct WatchEnded: Error, CustomStringConvertible {
            var what: String
            var description: String { "\(what) ended before the test finished: events may have been missed" }
        }

        static func check(_ event: WatchEvent) throws {
            switch event {
            case .expired(let status), .error(let status): throw KubeError.decoding("the watch failed: \(status.message ?? "")")
            default: return
            }
        }

        /// Stops watching; throws what a watch failed with.
        func finish() async throws {
            #expect(seen.podEvents.withLock { $0 } > 0, "the pod watch saw no event")
            #expect(seen.endpointEvents.withLock { $0 } > 0, "the Endpoints watch saw no event")
            for task in tasks {
                task.cancel()
                do { try await task.value } catch is CancellationError {} catch let error as KubeError where error.isCancelled {}
            }
        }

        var routedBadPods: Set<String> { badPods.intersection(seen.endpointPods.withLock { $0 }) }
    }

    static let slowAnalysis: JSONValue = ["checks": [
        ["name": "ready", "builtin": ["type": "PodReadiness"], "interval": "500ms", "count": 8],
    ]]

    func template(version: String) -> JSONValue {
        ["spec": ["template": ["metadata": ["annotations": ["version": .string(version)]]]]]
    }

    @Test func aFixAppliedOverABadRevisionUnderAnalysisIsAnalysedAloneAndTheBadPodsNeverServe() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("superseded")
        try await cluster.create(Rollouts.manifest("cart", replicas: 3, spec: ["prePromotionAnalysis": Self.slowAnalysis]), namespace: ns)
        try await cluster.waitFor("cart", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" && $0["activeColor"] == "blue" }
        let recorder = try await TrafficRecorder(cluster: cluster, namespace: ns, service: "cart", badMarker: "bad")

        try await cluster.patch("cart", ns, template(version: "bad"))
        let analysing = try await cluster.waitFor("cart", ns, "the bad revision is under analysis") { Rollouts.phase($0) == "Analyzing" }
        let badRevision = try #require(analysing["status"]["previewRevision"].stringValue)

        try await cluster.patch("cart", ns, template(version: "fix"))
        let promoted = try await cluster.waitFor("cart", ns, "the fix is promoted to green", timeout: .seconds(90)) {
            $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy"
        }
        let status = promoted["status"]
        let fixRevision = try #require(status["activeRevision"].stringValue)
        #expect(fixRevision != badRevision)
        // The analysis that passed was the fix's own, not one carried over from the bad revision.
        #expect(status["analysis"]["revision"] == .string(fixRevision))
        #expect(status["analysis"]["phase"] == "Successful")
        #expect((status["history"].arrayValue ?? []).contains { $0["revision"] == .string(badRevision) && $0["outcome"] == "Superseded" })
        // The Service selects the fix's pods by revision.
        let service = try await cluster.client.get(.services, name: "cart", namespace: ns)
        #expect(service["spec"]["selector"]["opsagent.dev/revision"] == .string(fixRevision))
        try await recorder.finish()
        #expect(!recorder.badPods.isEmpty, "the bad revision ran pods")
        #expect(recorder.routedBadPods.isEmpty, "pods of the superseded revision were ready endpoints: \(recorder.routedBadPods)")
        #expect(KStatus.of(promoted) != .failed)
    }

    @Test func aHotfixPromotedAtOnceOverABadRevisionWaitsForItsOwnPods() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("hotfix")
        try await cluster.create(Rollouts.manifest("pay", replicas: 3, spec: ["prePromotionAnalysis": Self.slowAnalysis]), namespace: ns)
        try await cluster.waitFor("pay", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" && $0["activeColor"] == "blue" }
        let recorder = try await TrafficRecorder(cluster: cluster, namespace: ns, service: "pay", badMarker: "bad")

        try await cluster.patch("pay", ns, template(version: "bad"))
        try await cluster.waitFor("pay", ns, "the bad revision is under analysis") { Rollouts.phase($0) == "Analyzing" }
        // The hotfix, promoted at once, as `opsagent promote` does.
        try await cluster.patch("pay", ns, ["metadata": ["annotations": ["opsagent.dev/promote": "hotfix"]],
                                            "spec": ["template": ["metadata": ["annotations": ["version": "fix"]]]]])
        let promoted = try await cluster.waitFor("pay", ns, "the hotfix serves on green", timeout: .seconds(90)) {
            $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy"
        }
        #expect(promoted["status"].condition("Promoted")?.reason == "PromotedWithoutAnalysis")
        try await recorder.finish()
        #expect(!recorder.badPods.isEmpty, "the bad revision ran pods")
        #expect(recorder.routedBadPods.isEmpty, "pods of the superseded revision were ready endpoints: \(recorder.routedBadPods)")
    }
}
