import Foundation
import KubeClient
import NIOConcurrencyHelpers
import OperatorKit

/// A small in-process API server for OperatorKit's unit tests: one global resourceVersion,
/// 409 on stale writes, `/status` semantics, generation bumps on spec changes, finalizers,
/// list paging, watch from a resourceVersion with history, bookmarks, compaction (410) and
/// dropped watches on demand. It counts every write so tests can assert that nothing was
/// written.
final class InMemoryCluster: KubernetesAPI {
    struct Write: Hashable, Sendable {
        var verb: String
        var resource: String
        var subresource: String?
        var name: String
    }

    private struct Watcher {
        let resource: GroupVersionResource
        let namespace: String?
        let continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    }

    private struct HistoryEntry {
        let revision: Int
        let resource: GroupVersionResource
        let event: WatchEvent
    }

    private struct State {
        var revision = 100
        var compactedThrough = 0
        var objects: [GroupVersionResource: [ObjectKey: JSONValue]] = [:]
        var history: [HistoryEntry] = []
        var watchers: [UInt64: Watcher] = [:]
        var nextWatcherID: UInt64 = 0
        var writes: [Write] = []
        var watchRequests: [WatchOptions] = []
        var listRequests: [ListOptions] = []
        var failNextWrites: [(verb: String, error: KubeError)] = []
        var failNextWatches: [KubeError] = []
        var forbiddenLists: Set<GroupVersionResource> = []
        var watchesHeld = false
        var heldWatchers: [CheckedContinuation<Void, Never>] = []
        var uidCounter = 0
    }

    private let state = NIOLockedValueBox(State())
    let clock: any OperatorClock
    /// What discovery lists (``serves(_:)``); nil: this API cannot tell, as an API without discovery.
    let served: Set<GroupVersionResource>?

    init(clock: any OperatorClock = SystemClock(), served: Set<GroupVersionResource>? = nil) {
        self.clock = clock
        self.served = served
    }

    func serves(_ resource: GroupVersionResource) async throws -> Bool? { served.map { $0.contains(resource) } }

    // MARK: test controls

    var writes: [Write] { state.withLockedValue { $0.writes } }
    func writes(verb: String? = nil, resource: GroupVersionResource? = nil, subresource: String? = nil) -> [Write] {
        writes.filter { write in
            (verb == nil || write.verb == verb) && (resource == nil || write.resource == resource!.resource)
                && (subresource == nil || write.subresource == subresource)
        }
    }
    var watchRequests: [WatchOptions] { state.withLockedValue { $0.watchRequests } }
    var listRequests: [ListOptions] { state.withLockedValue { $0.listRequests } }
    var activeWatchCount: Int { state.withLockedValue { $0.watchers.count } }
    var currentRevision: Int { state.withLockedValue { $0.revision } }

    /// Ends every open watch as a server restart or a load balancer would (no error).
    func dropWatches() {
        let watchers = state.withLockedValue { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish() }
    }

    /// Forgets all history: watches from an older resourceVersion get 410 Gone.
    func compact() {
        state.withLockedValue { state in
            state.compactedThrough = state.revision
            state.history.removeAll()
        }
    }

    /// Sends a bookmark with the current resourceVersion to every open watch.
    func sendBookmarks() {
        let (watchers, revision) = state.withLockedValue { (Array($0.watchers.values), $0.revision) }
        for watcher in watchers {
            watcher.continuation.yield(.bookmark(resourceVersion: String(revision), initialEventsEnd: false))
        }
    }

    /// Makes every list of `resource` fail with 403, as RBAC without `list` does, until
    /// allowed again.
    func forbidLists(of resource: GroupVersionResource, _ forbidden: Bool = true) {
        state.withLockedValue { state in
            if forbidden { state.forbiddenLists.insert(resource) } else { state.forbiddenLists.remove(resource) }
        }
    }

    /// Makes the next watch requests fail with `error`, once each.
    func failNextWatches(_ count: Int, with error: KubeError) {
        state.withLockedValue { $0.failNextWatches += Array(repeating: error, count: count) }
    }

    /// Makes new watch requests wait until ``releaseWatches()``: changes made meanwhile happen
    /// while no watch is open.
    func holdWatches() {
        state.withLockedValue { $0.watchesHeld = true }
    }

    func releaseWatches() {
        let held = state.withLockedValue { state in
            state.watchesHeld = false
            defer { state.heldWatchers.removeAll() }
            return state.heldWatchers
        }
        for waiter in held { waiter.resume() }
    }

    /// How many watch requests wait for ``releaseWatches()``.
    var heldWatchCount: Int { state.withLockedValue { $0.heldWatchers.count } }

    /// Makes the next write with `verb` fail with `error`.
    func failNextWrite(verb: String, with error: KubeError) {
        state.withLockedValue { $0.failNextWrites.append((verb, error)) }
    }

    /// Changes an object behind everyone's back (as another client would), bumping its
    /// resourceVersion.
    func mutate(_ resource: GroupVersionResource, _ key: ObjectKey, _ change: (inout JSONValue) -> Void) throws {
        try state.withLockedValue { state in
            guard var object = state.objects[resource]?[key] else { throw notFound(resource, key.name) }
            change(&object)
            store(&state, resource, key, object, type: .modified)
        }
    }

    /// Removes an object at once, ignoring finalizers.
    func forceDelete(_ resource: GroupVersionResource, _ key: ObjectKey) {
        state.withLockedValue { state in
            guard let object = state.objects[resource]?[key] else { return }
            removeObject(&state, resource, key, object)
        }
    }

    func object(_ resource: GroupVersionResource, _ key: ObjectKey) -> JSONValue? {
        state.withLockedValue { $0.objects[resource]?[key] }
    }

    // MARK: KubernetesAPI

    func get(_ resource: GroupVersionResource, name: String, namespace: String?, subresource: String?) async throws
        -> JSONValue
    {
        let key = ObjectKey(namespace: namespace, name: name)
        guard let object = state.withLockedValue({ $0.objects[resource]?[key] }) else {
            throw notFound(resource, name)
        }
        return object
    }

    func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try state.withLockedValue { state in
            state.listRequests.append(options)
            if state.forbiddenLists.contains(resource) {
                throw KubeError.status(.forbidden(resource: resource.resource, group: resource.group, reason: "list is not allowed"), httpCode: 403)
            }
            let selector = try options.labelSelector.map { try LabelSelector(parsing: $0) } ?? .everything
            let all = (state.objects[resource] ?? [:])
                .filter { namespace == nil || $0.key.namespace == namespace }
                .filter { selector.matches(object: $0.value) }
                .sorted { $0.key < $1.key }
                .map(\.value)
            var start = 0
            var listRevision = String(state.revision)
            if let token = options.continueToken {
                let parts = token.split(separator: ":")
                guard parts.count == 2, let offset = Int(parts[1]), let revision = Int(parts[0]) else {
                    throw KubeError.status(.badRequest("invalid continue token"), httpCode: 400)
                }
                if revision <= state.compactedThrough {
                    throw KubeError.status(.continueTokenExpired(), httpCode: 410)
                }
                start = offset
                listRevision = String(revision)
            }
            let limit = options.limit ?? all.count
            let end = min(all.count, start + max(limit, 1))
            let items = start < all.count ? Array(all[start..<end]) : []
            let token = end < all.count ? "\(listRevision):\(end)" : nil
            return ObjectList(items: items, resourceVersion: listRevision, continueToken: token)
        }
    }

    func watchEvents(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) async throws
        -> WatchEvents
    {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let held = state.withLockedValue { state in
                if state.watchesHeld { state.heldWatchers.append(waiter) }
                return state.watchesHeld
            }
            if !held { waiter.resume() }
        }
        if let failure = state.withLockedValue({ $0.failNextWatches.isEmpty ? nil : $0.failNextWatches.removeFirst() }) {
            state.withLockedValue { $0.watchRequests.append(options) }
            throw failure
        }
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        let registration: UInt64? = state.withLockedValue { state in
            state.watchRequests.append(options)
            let matches: (JSONValue) -> Bool = { object in
                namespace == nil || object["metadata"]["namespace"].stringValue == namespace
            }
            if let text = options.resourceVersion, text != "0", let from = Int(text) {
                if from < state.compactedThrough {
                    continuation.yield(
                        .expired(
                            .tooOldResourceVersion(requested: text, current: String(state.revision))))
                    continuation.finish()
                    return nil
                }
                for entry in state.history where entry.revision > from && entry.resource == resource {
                    if let object = entry.event.object, matches(object) { continuation.yield(entry.event) }
                }
            } else {
                for object in (state.objects[resource] ?? [:]).sorted(by: { $0.key < $1.key }).map(\.value)
                where matches(object) {
                    continuation.yield(.added(object))
                }
            }
            state.nextWatcherID += 1
            state.watchers[state.nextWatcherID] = Watcher(
                resource: resource, namespace: namespace, continuation: continuation)
            return state.nextWatcherID
        }
        if let registration {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLockedValue { $0.watchers.removeValue(forKey: registration) }
            }
        }
        return WatchEvents(stream)
    }

    func create(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String?, options: WriteOptions)
        async throws -> JSONValue
    {
        var object = object
        let namespace = namespace ?? object["metadata"]["namespace"].stringValue
        if (object["metadata"]["name"].stringValue ?? "").isEmpty, let prefix = object["metadata"]["generateName"].stringValue {
            object["metadata"]["name"] = .string(prefix + String(UUID().uuidString.prefix(5).lowercased()))
        }
        guard let name = object["metadata"]["name"].stringValue else {
            throw KubeError.status(.badRequest("name or generateName is required"), httpCode: 400)
        }
        let key = ObjectKey(namespace: namespace, name: name)
        let created = try state.withLockedValue { state -> JSONValue in
            try failIfRequested(&state, verb: "create")
            guard state.objects[resource]?[key] == nil else {
                throw KubeError.status(
                    .alreadyExists(resource: resource.resource, group: resource.group, name: name), httpCode: 409)
            }
            state.writes.append(Write(verb: "create", resource: resource.resource, subresource: nil, name: name))
            state.uidCounter += 1
            if let namespace { object["metadata"]["namespace"] = .string(namespace) }
            object["metadata"]["uid"] = .string("uid-\(state.uidCounter)")
            object["metadata"]["generation"] = 1
            object["metadata"]["creationTimestamp"] = .string(KubeTimestamp.format(clock.wallTime))
            object["status"] = .null
            store(&state, resource, key, object, type: .added)
            return state.objects[resource]![key]!
        }
        return created
    }

    func update(
        _ resource: GroupVersionResource, _ object: JSONValue, namespace: String?, subresource: String?,
        options: WriteOptions
    ) async throws -> JSONValue {
        guard let name = object["metadata"]["name"].stringValue else {
            throw KubeError.status(.badRequest("metadata.name is required"), httpCode: 400)
        }
        let key = ObjectKey(namespace: namespace ?? object["metadata"]["namespace"].stringValue, name: name)
        let updated = try state.withLockedValue { state -> JSONValue in
            try failIfRequested(&state, verb: "update")
            guard let current = state.objects[resource]?[key] else { throw notFound(resource, name) }
            guard let sent = object["metadata"]["resourceVersion"].stringValue else {
                throw KubeError.status(
                    .invalid(kind: resource.resource, name: name, errors: []), httpCode: 422)
            }
            guard sent == current["metadata"]["resourceVersion"].stringValue else {
                throw KubeError.status(
                    .conflict(resource: resource.resource, group: resource.group, name: name), httpCode: 409)
            }
            state.writes.append(Write(verb: "update", resource: resource.resource, subresource: subresource, name: name))
            var next = current
            if subresource == "status" {
                next["status"] = object["status"]
            } else {
                next = object
                next["status"] = current["status"]
                for field in ["uid", "creationTimestamp", "generation", "deletionTimestamp"] {
                    next["metadata"][field] = current["metadata"][field]
                }
                if Self.spec(of: next) != Self.spec(of: current) {
                    next["metadata"]["generation"] = .int(Int64((current["metadata"]["generation"].intValue ?? 0) + 1))
                }
            }
            return try commit(&state, resource, key, current: current, next: next)
        }
        return updated
    }

    func patch(
        _ resource: GroupVersionResource, name: String, namespace: String?, type: PatchType, body: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> JSONValue {
        guard type == .merge else {
            throw KubeError.status(.unsupportedMediaType(accepted: ["application/merge-patch+json"]), httpCode: 415)
        }
        let key = ObjectKey(namespace: namespace, name: name)
        let patched = try state.withLockedValue { state -> JSONValue in
            try failIfRequested(&state, verb: "patch")
            guard let current = state.objects[resource]?[key] else { throw notFound(resource, name) }
            if let precondition = body["metadata"]["resourceVersion"].stringValue,
                precondition != current["metadata"]["resourceVersion"].stringValue
            {
                throw KubeError.status(
                    .conflict(resource: resource.resource, group: resource.group, name: name), httpCode: 409)
            }
            state.writes.append(Write(verb: "patch", resource: resource.resource, subresource: subresource, name: name))
            var next = Self.applyMergePatch(body, to: current)
            next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            if subresource == "status" {
                var onlyStatus = current
                onlyStatus["status"] = next["status"]
                next = onlyStatus
            } else {
                next["status"] = current["status"]
                if Self.spec(of: next) != Self.spec(of: current) {
                    next["metadata"]["generation"] = .int(Int64((current["metadata"]["generation"].intValue ?? 0) + 1))
                }
            }
            return try commit(&state, resource, key, current: current, next: next)
        }
        return patched
    }

    func delete(_ resource: GroupVersionResource, name: String, namespace: String?, options: DeleteOptions)
        async throws -> DeleteResult
    {
        let key = ObjectKey(namespace: namespace, name: name)
        let result = try state.withLockedValue { state -> DeleteResult in
            try failIfRequested(&state, verb: "delete")
            guard let current = state.objects[resource]?[key] else { throw notFound(resource, name) }
            state.writes.append(Write(verb: "delete", resource: resource.resource, subresource: nil, name: name))
            if !(current["metadata"]["finalizers"].arrayValue ?? []).isEmpty {
                if !current["metadata"]["deletionTimestamp"].isNull { return .pending(current) }
                var next = current
                next["metadata"]["deletionTimestamp"] = .string(KubeTimestamp.format(clock.wallTime))
                next["metadata"]["generation"] = .int(Int64((current["metadata"]["generation"].intValue ?? 0) + 1))
                store(&state, resource, key, next, type: .modified)
                return .pending(state.objects[resource]![key]!)
            }
            removeObject(&state, resource, key, current)
            return .deleted(.success(name: name, group: resource.group, kind: resource.resource))
        }
        return result
    }

    // MARK: internals (called with the lock held)

    private func commit(
        _ state: inout State, _ resource: GroupVersionResource, _ key: ObjectKey, current: JSONValue, next: JSONValue
    ) throws -> JSONValue {
        if next == current { return current }
        if !current["metadata"]["deletionTimestamp"].isNull, (next["metadata"]["finalizers"].arrayValue ?? []).isEmpty {
            removeObject(&state, resource, key, next)
            return next
        }
        store(&state, resource, key, next, type: .modified)
        return state.objects[resource]![key]!
    }

    private enum EventType { case added, modified }

    private func store(
        _ state: inout State, _ resource: GroupVersionResource, _ key: ObjectKey, _ object: JSONValue, type: EventType
    ) {
        state.revision += 1
        var object = object
        object["metadata"]["resourceVersion"] = .string(String(state.revision))
        state.objects[resource, default: [:]][key] = object
        let event: WatchEvent = type == .added ? .added(object) : .modified(object)
        record(&state, resource, event, namespace: key.namespace)
    }

    private func removeObject(
        _ state: inout State, _ resource: GroupVersionResource, _ key: ObjectKey, _ object: JSONValue
    ) {
        state.revision += 1
        var object = object
        object["metadata"]["resourceVersion"] = .string(String(state.revision))
        state.objects[resource]?[key] = nil
        record(&state, resource, .deleted(object), namespace: key.namespace)
    }

    private func record(_ state: inout State, _ resource: GroupVersionResource, _ event: WatchEvent, namespace: String?)
        
    {
        state.history.append(HistoryEntry(revision: state.revision, resource: resource, event: event))
        // Yield while still holding the lock so every watcher sees events in revision order.
        for watcher in state.watchers.values
        where watcher.resource == resource && (watcher.namespace == nil || watcher.namespace == namespace) {
            watcher.continuation.yield(event)
        }
    }

    private func failIfRequested(_ state: inout State, verb: String) throws {
        if let index = state.failNextWrites.firstIndex(where: { $0.verb == verb }) {
            throw state.failNextWrites.remove(at: index).error
        }
    }

    private func notFound(_ resource: GroupVersionResource, _ name: String) -> KubeError {
        .status(.notFound(resource: resource.resource, group: resource.group, name: name), httpCode: 404)
    }

    private static func spec(of object: JSONValue) -> JSONValue {
        var copy = object
        copy["metadata"] = .null
        copy["status"] = .null
        return copy
    }

    /// RFC 7386.
    static func applyMergePatch(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in members {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = applyMergePatch(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}

