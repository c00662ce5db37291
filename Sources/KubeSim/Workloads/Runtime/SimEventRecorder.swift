import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers

/// `Normal` or `Warning`, as `kubectl get events` shows them.
enum EventType: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Which component reports an event (`source.component` / `reportingComponent`), and on
/// which node for the kubelet.
struct EventSource: Sendable, Hashable {
    var component: String
    var host: String?

    static let deploymentController = EventSource(component: "deployment-controller")
    static let replicaSetController = EventSource(component: "replicaset-controller")
    static let scheduler = EventSource(component: "default-scheduler")
    static let jobController = EventSource(component: "job-controller")
    static let cronJobController = EventSource(component: "cronjob-controller")
    static let endpointSliceController = EventSource(component: "endpoint-slice-controller")
    static func kubelet(_ node: String) -> EventSource { EventSource(component: "kubelet", host: node) }
}

/// The object an event is about (`involvedObject`).
struct InvolvedObject: Sendable, Hashable {
    var kind: String
    var apiVersion: String
    var namespace: String
    var name: String
    var uid: String
    var resourceVersion: String
    /// `spec.containers{web}` for kubelet events about one container.
    var fieldPath: String?

    init(_ object: JSONValue, kind: String, apiVersion: String, fieldPath: String? = nil) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.namespace = object.sim.namespace
        self.name = object.sim.name
        self.uid = object.sim.uid
        self.resourceVersion = object.sim.resourceVersion
        self.fieldPath = fieldPath
    }

    func container(_ name: String) -> InvolvedObject {
        var copy = self
        copy.fieldPath = "spec.containers{\(name)}"
        return copy
    }

    var json: JSONValue {
        var value: JSONValue = [
            "kind": .string(kind), "apiVersion": .string(apiVersion), "name": .string(name), "uid": .string(uid),
        ]
        if !namespace.isEmpty { value["namespace"] = .string(namespace) }
        if !resourceVersion.isEmpty { value["resourceVersion"] = .string(resourceVersion) }
        if let fieldPath { value["fieldPath"] = .string(fieldPath) }
        return value
    }
}

/// Records core/v1 Events for what the simulated controllers do, as client-go's recorder
/// does: named `<object>.<hex nanoseconds>`, and the same event about the same object
/// repeated bumps `count` and `lastTimestamp` instead of creating a new one.
///
/// Recording never blocks a controller: events queue up and one task writes them. Events
/// older than the time-to-live are deleted, as kube-apiserver's `--event-ttl` does.
final class SimEventRecorder: Sendable {
    private struct Pending: Sendable {
        var involved: InvolvedObject
        var type: EventType
        var reason: String
        var message: String
        var source: EventSource
        var time: Date
    }

    private struct AggregateKey: Hashable, Sendable {
        var uid: String
        var fieldPath: String?
        var reason: String
        var message: String
        var source: EventSource
        var type: EventType
    }

    private struct State: Sendable {
        var pending: [Pending] = []
        var aggregates: [AggregateKey: StoreKey] = [:]
        var aggregateOrder: [AggregateKey] = []
        var expiries: [(at: Date, key: StoreKey)] = []
        var expiryStart = 0
        var lastNanos: UInt64 = 0
        var stopped = false
    }

    private let client: ClusterClient
    private let ttl: TimeInterval
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    /// How many distinct events are remembered for aggregation.
    private let aggregateCapacity = 20_000

    init(client: ClusterClient, ttl: TimeInterval, logger: Logger) {
        self.client = client
        self.ttl = ttl
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func record(_ involved: InvolvedObject, _ type: EventType, reason: String, message: String,
                source: EventSource) {
        let queued = state.withLockedValue { s -> Bool in
            if s.stopped { return false }
            s.pending.append(Pending(involved: involved, type: type, reason: reason, message: message,
                                     source: source, time: Date()))
            return true
        }
        if queued { wake.yield() }
    }

    /// Writes queued events until `stop()`.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wake, ttl] in
                // Wake up now and then to delete expired events.
                let period = min(max(ttl / 4, 0.05), 30)
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(period)) } catch { return }
                    wake.yield()
                }
            }
            for await _ in wakes {
                let (batch, stopped) = state.withLockedValue { s -> ([Pending], Bool) in
                    defer { s.pending.removeAll(keepingCapacity: true) }
                    return (s.pending, s.stopped)
                }
                for event in batch { write(event) }
                expire()
                if stopped { break }
            }
            group.cancelAll()
        }
    }

    func stop() {
        state.withLockedValue { $0.stopped = true }
        wake.yield()
        wake.finish()
    }

    private func write(_ event: Pending) {
        let aggregate = AggregateKey(uid: event.involved.uid, fieldPath: event.involved.fieldPath,
                                     reason: event.reason, message: event.message, source: event.source,
                                     type: event.type)
        if let existing = state.withLockedValue({ $0.aggregates[aggregate] }),
           let current = client.object(WorkloadResource.events, existing) {
            var updated = current
            updated["count"] = .int(Int64((current["count"].intValue ?? 1) + 1))
            updated["lastTimestamp"] = SimTime.string(event.time)
            updated["involvedObject"] = event.involved.json
            do {
                try client.update(WorkloadResource.events, updated)
                return
            } catch {
                // Changed or gone meanwhile: record it afresh.
            }
        }
        let namespace = event.involved.namespace.isEmpty ? "default" : event.involved.namespace
        let name = "\(event.involved.name).\(String(nextNanos(event.time), radix: 16))"
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": event.involved.json,
            "reason": .string(event.reason), "message": .string(event.message),
            "source": ["component": .string(event.source.component)],
            "firstTimestamp": SimTime.string(event.time), "lastTimestamp": SimTime.string(event.time),
            "count": 1, "type": .string(event.type.rawValue),
            "reportingComponent": .string(event.source.component),
            "reportingInstance": .string(event.source.host ?? ""),
        ]
        if let host = event.source.host { object[path: ["source", "host"]] = .string(host) }
        do {
            try client.create(WorkloadResource.events, object)
        } catch {
            // A namespace being deleted refuses new events; nothing to do about it.
            logger.debug("could not record event", metadata: ["reason": "\(event.reason)", "error": "\(error)"])
            return
        }
        let key = StoreKey(namespace: namespace, name: name)
        state.withLockedValue { s in
            if s.aggregates.updateValue(key, forKey: aggregate) == nil {
                s.aggregateOrder.append(aggregate)
                if s.aggregateOrder.count > aggregateCapacity {
                    let drop = s.aggregateOrder.count / 2
                    for old in s.aggregateOrder.prefix(drop) { s.aggregates.removeValue(forKey: old) }
                    s.aggregateOrder.removeFirst(drop)
                }
            }
            s.expiries.append((event.time.addingTimeInterval(ttl), key))
        }
    }

    /// Deletes events past their time-to-live.
    private func expire() {
        let now = Date()
        let due = state.withLockedValue { s -> [StoreKey] in
            var out: [StoreKey] = []
            while s.expiryStart < s.expiries.count, s.expiries[s.expiryStart].at <= now {
                out.append(s.expiries[s.expiryStart].key)
                s.expiryStart += 1
            }
            if s.expiryStart > 1024, s.expiryStart * 2 > s.expiries.count {
                s.expiries.removeFirst(s.expiryStart)
                s.expiryStart = 0
            }
            return out
        }
        for key in due {
            do { try client.delete(WorkloadResource.events, key) } catch {
                logger.debug("could not delete expired event \(key): \(error)")
            }
        }
    }

    /// Unique, increasing nanosecond stamps for event names.
    private func nextNanos(_ date: Date) -> UInt64 {
        let nanos = UInt64(max(0, date.timeIntervalSince1970 * 1_000_000_000))
        return state.withLockedValue { s in
            s.lastNanos = max(s.lastNanos + 1, nanos)
            return s.lastNanos
        }
    }
}
