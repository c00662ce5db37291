import KubeClient

/// The events of one watch, type-erased so that any `AsyncSequence` of ``WatchEvent`` — the
/// client's HTTP stream or a test server's channel — can feed an informer.
public struct WatchEvents: AsyncSequence, Sendable {
    public typealias Element = WatchEvent

    private let makeIterator: @Sendable () -> AsyncIterator

    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == WatchEvent {
        makeIterator = { AsyncIterator(base: ErasedIterator(base: base.makeAsyncIterator())) }
    }

    public func makeAsyncIterator() -> AsyncIterator { makeIterator() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: any WatchEventIterator

        public mutating func next() async throws -> WatchEvent? {
            try await base.next()
        }
    }
}

/// An iterator of watch events, whatever sequence it comes from.
protocol WatchEventIterator {
    mutating func next() async throws -> WatchEvent?
}

private struct ErasedIterator<Base: AsyncIteratorProtocol>: WatchEventIterator where Base.Element == WatchEvent {
    var base: Base

    mutating func next() async throws -> WatchEvent? {
        try await base.next()
    }
}
