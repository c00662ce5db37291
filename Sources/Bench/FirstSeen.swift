import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// Watches one resource in a namespace and records, per object name, the first time a
/// watch event showed `condition` holding: when a client could first see a state.
final class FirstSeen: Sendable {
    private let seen = NIOLockedValueBox([String: ContinuousClock.Instant]())
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func start(client: KubernetesClient, _ resource: GroupVersionResource, namespace: String,
               _ condition: @escaping @Sendable (JSONValue) -> Bool) {
        let t = watchObjects(client, resource, namespace: namespace) { self.apply($0, condition) }
        task.withLockedValue { $0 = t }
    }

    func stop() { task.withLockedValue { $0?.cancel() } }

    private func apply(_ object: JSONValue, _ condition: (JSONValue) -> Bool) {
        guard let name = object["metadata"]["name"].stringValue, condition(object) else { return }
        let now = ContinuousClock.now
        seen.withLockedValue { if $0[name] == nil { $0[name] = now } }
    }

    func time(_ name: String) -> ContinuousClock.Instant? { seen.withLockedValue { $0[name] } }
    func forget(_ name: String) { _ = seen.withLockedValue { $0.removeValue(forKey: name) } }
}

/// Lists, then watches `resource` (in `namespace`, or everywhere), handing every object seen
/// to `apply`; relists after an error, until the task is cancelled.
func watchObjects(_ client: KubernetesClient, _ resource: GroupVersionResource, namespace: String?,
                  _ apply: @escaping @Sendable (JSONValue) -> Void) -> Task<Void, Never> {
    Task {
        var resourceVersion: String?
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    let list = try await client.list(resource, namespace: namespace, options: ListOptions(omitManagedFields: true))
                    for item in list.items { apply(item) }
                    resourceVersion = list.resourceVersion
                }
                let stream = try await client.watch(resource, namespace: namespace, options: WatchOptions(
                    resourceVersion: resourceVersion, timeoutSeconds: 3600, omitManagedFields: true))
                for try await event in stream {
                    if let object = event.object { apply(object) }
                    if let rv = event.resourceVersion { resourceVersion = rv }
                }
            } catch {
                resourceVersion = nil
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
