import Controllers
import Foundation
import KubeClient
import NIOConcurrencyHelpers
import OpsAPI

let bgdResource = BlueGreenDeployment.groupVersionResource

/// Keeps the latest status of every BlueGreenDeployment from a watch (the load generator's view).
final class StatusBoard: Sendable {
    struct Entry: Sendable { var generation: Int; var observed: Int; var phase: String }
    private let entries = NIOLockedValueBox([String: Entry]())
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func start(client: KubernetesClient) {
        let t = watchObjects(client, bgdResource, namespace: nil) { self.apply($0) }
        task.withLockedValue { $0 = t }
    }

    func stop() { task.withLockedValue { $0?.cancel() } }

    private func apply(_ object: JSONValue) {
        let key = "\(object["metadata"]["namespace"].stringValue ?? "")/\(object["metadata"]["name"].stringValue ?? "")"
        let entry = Entry(generation: object["metadata"]["generation"].intValue ?? 0,
                          observed: object["status"]["observedGeneration"].intValue ?? 0,
                          phase: object["status"]["phase"].stringValue ?? "")
        entries.withLockedValue { $0[key] = entry }
    }

    func entry(_ key: String) -> Entry? { entries.withLockedValue { $0[key] } }

    /// Healthy and its latest generation observed.
    static let healthy: @Sendable (Entry) -> Bool = { $0.phase == "Healthy" && $0.observed >= $0.generation && $0.generation > 0 }

    /// Waits until `condition` holds for every key; returns the wall time it took from `start`.
    func wait(_ keys: [String], since start: ContinuousClock.Instant, timeout: Duration,
              _ condition: @escaping @Sendable (Entry) -> Bool) async throws -> Duration {
        // Keys already seen to hold are not looked at again until the end, where all are
        // checked once more: the poll costs little while a thousand rollouts progress.
        var pending = keys[...]
        while true {
            let done = entries.withLockedValue { map in
                while let key = pending.first, map[key].map(condition) ?? false { pending = pending.dropFirst() }
                if !pending.isEmpty { return false }
                if keys.allSatisfy({ map[$0].map(condition) ?? false }) { return true }
                pending = keys[...]
                return false
            }
            if done { return ContinuousClock.now - start }
            if ContinuousClock.now - start > timeout {
                let missing = entries.withLockedValue { map in keys.filter { !(map[$0].map(condition) ?? false) } }
                throw BenchError("timed out after \(timeout): \(missing.count) of \(keys.count) not there, e.g. \(missing.prefix(3)) \(missing.first.flatMap { self.entry($0) }.map { "\($0)" } ?? "")")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// A BlueGreenDeployment without analysis checks, promoted automatically, old color scaled down at once:
/// the figures measure the operator and the cluster, not waiting periods.
func benchRollout(_ name: String, namespace: String, image: String = "registry.example/bench:1.0") -> JSONValue {
    [
        "apiVersion": .string(BlueGreenDeployment.definition.apiVersion), "kind": "BlueGreenDeployment",
        "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "spec": [
            "replicas": 1,
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": .string(image)]]],
            ],
            "activeService": ["name": .string(name)],
            "previewService": ["name": .string("\(name)-preview")],
            "autoPromotion": ["enabled": true, "delaySeconds": 0],
            "scaleDownDelaySeconds": 0,
        ],
    ]
}
