import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server for tests: aiosmtpd (from PyPI, installed by scripts/install-deps.sh)
/// on loopback at a free port, delivering every message into a Maildir the test reads.
public final class SMTPServer: Sendable {
    public let port: Int
    public let maildir: URL
    private let process: Process

    public struct NotInstalled: Error, CustomStringConvertible {
        public var description: String { "python3 with aiosmtpd was not found; run scripts/install-deps.sh (pip install aiosmtpd)" }
    }

    public struct StartFailed: Error, CustomStringConvertible {
        public var log: String
        public var description: String { "aiosmtpd did not start: \(log.suffix(2000))" }
    }

    /// `smtp://127.0.0.1:<port>`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    public static func start() async throws -> SMTPServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        let maildir = directory.appendingPathComponent("Maildir")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try FreePort.find()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir.path]
        let logPath = directory.appendingPathComponent("smtp.log")
        FileManager.default.createFile(atPath: logPath.path, contents: nil)
        let log = try FileHandle(forWritingTo: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = SMTPServer(port: port, maildir: maildir, process: process)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if Self.accepts(port: port) { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOf: logPath, encoding: .utf8)) ?? ""
        server.stop()
        if text.contains("No module named aiosmtpd") { throw NotInstalled() }
        throw StartFailed(log: text)
    }

    private init(port: Int, maildir: URL, process: Process) {
        self.port = port
        self.maildir = maildir
        self.process = process
    }

    /// The messages delivered so far, as raw RFC 5322 text (aiosmtpd adds X-MailFrom and X-RcptTo).
    public var messages: [String] {
        let new = maildir.appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: new.path)) ?? []
        return files.sorted().compactMap { try? String(contentsOf: new.appendingPathComponent($0), encoding: .utf8) }
    }

    public func stop() {
        if process.isRunning {
            // SIGKILL: Python keeps a SIGTERM that the test process ignores, and would not exit.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: maildir.deletingLastPathComponent())
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
