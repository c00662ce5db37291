import CCurl
import Foundation
import KubeClient

/// A blocking HTTPS client on a thread of its own: one libcurl easy handle, reused, so every
/// request goes out on the same keep-alive connection, as a Go or Python client's would.
///
/// `KubeClient`'s transport serves many concurrent requests through a driver thread and
/// resumes the awaiting task afterwards: on 2 cores those hand-offs cost as much as the
/// server's work. This client measures the server without them.
final class BlockingClient: @unchecked Sendable {
    private let easy: UnsafeMutableRawPointer
    private var headers: UnsafeMutablePointer<curl_slist>?

    init(caPEM: [UInt8], token: String) throws {
        guard let easy = curl_easy_init() else { throw SimBenchError("curl_easy_init failed") }
        self.easy = easy
        // The headers KubeClient sends. The User-Agent matters: the server names the field
        // manager after it and records managedFields for every write that has one.
        for line in ["Content-Type: application/json", "Accept: application/json", "Authorization: Bearer \(token)",
                     "User-Agent: \(BuildInfo.userAgent)"] {
            headers = curl_slist_append(headers, line)
        }
        var ca = caPEM
        let caResult = ca.withUnsafeMutableBytes { bytes -> CURLcode in
            var blob = curl_blob(data: bytes.baseAddress, len: bytes.count, flags: ccurl_blob_copy())
            return ccurl_easy_setopt_blob(easy, CURLOPT_CAINFO_BLOB, &blob)
        }
        let discard: curl_write_callback = { _, size, count, _ in size * count }
        for code in [caResult,
                     ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headers),
                     ccurl_easy_setopt_write_function(easy, discard),
                     ccurl_easy_setopt_long(easy, CURLOPT_POST, 1),
                     ccurl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)] where code != CURLE_OK {
            throw SimBenchError("curl_easy_setopt failed: \(String(cString: curl_easy_strerror(code)))")
        }
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headers)
    }

    /// POSTs `body` to `url`; returns the HTTP status.
    func post(_ url: String, body: [UInt8]) throws -> Int {
        var status = 0
        try body.withUnsafeBytes { bytes in
            _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, url)
            _ = ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, bytes.count)
            _ = ccurl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            let code = curl_easy_perform(easy)
            guard code == CURLE_OK else { throw SimBenchError("POST \(url): \(String(cString: curl_easy_strerror(code)))") }
            var answer = 0
            _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &answer)
            status = answer
        }
        return status
    }

    /// Runs `work` on a new thread and waits for it without holding a cooperative thread.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "simbench-client"
            thread.start()
        }
    }
}

struct SimBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
