import CCurl
import Foundation

/// HTTP over libcurl, bridged to Swift concurrency.
///
/// One driver thread owns a curl multi handle: every request becomes an easy handle added
/// to it, so connections (and their TLS sessions) are pooled and reused across requests,
/// and HTTP/2 streams are multiplexed over one connection where the server offers it.
/// Other threads talk to the driver only through a locked command queue and
/// `curl_multi_wakeup`. Cancelling the calling task removes the transfer at once.
public final class CurlTransport: HTTPTransport {
    enum Command {
        case add(CurlTransfer)
        case cancel(Int)
        case resume(Int)
        case shutdown
    }

    struct Shared {
        var commands: [Command] = []
        var nextID = 1
        var stopped = false
    }

    /// Safety: the multi handle is used only on the driver thread, except for
    /// `curl_multi_wakeup`, which libcurl documents as callable from any thread.
    struct MultiHandle: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

    private let shared = Locked(Shared())
    private let multi: MultiHandle
    private let statistics = Locked(TransportStatistics())
    private let driverDone = DispatchSemaphore(value: 0)

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
        guard let m = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl cannot allocate a multi handle") }
        multi = MultiHandle(pointer: m)
        ccurl_multi_setopt_long(m, CURLMOPT_PIPELINING, ccurl_pipe_multiplex())
        ccurl_multi_setopt_long(m, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let driver = Thread { [multi, shared, statistics, driverDone] in
            var loop = CurlDriverLoop(multi: multi.pointer, shared: shared, statistics: statistics)
            loop.run()
            driverDone.signal()
        }
        driver.name = "opsagent-curl"
        driver.start()
    }

    /// Stops the driver thread; outstanding transfers fail with `CancellationError`.
    public func shutdown() {
        let first = shared.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.stopped = true
            s.commands.append(.shutdown)
            return true
        }
        guard first else { return }
        curl_multi_wakeup(multi.pointer)
        driverDone.wait()
        curl_multi_cleanup(multi.pointer)
    }

    /// Counters for tests and metrics: requests started and new connections opened.
    public var stats: TransportStatistics { statistics.value }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = shared.withLock { s -> Int in defer { s.nextID += 1 }; return s.nextID }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                do {
                    let transfer = try CurlTransfer(id: id, request: request, mode: .buffered(continuation))
                    enqueue(.add(transfer), orFail: transfer)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            self.enqueue(.cancel(id))
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let id = shared.withLock { s -> Int in defer { s.nextID += 1 }; return s.nextID }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPStreamingResponse, any Error>) in
                do {
                    let transfer = try CurlTransfer(id: id, request: request, mode: .streaming(continuation))
                    let body = ResponseBodyStream(
                        resume: { [weak self] in self?.enqueue(.resume(id)) },
                        cancel: { [weak self] in self?.enqueue(.cancel(id)) })
                    transfer.pendingBody = body
                    transfer.body = body
                    enqueue(.add(transfer), orFail: transfer)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            // Cancels only while waiting for the head; afterwards the body stream owns cancellation.
            self.enqueue(.cancel(id))
        }
    }

    private func enqueue(_ command: Command, orFail transfer: CurlTransfer? = nil) {
        let accepted = shared.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.commands.append(command)
            return true
        }
        if accepted { curl_multi_wakeup(multi.pointer) } else { transfer?.cancel() }
    }

    deinit { shutdown() }
}

/// What the transport has done, for tests and metrics.
public struct TransportStatistics: Sendable, Hashable {
    public var requests = 0
    /// Connections libcurl had to open (a reused connection does not count).
    public var connectionsOpened = 0
    public var active = 0
}

/// The loop on the driver thread.
private struct CurlDriverLoop {
    let multi: UnsafeMutableRawPointer
    let shared: Locked<CurlTransport.Shared>
    let statistics: Locked<TransportStatistics>
    var transfers: [Int: CurlTransfer] = [:]
    var cancelledBeforeStart: Set<Int> = []

    init(multi: UnsafeMutableRawPointer, shared: Locked<CurlTransport.Shared>, statistics: Locked<TransportStatistics>) {
        self.multi = multi
        self.shared = shared
        self.statistics = statistics
    }

    mutating func run() {
        var running: Int32 = 0
        while true {
            let commands = shared.withLock { s -> [CurlTransport.Command] in
                let c = s.commands
                s.commands.removeAll(keepingCapacity: true)
                return c
            }
            for command in commands {
                switch command {
                case .add(let transfer): start(transfer)
                case .cancel(let id): cancel(id)
                case .resume(let id):
                    if let t = transfers[id], t.paused {
                        t.paused = false
                        curl_easy_pause(t.easy, ccurl_pause_cont())
                    }
                case .shutdown:
                    for id in Array(transfers.keys) { cancel(id) }
                    return
                }
            }
            curl_multi_perform(multi, &running)
            drainCompleted()
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    mutating func start(_ transfer: CurlTransfer) {
        if cancelledBeforeStart.remove(transfer.id) != nil {
            transfer.cancel()
            return
        }
        do {
            try transfer.configure(share: nil)
        } catch {
            transfer.finished = true
            fail(transfer, error)
            return
        }
        transfers[transfer.id] = transfer
        curl_multi_add_handle(multi, transfer.easy)
        statistics.withLock { $0.requests += 1; $0.active = transfers.count }
    }

    func fail(_ transfer: CurlTransfer, _ error: any Error) {
        switch transfer.mode {
        case .buffered(let c): c.resume(throwing: error)
        case .streaming(let c): c.resume(throwing: error)
        }
    }

    mutating func cancel(_ id: Int) {
        guard let transfer = transfers.removeValue(forKey: id) else {
            // The cancel may overtake its own add in the queue, or arrive after completion.
            cancelledBeforeStart.insert(id)
            if cancelledBeforeStart.count > 10_000 { cancelledBeforeStart.removeAll() }
            return
        }
        curl_multi_remove_handle(multi, transfer.easy)
        transfer.cancel()
        statistics.withLock { $0.active = transfers.count }
    }

    mutating func drainCompleted() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var raw: UnsafeMutableRawPointer? = nil
            ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &raw)
            guard let raw else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(raw).takeUnretainedValue()
            var connects: Int = 0
            ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
            curl_multi_remove_handle(multi, easy)
            transfers.removeValue(forKey: transfer.id)
            cancelledBeforeStart.remove(transfer.id)
            statistics.withLock { $0.connectionsOpened += connects; $0.active = transfers.count }
            transfer.complete(code)
        }
    }
}

enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()
    static func ensureInitialized() { _ = initialized }
}
