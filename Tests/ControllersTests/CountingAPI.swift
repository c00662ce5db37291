import KubeClient
import NIOConcurrencyHelpers
import OperatorKit

/// Counts the operator's writes per resource and object, across operator restarts: the
/// proof that a step's side effect happened once.
final class CountingAPI: KubernetesAPI {
    let base: KubernetesClient
    private let writes = NIOLockedValueBox<[String: Int]>([:])
    init(_ base: KubernetesClient) { self.base = base }

    func count(_ verb: String, _ resource: String, _ namespace: String, _ name: String) -> Int {
        writes.withLockedValue { $0["\(verb) \(resource) \(namespace)/\(name)"] ?? 0 }
    }
    private func note(_ verb: String, _ resource: GroupVersionResource, _ namespace: String?, _ name: String?, _ subresource: String?) {
        guard subresource == nil else { return }
        writes.withLockedValue { $0["\(verb) \(resource.resource) \(namespace ?? "")/\(name ?? "")", default: 0] += 1 }
    }

    func get(_ resource: GroupVersionResource, name: String, namespace: String?, subresource: String?) async throws -> JSONValue {
        try await base.get(resource, name: name, namespace: namespace, subresource: subresource)
    }
    func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }
    func watchEvents(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> WatchEvents {
        try await base.watchEvents(resource, namespace: namespace, options: options)
    }
    func create(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?, options: WriteOptions) async throws -> JSONValue {
        let created = try await base.create(resource, object, namespace: namespace, options: options)
        note("create", resource, namespace, created["metadata"]["name"].stringValue, nil)
        return created
    }
    func update(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?, subresource: String?,
                options: WriteOptions) async throws -> JSONValue {
        let written = try await base.update(resource, object, namespace: namespace, subresource: subresource, options: options)
        note("update", resource, namespace, object["metadata"]["name"].stringValue, subresource)
        return written
    }
    func patch(_ resource: GroupVersionResource, name: String, namespace: String?, type: PatchType, body: JSONValue,
               subresource: String?, options: WriteOptions) async throws -> JSONValue {
        let written = try await base.patch(resource, name: name, namespace: namespace, type: type, body: body, subresource: subresource, options: options)
        note("patch", resource, namespace, name, subresource)
        return written
    }
    func delete(_ resource: GroupVersionResource, name: String, namespace: String?, options: DeleteOptions) async throws -> DeleteResult {
        let result = try await base.delete(resource, name: name, namespace: namespace, options: options)
        note("delete", resource, namespace, name, nil)
        return result
    }
}
