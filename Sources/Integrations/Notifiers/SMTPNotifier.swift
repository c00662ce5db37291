import CCurl
import Dispatch
import Foundation
import KubeClient

/// Email over SMTP, sent by libcurl (`smtp://` or `smtps://`; STARTTLS when the server
/// offers it is up to the URL's scheme and libcurl's defaults).
public struct SMTPNotifier: Notifier {
    public var url: String
    public var username: String?
    public var password: String?
    public var from: String
    public var to: [String]
    public var timeout: Duration

    public init(url: String, username: String? = nil, password: String? = nil, from: String, to: [String],
                timeout: Duration = .seconds(15)) {
        self.url = url
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.timeout = timeout
    }

    /// The RFC 5322 message: headers, then a plain-text body with the alert and its analysis.
    public static func message(_ n: AlertNotice, from: String, to: [String], date: Date = Date()) -> String {
        var body: [String] = [n.headline, ""]
        if let description = n.description { body += [description, ""] }
        if let value = n.value { body.append("Value: \(AlertNotice.format(value))") }
        body.append("Severity: \(n.severity)")
        body.append("Started: \(KubeTimestamp.format(n.startsAt))")
        if n.status == .resolved, let endsAt = n.endsAt { body.append("Resolved: \(KubeTimestamp.format(endsAt))") }
        if n.seriesCount > 0 {
            body += ["", "Series (\(n.seriesCount)):"]
            for s in n.series {
                body.append("  " + s.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                            + " = " + AlertNotice.format(s.value))
            }
        }
        if let summary = n.analysisSummary { body += ["", "Analysis: \(summary)"] }
        if let cause = n.rootCause { body.append("Probable cause: \(cause)") }
        for r in n.recommendations { body.append("- \(r)") }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let subject = n.headline.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        let headers = [
            "Date: \(formatter.string(from: date))",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(subject)",
            "Message-ID: <\(UUID().uuidString.lowercased())@opsagent>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "X-Opsagent-Dedup-Key: \(n.dedupKey)",
        ]
        // Lines starting with a dot are dot-stuffed by libcurl itself.
        return (headers + [""] + body).joined(separator: "\r\n") + "\r\n"
    }

    public func send(_ notice: AlertNotice) async throws {
        let payload = Array(Self.message(notice, from: from, to: to).utf8)
        let job = SMTPTransfer(url: url, username: username, password: password, from: from, to: to,
                               payload: payload, timeoutMS: timeout.components.seconds * 1000)
        let failure: String? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: job.perform()) }
        }
        if let failure { throw NotifyError("the SMTP server did not take the message: \(failure)") }
    }
}

/// One blocking libcurl SMTP transfer, run on a dispatch thread (never on the cooperative pool).
final class SMTPTransfer: @unchecked Sendable {
    // @unchecked: the transfer is used by one thread at a time — built, then performed once
    // on a dispatch queue; libcurl calls the read callback on that same thread.
    let url: String, username: String?, password: String?, from: String, to: [String]
    let payload: [UInt8]
    var offset = 0
    let timeoutMS: Int64

    init(url: String, username: String?, password: String?, from: String, to: [String], payload: [UInt8], timeoutMS: Int64) {
        self.url = url
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.payload = payload
        self.timeoutMS = timeoutMS
    }

    /// Sends the message; nil on success, else why not (without the URL or the credentials).
    func perform() -> String? {
        _ = SMTPTransfer.globalInit
        guard let easy = curl_easy_init() else { return "curl_easy_init failed" }
        defer { curl_easy_cleanup(easy) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in to { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, url)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(timeoutMS))
        _ = ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, 5000)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_MAIL_FROM, "<\(from)>")
        _ = ccurl_easy_setopt_slist(easy, CURLOPT_MAIL_RCPT, recipients)
        if let username { _ = ccurl_easy_setopt_string(easy, CURLOPT_USERNAME, username) }
        if let password { _ = ccurl_easy_setopt_string(easy, CURLOPT_PASSWORD, password) }
        _ = ccurl_easy_setopt_long(easy, CURLOPT_UPLOAD, 1)
        _ = ccurl_easy_setopt_read_function(easy, smtpReadCallback)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_READDATA, me)
        let code = curl_easy_perform(easy)
        guard code != CURLE_OK else { return nil }
        let detail = String(cString: errorBuffer)
        let base = String(cString: curl_easy_strerror(code))
        var text = detail.isEmpty || detail == base ? base : "\(base): \(detail)"
        let host = URLComponents(string: url)?.host
        for secret in [url, username, password, host].compactMap({ $0 }) where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "<from Secret>")
        }
        return text
    }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, payload.count - offset)
        guard count > 0 else { return 0 }
        payload.withUnsafeBufferPointer { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    static let globalInit: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()
}

private let smtpReadCallback: curl_read_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let transfer = Unmanaged<SMTPTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.read(into: buffer, capacity: size * count)
}
