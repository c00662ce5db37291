import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers

/// Records Kubernetes Events about objects, aggregated as client-go's `EventCorrelator` does,
/// without ever blocking the caller. It writes events.k8s.io/v1 Events where the server serves
/// that API (as client-go's `tools/events` recorder does) and core/v1 Events otherwise (see
/// ``EventsAPIVersion``); `Configuration.eventsAPI` can pin one.
///
/// - the same event (object, type, reason, message) again within `window` updates the
///   existing Event instead of creating another: its `series` (`count`, `lastObservedTime`)
///   through events.k8s.io, its `count` and `lastTimestamp` through core/v1;
/// - once `similarThreshold` events with the same object, type and reason but different
///   messages arrive within `window`, further ones are folded into a single Event whose
///   message starts with "(combined from similar events): ".
///
/// ``record(_:type:reason:message:)`` only enqueues (dropping the oldest when `bufferSize` is
/// exceeded) and logs the event at info level (or warning) with the object's key, so the
/// lifecycle of every object shows in the logs too, with the reconcile ID of the reconcile that
/// recorded it; ``run()`` writes. A write that fails for a reason that may pass (5xx, 429,
/// timeouts, network) is tried again, up to `maxAttempts` times (client-go's
/// `maxTriesPerEvent`), after the delays of `retryBackoff` (or the server's `Retry-After`);
/// other failures, and an event still failing after that, are logged and dropped.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public struct Configuration: Sendable {
        /// `source.component` / `reportingComponent`.
        public var component: String
        /// `source.host` / `reportingInstance`.
        public var instance: String
        public var window: Duration = .seconds(600)
        public var similarThreshold = 10
        public var bufferSize = 1000
        /// Attempts per Event write, the first included.
        public var maxAttempts = 12
        /// The delays between attempts: 1 s doubling up to 10 s (client-go sleeps 10 s).
        public var retryBackoff = Backoff(initial: .seconds(1), maximum: .seconds(10), factor: 2, jitter: 0.2)
        /// The Events API to write; nil: events.k8s.io/v1 when discovery lists it, else core/v1.
        public var eventsAPI: EventsAPIVersion?

        public init(component: String, instance: String = ProcessInfo.processInfo.hostName) {
            self.component = component
            self.instance = instance
        }
    }

    struct Pending: Sendable {
        var object: JSONValue
        var type: EventType
        var reason: String
        var message: String
        /// When it was recorded, on the monotonic and the wall clock.
        var instant: ClockInstant
        var time: Date
    }

    private let configuration: Configuration
    private let api: any KubernetesAPI
    private let clock: any OperatorClock
    private let logger: Logger
    private let stream: AsyncStream<Pending>
    private let continuation: AsyncStream<Pending>.Continuation
    private let written = NIOLockedValueBox(0)
    /// Makes event names unique even when two events share a timestamp.
    private let sequence = NIOLockedValueBox<UInt64>(0)

    public init(
        configuration: Configuration, api: any KubernetesAPI, clock: any OperatorClock = SystemClock(),
        logger: Logger = Logger(label: "opsagent.events")
    ) {
        self.configuration = configuration
        self.api = api
        self.clock = clock
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Pending.self, bufferingPolicy: .bufferingNewest(configuration.bufferSize))
    }

    /// Records an event about `object` (a raw object with apiVersion, kind and metadata).
    public func record(_ object: JSONValue, type: EventType, reason: String, message: String) {
        let metadata: Logger.Metadata = [
            "object": "\(ObjectKey(of: object)?.description ?? "?")",
            "kind": "\(object["kind"].stringValue ?? "")", "reason": "\(reason)",
        ]
        logger.log(level: type == .warning ? .warning : .info, "\(message)", metadata: metadata)
        continuation.yield(
            Pending(
                object: object, type: type, reason: reason, message: message, instant: clock.now, time: clock.wallTime))
    }

    public func normal(_ object: JSONValue, reason: String, message: String) {
        record(object, type: .normal, reason: reason, message: message)
    }

    public func warning(_ object: JSONValue, reason: String, message: String) {
        record(object, type: .warning, reason: reason, message: message)
    }

    /// How many event writes (creates and count bumps) succeeded so far.
    public var writeCount: Int { written.withLockedValue { $0 } }

    /// Stops accepting events; ``run()`` returns once the buffered ones are written.
    public func finish() { continuation.finish() }

    /// Writes recorded events until ``finish()`` is called or the task is cancelled.
    public func run() async {
        var correlator = EventCorrelator(window: configuration.window, similarThreshold: configuration.similarThreshold)
        var version = configuration.eventsAPI
        for await pending in stream {
            if version == nil { version = await EventsAPIVersion.discover(api) }
            await write(pending, through: version ?? .coreV1, correlator: &correlator)
        }
    }

    private func write(_ pending: Pending, through version: EventsAPIVersion, correlator: inout EventCorrelator) async {
        guard let reference = Self.reference(to: pending.object) else {
            logger.debug("event about an object without kind or name dropped", metadata: ["reason": "\(pending.reason)"])
            return
        }
        let now = pending.instant
        let decision = correlator.correlate(
            objectUID: reference["uid"].stringValue ?? ObjectKey(of: pending.object)?.description ?? "",
            type: pending.type.rawValue, reason: pending.reason, message: pending.message, now: now)
        let namespace = reference["namespace"].stringValue ?? "default"
        var request: EventWrite
        switch decision {
        case .create(let key, let message):
            request = .create(key, newEvent(version, reference: reference, namespace: namespace, pending: pending,
                                            message: message))
        case .bump(let key, let name, let eventNamespace, let count):
            request = .bump(key, name: name, namespace: eventNamespace, count: count)
        }
        var backoff = configuration.retryBackoff
        var attempt = 1
        while true {
            do {
                switch request {
                case .create(let key, let event):
                    do {
                        _ = try await api.create(version.resource, event, namespace: namespace)
                    } catch let error as KubeError where error.isAlreadyExists && attempt > 1 {
                        // An earlier attempt was written though its answer was lost.
                    }
                    correlator.remember(key, name: event["metadata"]["name"].stringValue ?? "", namespace: namespace,
                                        count: 1, now: now)
                case .bump(let key, let name, let eventNamespace, let count):
                    let patch = version.repeatPatch(count: count, time: pending.time)
                    do {
                        _ = try await api.patch(version.resource, name: name, namespace: eventNamespace, type: .merge,
                                                body: patch)
                        correlator.remember(key, name: name, namespace: eventNamespace, count: count, now: now)
                    } catch let error as KubeError where error.isNotFound {
                        // The event expired (events have a TTL): start a new one.
                        correlator.forget(key)
                        let message = key.message == nil ? "(combined from similar events): " + pending.message : pending.message
                        request = .create(key, newEvent(version, reference: reference, namespace: namespace,
                                                        pending: pending, message: message))
                        continue
                    }
                }
                written.withLockedValue { $0 += 1 }
                return
            } catch let error as KubeError where error.isRetryable && attempt < configuration.maxAttempts {
                let delay = error.retryAfter ?? backoff.nextDelay(now: clock.now)
                logger.debug(
                    "could not write event; retrying",
                    metadata: ["reason": "\(pending.reason)", "attempt": .stringConvertible(attempt), "error": "\(error)"])
                attempt += 1
                do { try await clock.sleep(for: delay) } catch {
                    logger.warning("event dropped at shutdown", metadata: ["reason": "\(pending.reason)"])
                    return
                }
            } catch {
                logger.warning(
                    "could not write event; dropped",
                    metadata: ["reason": "\(pending.reason)", "attempts": .stringConvertible(attempt), "error": "\(error)"])
                return
            }
        }
    }

    /// A write the recorder makes: a new Event, or a count bump of one it wrote.
    private enum EventWrite {
        case create(EventCorrelator.Key, JSONValue)
        case bump(EventCorrelator.Key, name: String, namespace: String, count: Int)
    }

    private func newEvent(_ version: EventsAPIVersion, reference: JSONValue, namespace: String, pending: Pending,
                          message: String) -> JSONValue {
        let serial = sequence.withLockedValue { value -> UInt64 in
            value &+= 1
            return value
        }
        let nanoseconds = UInt64(max(0, pending.time.timeIntervalSince1970) * 1e9)
        let name = "\(reference["name"].stringValue ?? "object").\(String(nanoseconds &+ serial, radix: 16))"
        return version.newEvent(name: name, namespace: namespace, reference: reference, type: pending.type.rawValue,
                                reason: pending.reason, message: message, component: configuration.component,
                                instance: configuration.instance, time: pending.time)
    }

    /// The `involvedObject` (`regarding`) reference of an object.
    static func reference(to object: JSONValue) -> JSONValue? {
        guard let kind = object["kind"].stringValue, let name = object["metadata"]["name"].stringValue else { return nil }
        var reference: JSONValue = ["kind": .string(kind), "name": .string(name)]
        reference["apiVersion"] = object["apiVersion"]
        reference["namespace"] = object["metadata"]["namespace"]
        reference["uid"] = object["metadata"]["uid"]
        reference["resourceVersion"] = object["metadata"]["resourceVersion"]
        return reference
    }
}
