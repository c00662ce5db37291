import KubeClient
import NIOConcurrencyHelpers

/// The resourceVersion of the last write a controller made to each object: the expectations
/// of client-go's controllers. A reconciler records what the server answered to its writes
/// and asks ``isBehind(_:_:)`` before acting on a cached object: one older than its own last
/// write (a Deployment scaled down a moment ago that still looks ready, a status the watch
/// has not delivered yet) is not acted on; the watch delivers it shortly, so requeue.
///
/// An expectation lapses after `lapse` (client-go's do too), so a write whose event never
/// arrives (the object left the informer's selector, say) cannot stall a reconciler.
/// resourceVersions are compared as numbers, as etcd and the embedded cluster write them;
/// an object without a numeric one is never considered behind.
public final class WriteExpectations: Sendable {
    private struct Key: Hashable {
        var resource: GroupVersionResource
        var object: ObjectKey

        /// The key of `object` with its resourceVersion; nil without a numeric one.
        static func of(_ resource: GroupVersionResource, _ object: JSONValue) -> (key: Key, version: UInt64)? {
            guard let version = object["metadata"]["resourceVersion"].stringValue.flatMap(UInt64.init),
                  let key = ObjectKey(of: object) else { return nil }
            return (Key(resource: resource, object: key), version)
        }
    }

    private struct Entry {
        var version: UInt64
        var at: ClockInstant
        /// The object reconciled when the write was made (the owner of a child).
        var owner: ObjectKey
    }

    private let entries = NIOLockedValueBox<[Key: Entry]>([:])
    private let clock: any OperatorClock
    public let lapse: Duration

    public init(clock: any OperatorClock = SystemClock(), lapse: Duration = .seconds(5)) {
        self.clock = clock
        self.lapse = lapse
    }

    /// Notes a write made while reconciling `owner`: `object` is what the server answered.
    public func record(_ resource: GroupVersionResource, _ object: JSONValue, owner: ObjectKey) {
        guard let (key, version) = Key.of(resource, object) else { return }
        let now = clock.now
        entries.withLockedValue { $0[key] = Entry(version: version, at: now, owner: owner) }
    }

    /// Whether the cached object is older than the last write noted for it. Once the cache
    /// has caught up, or the expectation has lapsed, it is dropped.
    public func isBehind(_ resource: GroupVersionResource, _ cached: JSONValue) -> Bool {
        guard let (key, version) = Key.of(resource, cached) else { return false }
        let now = clock.now
        return entries.withLockedValue { state in
            guard let written = state[key] else { return false }
            if version >= written.version || written.at.duration(to: now) > lapse {
                state.removeValue(forKey: key)
                return false
            }
            return true
        }
    }

    /// Drops what was noted while reconciling `owner` (gone, with its children).
    public func forget(owner: ObjectKey) {
        entries.withLockedValue { state in state = state.filter { $0.value.owner != owner } }
    }

    /// How many writes are awaited.
    public var count: Int { entries.withLockedValue { $0.count } }
}
