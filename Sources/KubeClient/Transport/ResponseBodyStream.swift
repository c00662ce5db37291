import Dispatch
import Synchronization

/// The body of a streamed response, consumed as an `AsyncSequence` of byte chunks.
///
/// The producer (libcurl's write callback on the transport thread) appends chunks; once
/// more than `highWater` bytes wait unread, the producer is told to pause the transfer,
/// and the consumer resumes it after draining below `lowWater`. Memory held per stream is
/// therefore bounded by `highWater` plus one network chunk, however slow the reader.
public final class ResponseBodyStream: AsyncSequence, Sendable {
    public typealias Element = ArraySlice<UInt8>

    struct State {
        var chunks: [ArraySlice<UInt8>] = []
        var head = 0
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<ArraySlice<UInt8>?, any Error>?
        var producerPaused = false
        var cancelled = false
    }

    let state = Mutex(State())
    let highWater: Int
    let lowWater: Int
    /// Asks the transport to resume a paused transfer (`curl_easy_pause`, on the calling thread under the engine's lock).
    let resumeProducer: @Sendable () -> Void
    /// Asks the transport to abandon the transfer because nobody reads it any more.
    let cancelProducer: @Sendable () -> Void

    init(highWater: Int = 1 << 20, resume: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void) {
        self.highWater = highWater
        self.lowWater = highWater / 4
        self.resumeProducer = resume
        self.cancelProducer = cancel
    }

    // MARK: producer side (transport thread)

    /// Offers a chunk. Returns `false` when the buffer is full: the caller must pause the
    /// transfer and offer the same bytes again once resumed.
    func offer(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let waiter: CheckedContinuation<ArraySlice<UInt8>?, any Error>?
        let chunk = ArraySlice(bytes)
        let accepted: Bool
        (accepted, waiter) = state.withLock { s -> (Bool, CheckedContinuation<ArraySlice<UInt8>?, any Error>?) in
            if s.cancelled { return (true, nil) }
            if let w = s.waiter {
                s.waiter = nil
                return (true, w)
            }
            if s.buffered >= highWater {
                s.producerPaused = true
                return (false, nil)
            }
            s.chunks.append(chunk)
            s.buffered += chunk.count
            return (true, nil)
        }
        waiter?.resume(returning: chunk)
        return accepted
    }

    func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { s -> CheckedContinuation<ArraySlice<UInt8>?, any Error>? in
            guard !s.finished else { return nil }
            s.finished = true
            s.failure = error
            let w = s.waiter
            s.waiter = nil
            return w
        }
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    /// Bytes buffered and not yet read (for tests and metrics).
    public var bufferedByteCount: Int { state.withLock { $0.buffered } }

    // MARK: consumer side

    func next() async throws -> ArraySlice<UInt8>? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ArraySlice<UInt8>?, any Error>) in
                enum Outcome { case chunk(ArraySlice<UInt8>, resume: Bool), end, fail(any Error), wait }
                let outcome = state.withLock { s -> Outcome in
                    if s.head < s.chunks.count {
                        let c = s.chunks[s.head]
                        s.head += 1
                        s.buffered -= c.count
                        if s.head > 64, s.head * 2 > s.chunks.count {
                            s.chunks.removeFirst(s.head)
                            s.head = 0
                        }
                        var resume = false
                        if s.producerPaused, s.buffered <= lowWater {
                            s.producerPaused = false
                            resume = true
                        }
                        return .chunk(c, resume: resume)
                    }
                    if s.cancelled { return .fail(CancellationError()) }
                    if s.finished { return s.failure.map { .fail($0) } ?? .end }
                    if s.producerPaused {
                        s.producerPaused = false
                        s.waiter = continuation
                        return .chunk([], resume: true)
                    }
                    s.waiter = continuation
                    return .wait
                }
                switch outcome {
                case .chunk(let c, let resume):
                    if resume { resumeProducer() }
                    if !c.isEmpty || !resume { continuation.resume(returning: c) }
                case .end: continuation.resume(returning: nil)
                case .fail(let e): continuation.resume(throwing: e)
                case .wait: break
                }
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// Stops the transfer; a pending or later `next()` throws `CancellationError`.
    public func cancel() {
        let waiter = state.withLock { s -> CheckedContinuation<ArraySlice<UInt8>?, any Error>? in
            guard !s.cancelled, !s.finished else { return nil }
            s.cancelled = true
            s.chunks = []
            s.head = 0
            s.buffered = 0
            let w = s.waiter
            s.waiter = nil
            return w
        }
        cancelProducer()
        waiter?.resume(throwing: CancellationError())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ResponseBodyStream
        public mutating func next() async throws -> ArraySlice<UInt8>? { try await stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }

    /// Reads the whole remaining body (bounded by `limit` bytes).
    public func collect(upTo limit: Int = .max) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in self {
            out.append(contentsOf: chunk)
            if out.count > limit { throw KubeError.decoding("response body exceeds \(limit) bytes") }
        }
        return out
    }

    deinit {
        let active = state.withLock { !$0.finished && !$0.cancelled }
        // The last reference can go inside libcurl's write callback, which holds the
        // transport's lock (the callback reads the stream through a weak reference): cancel
        // from another thread, never from here.
        if active {
            let cancel = cancelProducer
            DispatchQueue.global().async { cancel() }
        }
    }
}
