import Foundation
import HTTPServing
import Hummingbird
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A server stopped while connections are still arriving must not take the process down.
/// With Hummingbird's `.http1()` this test traps ("Deinited NIOAsyncWriter without calling
/// finish()", swift-nio#2637); the whole test run would stop there.
@Suite struct ClosingUnservedTests {
    /// Opens a TCP connection to 127.0.0.1:`port` and returns its descriptor (-1 on failure).
    func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    @Test func aServerCancelledWhileConnectionsArriveClosesThemInsteadOfCrashing() async throws {
        for _ in 0..<5 {
            let router = Router()
            router.get("/") { _, _ in "ok" }
            let (port, task) = await LocalHTTPServer.start(router)  // serves with .http1ClosingUnserved()
            // A burst of connections, then the serving task is cancelled at once: some are
            // accepted but never handed to a serving task.
            let descriptors = (0..<64).map { _ in connect(port) }
            task.cancel()
            _ = await task.result
            #expect(descriptors.allSatisfy { $0 >= 0 })
            // The server is gone: it accepts nothing more. (When each unserved connection is
            // closed depends on when NIO releases it; on a busy host some stay open for seconds.)
            let late = connect(port)
            #expect(late < 0, "the cancelled server still accepts connections")
            if late >= 0 { close(late) }
            descriptors.forEach { _ = close($0) }
        }
    }
}
