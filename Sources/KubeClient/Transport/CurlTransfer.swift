import CCurl
import Foundation

/// One HTTP exchange on a libcurl easy handle.
///
/// Safety of `@unchecked Sendable`: every stored property is read and written under the
/// ``CurlEngine``'s lock while the transfer is on the multi handle (libcurl makes its
/// callbacks inside calls made under that lock), and by one thread alone before it is added
/// and after it is removed; `body` is itself a `Sendable` lock-protected stream.
final class CurlTransfer: @unchecked Sendable {
    enum Mode {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case streaming(CheckedContinuation<HTTPStreamingResponse, any Error>)
    }

    let id: Int
    let easy: UnsafeMutableRawPointer
    let request: HTTPRequest
    var mode: Mode
    var headerList: UnsafeMutablePointer<curl_slist>?
    var requestBody: [UInt8]

    var status = 0
    var headers = HTTPHeaders()
    var headDelivered = false
    var collected: [UInt8] = []
    /// Strong until the head is handed to the caller, then weak so that a dropped stream cancels the transfer.
    var pendingBody: ResponseBodyStream?
    weak var body: ResponseBodyStream?
    var paused = false
    /// libcurl writes the specific reason of a failure here (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        p.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return p
    }()
    var finished = false

    init(id: Int, request: HTTPRequest, mode: Mode) throws {
        guard let easy = curl_easy_init() else { throw KubeError.transport(code: -1, message: "curl_easy_init failed", url: request.url) }
        self.id = id
        self.easy = easy
        self.request = request
        self.mode = mode
        self.requestBody = request.body ?? []
    }

    deinit {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    var isStreaming: Bool { if case .streaming = mode { return true } else { return false } }

    /// Applies the request to the easy handle. Returns a message when an option is refused.
    func configure(share: UnsafeMutableRawPointer?) throws {
        let me = Unmanaged.passUnretained(self).toOpaque()
        var failures: [String] = []
        func check(_ code: CURLcode, _ what: String) {
            if code != CURLE_OK { failures.append("\(what): \(String(cString: curl_easy_strerror(code)))") }
        }
        check(ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url), "url")
        check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "nosignal")
        // Removing a transfer that is still resolving must not wait for the resolver thread:
        // it happens under the transport's lock.
        check(ccurl_easy_setopt_long(easy, CURLOPT_QUICK_EXIT, 1), "quick exit")
        // Through a proxy, a stream's head is the server's, not the proxy's "200 Connection established".
        check(ccurl_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "suppress connect headers")
        check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
        check(ccurl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, me), "private")
        check(ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, ccurl_http_version_2tls()), "http version")
        check(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.milliseconds), "connect timeout")
        if let total = request.timeout {
            check(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, total.milliseconds), "timeout")
        }
        check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        check(ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""), "accept-encoding")
        if let share { check(ccurl_easy_setopt_share(easy, share), "share") }
        if let proxy = request.proxyURL { check(ccurl_easy_setopt_string(easy, CURLOPT_PROXY, proxy), "proxy") }

        // Method and body.
        switch request.method {
        case "GET": check(ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "GET")
        case "HEAD": check(ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "HEAD")
        default:
            check(ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
        }
        if request.body != nil {
            // The body as POST fields (copied by libcurl, size first): a small request then
            // leaves in one write with its headers, instead of headers and body apart.
            check(ccurl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(requestBody.count)), "body size")
            let copied = requestBody.withUnsafeBytes { raw in
                ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
            check(copied, "body")
            // POST fields default to POST; keep the real method.
            check(ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
        }

        // Headers. An empty "Expect:" stops curl from waiting for 100-continue.
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for field in request.headers { list = curl_slist_append(list, "\(field.name): \(field.value)") }
        // libcurl signs every header line of a SigV4 request, removal lines too, which the
        // server would not see: a signed request names its Content-Type and sends no removals.
        if request.awsSigV4 == nil {
            list = curl_slist_append(list, "Expect:")
            // A body sent as POST fields gets a form Content-Type unless one is named; send none instead.
            if request.body != nil, request.headers["Content-Type"] == nil { list = curl_slist_append(list, "Content-Type:") }
        }
        headerList = list
        check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list), "headers")

        check(ccurl_easy_setopt_write_function(easy, curlWriteCallback), "write callback")
        check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me), "write data")
        check(ccurl_easy_setopt_header_function(easy, curlHeaderCallback), "header callback")
        check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me), "header data")

        if let tls = request.tls { configureTLS(tls, check: check) }
        if let sigV4 = request.awsSigV4 {
            check(ccurl_easy_setopt_string(easy, CURLOPT_AWS_SIGV4, sigV4.curlProvider), "aws sigv4")
            check(ccurl_easy_setopt_string(easy, CURLOPT_USERNAME, sigV4.accessKeyID), "aws access key")
            check(ccurl_easy_setopt_string(easy, CURLOPT_PASSWORD, sigV4.secretAccessKey), "aws secret key")
        }
        if !failures.isEmpty {
            throw KubeError.configuration("libcurl refused options for \(request.url): \(failures.joined(separator: "; "))")
        }
    }

    private func configureTLS(_ tls: TLSConfiguration, check: (CURLcode, String) -> Void) {
        if tls.insecureSkipVerify {
            check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0), "verify peer")
            check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0), "verify host")
        } else if let ca = tls.caPEM {
            check(setBlob(CURLOPT_CAINFO_BLOB, ca), "certificate authority")
        }
        if let cert = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            check(ccurl_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"), "client certificate type")
            check(setBlob(CURLOPT_SSLCERT_BLOB, cert), "client certificate")
            check(ccurl_easy_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"), "client key type")
            check(setBlob(CURLOPT_SSLKEY_BLOB, key), "client key")
        }
    }

    /// Hands bytes to libcurl, which copies them (`CURL_BLOB_COPY`), so nothing needs to outlive the call.
    private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) -> CURLcode {
        var copy = bytes
        return copy.withUnsafeMutableBytes { raw in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: ccurl_blob_copy())
            return ccurl_easy_setopt_blob(easy, option, &blob)
        }
    }

    // MARK: callbacks (under the engine's lock)

    /// One header line as libcurl hands it over (CRLF included), parsed as bytes: this runs
    /// for every header of every response under the engine's lock.
    func receiveHeader(_ raw: UnsafeRawBufferPointer) {
        let line = Self.trimmed(raw[...])
        if line.isEmpty {
            if status >= 200 { deliverHeadIfStreaming() }
            return
        }
        if line.starts(with: "HTTP/".utf8) {
            // A new status line: a fresh header block (after 100-continue or a proxy CONNECT).
            var code = 0
            if let space = line.firstIndex(of: UInt8(ascii: " ")) {
                for byte in line[(space + 1)...] {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                    code = code * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            status = code
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = Self.trimmed(line[..<colon])
        let value = Self.trimmed(line[(colon + 1)...])
        headers.add(String(decoding: UnsafeRawBufferPointer(rebasing: name), as: UTF8.self),
                    String(decoding: UnsafeRawBufferPointer(rebasing: value), as: UTF8.self))
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    var responseHead: HTTPResponseHead {
        var version: Int = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        let text = version == Int(CURL_HTTP_VERSION_2_0) ? "2" : version == Int(CURL_HTTP_VERSION_3) ? "3" : "1.1"
        return HTTPResponseHead(status: status, headers: headers, httpVersion: text)
    }

    func deliverHeadIfStreaming() {
        guard !headDelivered, case .streaming(let continuation) = mode, let stream = pendingBody else { return }
        headDelivered = true
        pendingBody = nil
        continuation.resume(returning: HTTPStreamingResponse(head: responseHead, body: stream))
    }

    /// Returns the number of bytes consumed, or `CURL_WRITEFUNC_PAUSE`.
    func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        switch mode {
        case .buffered:
            collected.append(contentsOf: bytes)
            return bytes.count
        case .streaming:
            deliverHeadIfStreaming()
            guard let body else { return 0 } // reader gone: abort the transfer
            if body.offer(bytes) { return bytes.count }
            paused = true
            return Int(ccurl_write_pause())
        }
    }

    /// Fails an exchange that never reached libcurl.
    func fail(_ error: any Error) {
        finished = true
        switch mode {
        case .buffered(let c): c.resume(throwing: error)
        case .streaming(let c): c.resume(throwing: error)
        }
    }

    /// Completes the exchange with libcurl's result.
    func complete(_ code: CURLcode) {
        guard !finished else { return }
        finished = true
        let error: KubeError? = code == CURLE_OK ? nil : KubeError.transport(
            code: Int(code.rawValue),
            message: Self.describe(code, detail: errorBuffer),
            url: request.url)
        switch mode {
        case .buffered(let continuation):
            if let error { continuation.resume(throwing: error) }
            else { continuation.resume(returning: HTTPResponse(head: responseHead, body: collected)) }
        case .streaming(let continuation):
            if !headDelivered {
                if let error {
                    headDelivered = true
                    pendingBody = nil
                    continuation.resume(throwing: error)
                    return
                }
                deliverHeadIfStreaming()
            }
            body?.finish(throwing: error)
        }
    }

    /// Ends the exchange because its caller went away.
    func cancel() {
        guard !finished else { return }
        finished = true
        switch mode {
        case .buffered(let continuation): continuation.resume(throwing: CancellationError())
        case .streaming(let continuation):
            if !headDelivered {
                headDelivered = true
                pendingBody = nil
                continuation.resume(throwing: CancellationError())
            }
            body?.finish(throwing: CancellationError())
        }
    }

    static func describe(_ code: CURLcode, detail: UnsafePointer<CChar>) -> String {
        let base = String(cString: curl_easy_strerror(code))
        let specific = String(cString: detail)
        return specific.isEmpty || specific == base ? base : "\(base): \(specific)"
    }
}

// MARK: C callbacks

private let curlWriteCallback: curl_write_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
    return transfer.receiveBody(bytes)
}

private let curlHeaderCallback: curl_write_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
