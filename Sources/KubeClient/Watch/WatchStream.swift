/// The events of one watch request, in order, as an `AsyncSequence`.
///
/// The sequence ends when the server closes the stream (for example after `timeoutSeconds`);
/// resuming from the last `resourceVersion` is the caller's choice (OperatorKit's informer
/// does it). Reading slowly pauses the transfer instead of buffering without bound.
public struct WatchStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent
    let body: ResponseBodyStream
    let options: JSONParseOptions

    public init(body: ResponseBodyStream, options: JSONParseOptions = .default) {
        self.body = body
        self.options = options
    }

    /// Stops the watch; the iterator ends with `CancellationError`.
    public func cancel() { body.cancel() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: ResponseBodyStream.AsyncIterator
        let options: JSONParseOptions
        var splitter = LineSplitter()
        var ready: [[UInt8]] = []
        var readyIndex = 0
        var ended = false

        public mutating func next() async throws -> WatchEvent? {
            while true {
                if readyIndex < ready.count {
                    let line = ready[readyIndex]
                    readyIndex += 1
                    return try WatchEvent(line: line, options: options)
                }
                if ended { return nil }
                ready = []
                readyIndex = 0
                if let chunk = try await chunks.next() {
                    ready = try splitter.feed(chunk)
                } else {
                    ended = true
                    if let rest = splitter.finish() { ready = [rest] }
                }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: body.makeAsyncIterator(), options: options) }
}
