import Foundation
import Hummingbird
import NIOCore
import Testing
@testable import KubeClient

/// The libcurl transport and REST client against an in-process HTTPS server with its own CA.
@Suite(.serialized) struct TransportTests {
    static func client(_ server: TestAPIServer, credential: Credential? = nil, clientCertificate: Bool = false,
                       trustCA: Bool = true, transport: CurlTransport = CurlTransport()) -> KubernetesClient {
        var tls = TLSConfiguration()
        if trustCA { tls.caPEM = Array(server.caPEM.utf8) }
        if clientCertificate {
            tls.clientCertificatePEM = Array(server.admin.certificatePEM.utf8)
            tls.clientKeyPEM = Array(server.admin.privateKeyPEM.utf8)
        }
        var configuration = ClusterConfiguration(server: server.url)
        configuration.tls = tls
        configuration.credential = credential ?? .none
        return KubernetesClient(configuration: configuration, transport: transport)
    }

    @Test func bearerTokenOverTLSWithCustomCA() async throws {
        let server = try await TestAPIServer.start()
        defer { Task { await server.stop() } }
        let client = Self.client(server, credential: .bearerToken(server.token))
        let response = try await client.request("GET", "/whoami", accept: "text/plain")
        #expect(response.bodyText == "bearer")
    }

    @Test func clientCertificateIdentifiesTheUser() async throws {
        let server = try await TestAPIServer.start()
        defer { Task { await server.stop() } }
        let client = Self.client(server, clientCertificate: true)
        let response = try await client.request("GET", "/whoami", accept: "text/plain")
        #expect(response.bodyText == "kubernetes-admin")
    }

    @Test func untrustedServerIsRefusedWithAdvice() async throws {
        let server = try await TestAPIServer.start()
        defer { Task { await server.stop() } }
        let client = Self.client(server, credential: .bearerToken(server.token), trustCA: false)
        do {
            _ = try await client.request("GET", "/whoami")
            Issue.record("a server signed by an unknown CA was trusted")
        } catch let error as KubeError {
            guard case .transport = error else { Issue.record("expected a transport error, got \(error)"); return }
            #expect(error.description.contains("certificate"))
        }
    }

    @Test func missingCredentialsAreUnauthorized() async throws {
        let server = try await TestAPIServer.start()
        defer { Task { await server.stop() } }
        let client = Self.client(server)
        await #expect(throws: KubeError.self) { _ = try await client.request("GET", "/whoami") }
        do { _ = try await client.request("GET", "/whoami") } catch let error as KubeError {
            #expect(error.isUnauthorized)
        }
    }

    @Test func connectionsAreReused() async throws {
        let server = try await TestAPIServer.start()
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        for _ in 0..<25 { _ = try await client.request("GET", "/whoami") }
        #expect(server.connectionCount == 1)
        #expect(transport.stats.connectionsOpened == 1)
        #expect(transport.stats.requests == 25)
    }

    /// Many tasks share one transport: each sends its own request on its own thread while
    /// the driver reads responses for the others. Every answer reaches the task that asked.
    @Test func concurrentRequestsEachGetTheirOwnAnswer() async throws {
        let server = try await TestAPIServer.start { router in
            router.get("echo/:n") { _, context -> String in context.parameters.get("n") ?? "" }
        }
        defer { Task { await server.stop() } }
        let transport = CurlTransport(maxConnectionsPerHost: 8)
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for n in 0..<400 {
                group.addTask { (n, String(decoding: try await client.request("GET", "/echo/\(n)").body, as: UTF8.self)) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 400)
        #expect(answers.allSatisfy { String($0.key) == $0.value })
        #expect(transport.stats.requests == 400)
        #expect(transport.stats.connectionsOpened <= 8)
        try await poll(until: { transport.stats.active == 0 }, "finished transfers are still counted as active")
    }

    /// A request timeout fires even when nothing else is going on: the driver sleeps without
    /// a deadline while the transport is idle, so the request must set one.
    @Test func aRequestTimeoutFiresOnAnIdleTransport() async throws {
        let server = try await TestAPIServer.start { router in
            router.get("hang") { _, _ -> String in
                try? await Task.sleep(for: .seconds(30))
                return "late"
            }
        }
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        _ = try await client.request("GET", "/whoami")  // the connection is open and idle
        let started = ContinuousClock.now
        do {
            _ = try await client.request("GET", "/hang", timeout: .milliseconds(300))
            Issue.record("a request the server never answered returned")
        } catch let error as KubeError {
            #expect(error.description.localizedCaseInsensitiveContains("timed out") || error.description.localizedCaseInsensitiveContains("timeout"),
                    "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await poll(until: { transport.stats.active == 0 }, "the timed-out transfer is still active")
    }

    /// A task cancelled before its request starts gets `CancellationError` and sends nothing.
    @Test func aCancelledTaskSendsNothing() async throws {
        let server = try await TestAPIServer.start()
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.request("GET", "/whoami")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(transport.stats.requests == 0)
        _ = try await client.request("GET", "/whoami")
        #expect(transport.stats.requests == 1)
    }

    /// A stream dropped by its reader while bytes keep arriving: libcurl's write callback can
    /// hold the last reference then, under the transport's lock, and the stream's deinit must
    /// not take that lock again. (Before the fix, this deadlocked within 150 rounds.)
    @Test func droppingAStreamWhileBytesArriveNeverDeadlocks() async throws {
        let server = try await TestAPIServer.start { router in
            router.get("api/v1/configmaps") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    for i in 0..<100_000 {
                        try await writer.write(ByteBuffer(string:
                            #"{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"c\#(i)","resourceVersion":"\#(i + 1)"}}}"# + "\n"))
                    }
                    try await writer.finish(nil)
                })
            }
        }
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        for _ in 0..<150 {
            // Read one event, then drop the stream at the end of the scope (never cancelled).
            for try await _ in try await client.watch(.configmaps) { break }
        }
        // The transport still works, and every dropped transfer was cancelled.
        _ = try await client.request("GET", "/whoami")
        try await poll(until: { transport.stats.active == 0 }, "dropped streams still hold transfers")
    }

    @Test func throttlingSurfacesRetryAfter() async throws {
        let server = try await TestAPIServer.start { router in
            router.get("api/v1/namespaces/default/pods") { _, _ -> Response in
                Response(status: .tooManyRequests,
                         headers: [.contentType: "application/json", .retryAfter: "3"],
                         body: .init(byteBuffer: ByteBuffer(string:
                            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too many requests, please try again later","reason":"TooManyRequests","code":429}"#)))
            }
        }
        defer { Task { await server.stop() } }
        let client = Self.client(server, credential: .bearerToken(server.token))
        do {
            _ = try await client.list(.pods, namespace: "default")
            Issue.record("a 429 answer did not throw")
        } catch let error as KubeError {
            #expect(error.isTooManyRequests)
            #expect(error.retryAfter == .seconds(3))
            #expect(error.isRetryable)
            #expect(error.description.contains("3 s"))
        }
    }

    @Test func decodesAStreamedWatchAcrossChunkBoundaries() async throws {
        let server = try await TestAPIServer.start { router in
            router.get("api/v1/namespaces/default/pods") { request, _ -> Response in
                #expect(request.uri.queryParameters["watch"] == "true")
                #expect(request.uri.queryParameters["allowWatchBookmarks"] == "true")
                #expect(request.uri.queryParameters["resourceVersion"] == "10")
                var stream = ""
                for i in 1...50 {
                    stream += #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p\#(i)","namespace":"default","resourceVersion":"\#(10 + i)"}}}"# + "\n"
                }
                stream += #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"99"}}}"# + "\n"
                stream += #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 10 (60)","reason":"Expired","code":410}}"# + "\n"
                let bytes = Array(stream.utf8)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    // Deliberately awkward chunks: 1, 7, 13, 31… bytes, splitting lines and escapes.
                    var offset = 0
                    var size = 1
                    while offset < bytes.count {
                        let end = min(bytes.count, offset + size)
                        try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                        offset = end
                        size = size * 3 % 97 + 1
                    }
                    try await writer.finish(nil)
                })
            }
        }
        defer { Task { await server.stop() } }
        let client = Self.client(server, credential: .bearerToken(server.token))
        var names: [String] = []
        var bookmark: String?
        var expired = false
        for try await event in try await client.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: "10")) {
            switch event {
            case .added(let pod): names.append(pod["metadata"]["name"].stringValue ?? "")
            case .bookmark(let rv, _): bookmark = rv
            case .expired(let status): expired = status.code == 410
            default: Issue.record("unexpected event \(event)")
            }
        }
        #expect(names == (1...50).map { "p\($0)" })
        #expect(bookmark == "99")
        #expect(expired)
    }

    @Test func cancellingTheTaskStopsAWatchMidStream() async throws {
        let server = try await TestAPIServer.start { router in
            router.get("api/v1/pods") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"type":"ADDED","object":{"metadata":{"name":"first","resourceVersion":"1"}}}"# + "\n"))
                    // Then nothing more until the client goes away (or 60 s pass).
                    try? await Task.sleep(for: .seconds(60))
                    try await writer.finish(nil)
                })
            }
        }
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        let firstSeen = AsyncStream<Void>.makeStream()
        let watcher = Task {
            for try await _ in try await client.watch(.pods) { firstSeen.continuation.yield() }
        }
        for await _ in firstSeen.stream { break }
        let started = ContinuousClock.now
        watcher.cancel()
        let result = await watcher.result
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(throws: CancellationError.self) { try result.get() }
        try await poll(until: { transport.stats.active == 0 }, "the cancelled transfer is still active")
    }

    @Test func aFiftyMegabyteWatchIsReadWithBoundedBuffering() async throws {
        let eventCount = 5_000
        let server = try await TestAPIServer.start { router in
            router.get("api/v1/configmaps") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    let payload = String(repeating: "x", count: 10_000)
                    for i in 0..<eventCount {
                        try await writer.write(ByteBuffer(string:
                            #"{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"c\#(i)","resourceVersion":"\#(i + 1)"},"data":{"blob":"\#(payload)"}}}"# + "\n"))
                    }
                    try await writer.finish(nil)
                })
            }
        }
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let client = Self.client(server, credential: .bearerToken(server.token), transport: transport)
        let watch = try await client.watch(.configmaps)
        var count = 0
        var bytes = 0
        var maxBuffered = 0
        for try await event in watch {
            count += 1
            bytes += event.object?["data"]["blob"].stringValue?.utf8.count ?? 0
            maxBuffered = max(maxBuffered, watch.body.bufferedByteCount)
            // A slow reader for the first part of the stream: the transfer must pause, not buffer.
            if count < 500, count % 10 == 0 { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(count == eventCount)
        #expect(bytes == eventCount * 10_000)
        // At most the high-water mark plus one network chunk waits in memory, however slow the reader.
        #expect(maxBuffered <= (1 << 20) + 256 * 1024, "buffered \(maxBuffered) bytes")
    }
}

/// Polls a condition until it holds or a deadline passes (tests never sleep a fixed time for a result).
func poll(timeout: Duration = .seconds(10), until condition: () async throws -> Bool, _ message: String,
          sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out: \(message)", sourceLocation: sourceLocation)
}
