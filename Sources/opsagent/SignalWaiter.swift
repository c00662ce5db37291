import Foundation

/// Waits for SIGINT or SIGTERM (their default action is disabled meanwhile), for commands
/// that run in the foreground until stopped.
final class SignalWaiter: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        self.continuation = continuation
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The signal's number, or 0 when finished without one.
    func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }

    func finish() { continuation.finish() }
}
