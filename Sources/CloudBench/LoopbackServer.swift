import Foundation

/// The smallest HTTP/1.1 server that keeps connections alive: one thread, one connection at
/// a time, every request answered `200` with an empty body. It lets the bench time what a
/// request costs the client (signing included) without a server's own cost in the way.
final class LoopbackServer: Sendable {
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { continue }
                Self.serve(client)
            }
        }
        thread.start()
    }

    /// Answers each request that arrives on `client` (headers end at a blank line; the
    /// bench's requests carry no body) until the client closes.
    private static func serve(_ client: Int32) {
        defer { close(client) }
        let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n".utf8)
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { return }
            pending += buffer[0..<n]
            while let end = headerEnd(pending) {
                pending.removeFirst(end)
                _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            }
        }
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 3..<bytes.count where bytes[i] == 10 && bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 { return i + 1 }
        return nil
    }
}
