import NIOConcurrencyHelpers

/// Fans one stream of changes out to every subscriber. A subscriber that falls behind
/// loses its oldest undelivered changes (a dashboard wants the latest state, not a
/// backlog); publishing never waits for a subscriber.
final class Broadcaster<Element: Sendable>: Sendable {
    private let subscribers = NIOLockedValueBox<[Int: AsyncStream<Element>.Continuation]>([:])
    private let nextID = NIOLockedValueBox(0)
    private let buffer: Int

    init(buffer: Int = 256) { self.buffer = buffer }

    func publish(_ element: Element) {
        for continuation in subscribers.withLockedValue({ Array($0.values) }) { continuation.yield(element) }
    }

    /// A stream of every change published from now on; it ends when its consumer stops.
    func subscribe() -> AsyncStream<Element> {
        let id = nextID.withLockedValue { value in
            value += 1
            return value
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(buffer))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLockedValue { $0.removeValue(forKey: id) } }
        subscribers.withLockedValue { $0[id] = continuation }
        return stream
    }
}
