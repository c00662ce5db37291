import CCurl
import Foundation

/// HTTP over libcurl, bridged to Swift concurrency.
///
/// Every request becomes an easy handle on one curl multi handle, so connections (and their
/// TLS sessions) are pooled and reused across requests, and HTTP/2 streams are multiplexed
/// over one connection where the server offers it. See ``CurlEngine`` for who runs libcurl
/// when: the calling task sends its own request; a driver thread reads the responses.
/// Cancelling the calling task removes the transfer at once.
public final class CurlTransport: HTTPTransport {
    private let engine: CurlEngine

    /// A process-wide transport; most programs need only this one.
    ///
    /// Over HTTP/1.1 (the embedded cluster; kube-apiserver behind a proxy that does not
    /// speak HTTP/2) every informer's watch holds a connection for minutes, and requests
    /// beyond the per-host limit wait for one to close. The operator runs about 25
    /// informers once the SecurityAudit controller watches every audited kind, so the limit
    /// leaves room for them and for the requests of the reconcilers.
    public static let shared = CurlTransport(maxConnectionsPerHost: 64)

    public init(maxConnectionsPerHost: Int = 16) {
        CurlGlobal.ensureInitialized()
        engine = CurlEngine(maxConnectionsPerHost: maxConnectionsPerHost)
        let driver = Thread { [engine] in engine.drive() }
        driver.name = "opsagent-curl"
        driver.start()
    }

    /// Stops the driver thread; outstanding transfers fail with `CancellationError`.
    public func shutdown() { engine.shutdown() }

    /// Counters for tests and metrics: requests started and new connections opened.
    public var stats: TransportStatistics { engine.statistics }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = engine.reserveID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                do {
                    let transfer = try CurlTransfer(id: id, request: request, mode: .buffered(continuation))
                    engine.start(transfer)
                } catch {
                    engine.forget(id)
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: { [engine] in
            engine.cancel(id)
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let id = engine.reserveID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPStreamingResponse, any Error>) in
                do {
                    let transfer = try CurlTransfer(id: id, request: request, mode: .streaming(continuation))
                    let body = ResponseBodyStream(
                        resume: { [weak engine] in engine?.unpause(id) },
                        cancel: { [weak engine] in engine?.cancel(id) })
                    transfer.pendingBody = body
                    transfer.body = body
                    engine.start(transfer)
                } catch {
                    engine.forget(id)
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: { [engine] in
            // Cancels only while waiting for the head; afterwards the body stream owns cancellation.
            engine.cancel(id)
        }
    }

    deinit { shutdown() }
}

/// What the transport has done, for tests and metrics.
public struct TransportStatistics: Sendable, Hashable {
    public var requests = 0
    /// Connections libcurl had to open (a reused connection does not count).
    public var connectionsOpened = 0
    public var active = 0
    /// Sockets the driver's epoll set refused (out of memory or `max_user_watches`); their
    /// transfers end by timeout.
    public var socketsNotWatched = 0
}

/// One curl multi handle, shared by the threads that use it under one lock.
///
/// **Who runs libcurl.** A task that sends a request adds its easy handle and lets libcurl
/// run it at once, on the task's own thread: on a pooled connection the request is written
/// before `send` suspends. The driver thread sleeps in `epoll_wait` on the sockets libcurl
/// names (`CURLMOPT_SOCKETFUNCTION`) and on an eventfd, reads what arrives, and resumes the
/// tasks whose responses are complete. A request therefore costs one thread hand-off, from
/// the driver back to the task's executor, instead of two (to the driver and back).
///
/// **Locking.** libcurl allows a multi handle on any thread, one at a time: every libcurl
/// call, and every callback it makes (socket, timer, header and body callbacks), runs under
/// `lock`. Nothing that runs under it may call back into the engine. Completions and
/// cancellations resume their continuations after unlocking. The head of a stream and its
/// body chunks are handed over from libcurl's callbacks, under the lock: a resume only
/// schedules the reader. A body stream can still be released there (the write callback
/// reads it through a weak reference), so its deinit cancels from another thread.
/// A resolver thread is never joined under the lock (`CURLOPT_QUICK_EXIT`): a transfer
/// cancelled while resolving a name would otherwise hold every caller until it returned.
///
/// **Timers.** libcurl keeps deadlines of its own (connect and request timeouts, transfers
/// to run again soon); `curl_multi_timeout` says when the next one is due, rounded to a whole
/// millisecond and never 0 before it is. The driver sleeps no longer than that. When another
/// thread's call makes the next deadline earlier than the driver's wake-up, it writes the
/// eventfd. (libcurl's timer callback is not used: it is called only when the deadline
/// changes, so a deadline the driver reached a fraction of a millisecond early would stay
/// "due" and spin the loop.)
final class CurlEngine: @unchecked Sendable {
    // Safety of `@unchecked Sendable`: every `var` below, the multi handle and the transfers'
    // easy handles are touched only while `lock` is held.
    private let lock = NSLock()
    private let multi: UnsafeMutableRawPointer
    private let epoll: Int32
    private let wakeFD: Int32
    private let driverDone = DispatchSemaphore(value: 0)

    private var transfers: [Int: CurlTransfer] = [:]
    /// IDs handed out whose transfer is not yet added: a cancel can arrive before the add.
    private var reserved: Set<Int> = []
    private var cancelledBeforeStart: Set<Int> = []
    private var nextID = 1
    private var stopped = false
    private var counters = TransportStatistics()
    /// When the sleeping driver wakes by itself, in monotonic nanoseconds; nil while it is awake.
    private var driverWakesAt: UInt64?

    init(maxConnectionsPerHost: Int) {
        guard let m = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl cannot allocate a multi handle") }
        multi = m
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wakeFD >= 0, ccurl_epoll_add_reader(epoll, wakeFD) == 0 else {
            fatalError("the HTTP transport cannot create its epoll set: \(String(cString: strerror(errno))) (out of file descriptors?)")
        }
        ccurl_multi_setopt_long(m, CURLMOPT_PIPELINING, ccurl_pipe_multiplex())
        ccurl_multi_setopt_long(m, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_socket_function(m, curlSocketCallback)
        ccurl_multi_setopt_pointer(m, CURLMOPT_SOCKETDATA, me)
    }

    var statistics: TransportStatistics { locked { counters } }

    func reserveID() -> Int {
        locked {
            defer { nextID += 1 }
            reserved.insert(nextID)
            return nextID
        }
    }

    /// Releases an ID whose transfer never started (its request could not be built).
    func forget(_ id: Int) {
        locked {
            reserved.remove(id)
            cancelledBeforeStart.remove(id)
        }
    }

    /// Adds the transfer and runs libcurl on the calling thread until it blocks: a request on
    /// a pooled connection is written before this returns.
    func start(_ transfer: CurlTransfer) {
        enum Outcome { case started([(CurlTransfer, CURLcode)]), cancelled, failed(any Error) }
        do {
            try transfer.configure(share: nil)
        } catch {
            forget(transfer.id)
            transfer.fail(error)
            return
        }
        let outcome = withCurl { () -> Outcome in
            reserved.remove(transfer.id)
            if stopped || cancelledBeforeStart.remove(transfer.id) != nil { return .cancelled }
            let added = curl_multi_add_handle(multi, transfer.easy)
            guard added == CURLM_OK else {
                return .failed(KubeError.transport(code: Int(added.rawValue),
                                                   message: String(cString: curl_multi_strerror(added)),
                                                   url: transfer.request.url))
            }
            transfers[transfer.id] = transfer
            counters.requests += 1
            counters.active = transfers.count
            var running: Int32 = 0
            curl_multi_socket_action(multi, ccurl_socket_timeout(), 0, &running)
            return .started(drainCompleted())
        }
        switch outcome {
        case .started(let completed): for (t, code) in completed { t.complete(code) }
        case .cancelled: transfer.cancel()
        case .failed(let error): transfer.fail(error)
        }
    }

    func cancel(_ id: Int) {
        let transfer = withCurl { () -> CurlTransfer? in
            guard let transfer = transfers.removeValue(forKey: id) else {
                // Not added yet: `start` sees the mark. Already finished: nothing to do.
                if reserved.contains(id) { cancelledBeforeStart.insert(id) }
                return nil
            }
            curl_multi_remove_handle(multi, transfer.easy)
            counters.active = transfers.count
            return transfer
        }
        transfer?.cancel()
    }

    /// Resumes a transfer its body stream paused; libcurl delivers what it holds at once.
    func unpause(_ id: Int) {
        let completed = withCurl { () -> [(CurlTransfer, CURLcode)] in
            guard let transfer = transfers[id], transfer.paused else { return [] }
            transfer.paused = false
            curl_easy_pause(transfer.easy, ccurl_pause_cont())
            return drainCompleted()
        }
        for (t, code) in completed { t.complete(code) }
    }

    /// The driver thread's loop; returns after `shutdown`.
    func drive() {
        var fds = [Int32](repeating: 0, count: 64)
        var masks = [Int32](repeating: 0, count: 64)
        while true {
            let timeout = locked { () -> Int32? in
                if stopped { return nil }
                // -1, no deadline: sleep until a socket or the eventfd is ready (an idle
                // transport never wakes). 0: one is due; the driver stays awake.
                let milliseconds = min(nextDeadline(), 60_000)
                driverWakesAt = milliseconds < 0 ? .max : milliseconds == 0 ? nil : monotonicNanos() + UInt64(milliseconds) * 1_000_000
                return Int32(milliseconds)
            }
            guard let timeout else { break }
            let ready = ccurl_epoll_wait(epoll, &fds, &masks, 64, timeout)
            let completed = locked { () -> [(CurlTransfer, CURLcode)] in
                driverWakesAt = nil
                var running: Int32 = 0
                for i in 0..<Int(max(ready, 0)) {
                    if fds[i] == wakeFD {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                    } else {
                        curl_multi_socket_action(multi, fds[i], masks[i], &running)
                    }
                }
                if ready == 0 || nextDeadline() == 0 {
                    curl_multi_socket_action(multi, ccurl_socket_timeout(), 0, &running)
                }
                return drainCompleted()
            }
            for (t, code) in completed { t.complete(code) }
        }
        let remaining = locked { () -> [CurlTransfer] in
            let all = Array(transfers.values)
            for t in all { curl_multi_remove_handle(multi, t.easy) }
            transfers.removeAll()
            counters.active = 0
            return all
        }
        for t in remaining { t.cancel() }
        driverDone.signal()
    }

    func shutdown() {
        let first = locked { () -> Bool in
            guard !stopped else { return false }
            stopped = true
            wakeDriver()
            return true
        }
        guard first else { return }
        driverDone.wait()
        curl_multi_cleanup(multi)
        close(epoll)
        close(wakeFD)
    }

    // MARK: under the lock

    private func locked<R>(_ body: () -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// `locked`, for a caller's libcurl calls: afterwards, wakes the sleeping driver if
    /// libcurl now needs it sooner than the driver would wake by itself. (The driver's own
    /// calls need no such check: it reads the deadline before it sleeps.)
    private func withCurl<R>(_ body: () -> R) -> R {
        locked {
            let result = body()
            if let wakesAt = driverWakesAt {
                // A millisecond of slack: the rounding of `curl_multi_timeout` alone must not wake it.
                let milliseconds = nextDeadline()
                if milliseconds >= 0, monotonicNanos() + UInt64(milliseconds + 1) * 1_000_000 < wakesAt { wakeDriver() }
            }
            return result
        }
    }

    /// Milliseconds until libcurl's next deadline: -1 for none, 0 when one is due.
    private func nextDeadline() -> Int {
        var milliseconds: Int = -1
        curl_multi_timeout(multi, &milliseconds)
        return milliseconds
    }

    private func wakeDriver() {
        driverWakesAt = nil
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Removes the finished transfers from the multi handle; the caller completes them after unlocking.
    private func drainCompleted() -> [(CurlTransfer, CURLcode)] {
        var done: [(CurlTransfer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var raw: UnsafeMutableRawPointer? = nil
            ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &raw)
            guard let raw else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(raw).takeUnretainedValue()
            var connects: Int = 0
            ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
            // The message does not survive the removal.
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            transfers.removeValue(forKey: transfer.id)
            counters.connectionsOpened += connects
            counters.active = transfers.count
            done.append((transfer, code))
        }
        return done
    }

    /// Always 0: an error here would mark the whole multi handle dead (libcurl refuses every
    /// later request). A socket the epoll set could not take is instead left to its
    /// transfer's timeout, and counted.
    fileprivate func watch(_ socket: curl_socket_t, _ what: Int32) -> Int32 {
        if ccurl_epoll_watch(epoll, socket, what) != 0 { counters.socketsNotWatched += 1 }
        return 0
    }
}

/// libcurl names the sockets to wait on; they go into (or out of) the driver's epoll set.
/// Called under the engine's lock, from inside a libcurl call.
private let curlSocketCallback: curl_socket_callback = { _, socket, what, userp, _ in
    guard let userp else { return 0 }
    return Unmanaged<CurlEngine>.fromOpaque(userp).takeUnretainedValue().watch(socket, what)
}

private func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()
    static func ensureInitialized() { _ = initialized }
}
