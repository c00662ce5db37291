import Foundation
@testable import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import Testing

@testable import OperatorKit

/// What a platform team reads when it runs the operator: Events that survive a flaky API
/// server, metrics with help text, client request counts, work in progress, and log lines
/// that carry the object and the reconcile.
@Suite("Operations")
struct OperationsTests {
    func events(_ cluster: InMemoryCluster) async throws -> [JSONValue] {
        try await cluster.list(.events, namespace: "default", options: ListOptions()).items
    }

    @Test("an Event whose write fails with 5xx is written on a later attempt, after the backoff, not dropped")
    func eventWritesAreRetried() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        cluster.failNextWrite(verb: "create", with: .http(code: 503, body: "the server is currently unable to handle the request"))
        cluster.failNextWrite(verb: "create", with: .http(code: 500, body: "etcdserver: request timed out"))
        var configuration = EventRecorder.Configuration(component: "test", instance: "host")
        configuration.retryBackoff = Backoff(initial: .seconds(1), maximum: .seconds(10), factor: 2, jitter: 0)
        let recorder = EventRecorder(configuration: configuration, api: cluster, clock: clock)
        let writer = Task { await recorder.run() }
        recorder.warning(widget, reason: "InvalidSize", message: "size must be positive")

        try await clock.waitForSleepers(count: 1)
        #expect(recorder.writeCount == 0)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(1)), "the first retry waits the initial backoff")
        clock.advance(by: .seconds(1))
        try await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(2)), "the second waits twice as long")
        clock.advance(by: .seconds(2))
        try await eventually { recorder.writeCount == 1 }
        recorder.finish()
        await writer.value
        let all = try await events(cluster)
        #expect(all.count == 1)
        #expect(all.first?["reason"] == "InvalidSize")
        #expect(cluster.writes(verb: "create", resource: .events).count == 1)
    }

    @Test("an Event the server refuses for good (422) is dropped at once, and the next one is written")
    func refusedEventsAreDropped() async throws {
        let clock = ManualClock()
        let cluster = InMemoryCluster(clock: clock)
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        cluster.failNextWrite(verb: "create", with: .http(code: 422, body: "invalid"))
        let recorder = EventRecorder(configuration: .init(component: "test", instance: "host"), api: cluster, clock: clock)
        let writer = Task { await recorder.run() }
        recorder.warning(widget, reason: "First", message: "one")
        recorder.normal(widget, reason: "Second", message: "two")
        recorder.finish()
        await writer.value
        #expect(clock.sleeperCount == 0)
        #expect(try await events(cluster).map { $0["reason"] } == ["Second"])
    }

    @Test("/metrics text: # HELP on every family, process series, rest client counts")
    func exposition() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = OperatorMetrics.factory(registry: registry)
        let base = StubTransport()
        let transport = InstrumentedTransport(base: base, metricsFactory: factory)
        _ = try await transport.send(HTTPRequest(method: "GET", url: "https://10.0.0.1:6443/api/v1/namespaces/a/pods?limit=500"))
        base.status.withLockedValue { $0 = 404 }
        _ = try await transport.send(HTTPRequest(method: "GET", url: "https://10.0.0.1:6443/api/v1/namespaces/a/pods/x"))
        Metrics.Counter(label: "some_library_total", factory: factory).increment()
        let queue = WorkQueue<String>(name: "widgets", rateLimiter: MaxOfRateLimiter<String>.controllerDefault(clock: SystemClock()),
                                      metrics: WorkQueueMetrics(queueName: "widgets", factory: factory))
        queue.add("a")
        _ = await queue.next()
        queue.publishUnfinishedWork()

        let text = MetricsExposition.render(registry)
        #expect(text.contains(#"rest_client_requests_total{code="200",method="GET",host="10.0.0.1:6443"} 1"#), "\(text)")
        #expect(text.contains(#"rest_client_requests_total{code="404",method="GET",host="10.0.0.1:6443"} 1"#))
        #expect(text.contains("# HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host."))
        #expect(text.contains("# HELP some_library_total "))
        #expect(text.contains(#"workqueue_unfinished_work_seconds{controller="widgets",name="widgets"}"#))
        #expect(text.contains("# HELP workqueue_longest_running_processor_seconds How many seconds has the longest running processor"))
        for name in ["process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
                     "process_cpu_seconds_total", "process_virtual_memory_bytes"] {
            #expect(text.contains("# HELP \(name) ") && text.contains("\n\(name) "), "\(name)")
        }
        let lines = text.split(separator: "\n")
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.dropFirst(7).prefix { $0 != " " }
            #expect(index > 0 && lines[index - 1].hasPrefix("# HELP \(name) "), "\(name) has no # HELP")
        }
        let process = try #require(ProcessMetrics.current())
        #expect(process.residentMemoryBytes > 1_000_000)
        #expect(process.openFileDescriptors >= 3)
        #expect(abs(process.startTimeSeconds - Date().timeIntervalSince1970) < 24 * 3600)
    }

    @Test("work in progress: unfinished seconds summed over the keys being processed, and the longest")
    func unfinishedWork() async throws {
        let clock = ManualClock()
        let queue = WorkQueue<String>(name: "q", rateLimiter: MaxOfRateLimiter<String>.controllerDefault(clock: clock), clock: clock)
        queue.add("a")
        _ = await queue.next()
        clock.advance(by: .seconds(3))
        queue.add("b")
        _ = await queue.next()
        clock.advance(by: .seconds(1))
        let (total, longest) = queue.unfinishedWork()
        #expect(total == .seconds(5))
        #expect(longest == .seconds(4))
        queue.done("a")
        #expect(queue.unfinishedWork().longest == .seconds(1))
    }

    @Test("the request a URL makes, as RBAC sees it")
    func requestInfo() {
        let list = APIRequestInfo(method: "GET", url: "https://h:6443/apis/apps/v1/namespaces/shop/deployments?labelSelector=a%3Db")
        #expect(list.verb == "list" && list.apiGroup == "apps" && list.resource == "deployments" && list.namespace == "shop")
        let watch = APIRequestInfo(method: "GET", url: "https://h/apis/opsagent.dev/v1alpha1/bluegreendeployments?watch=true&resourceVersion=5")
        #expect(watch.verb == "watch" && watch.namespace.isEmpty && watch.resource == "bluegreendeployments")
        let status = APIRequestInfo(method: "PUT", url: "https://h/apis/opsagent.dev/v1alpha1/namespaces/a/bluegreendeployments/web/status")
        #expect(status.verb == "update" && status.qualifiedResource == "bluegreendeployments/status" && status.name == "web")
        let log = APIRequestInfo(method: "GET", url: "https://h/api/v1/namespaces/a/pods/p/log?container=c&tailLines=20")
        #expect(log.verb == "get" && log.qualifiedResource == "pods/log" && log.apiGroup.isEmpty)
        let namespace = APIRequestInfo(method: "GET", url: "https://h/api/v1/namespaces/shop")
        #expect(namespace.verb == "get" && namespace.resource == "namespaces" && namespace.name == "shop")
        let review = APIRequestInfo(method: "POST", url: "https://h/apis/authentication.k8s.io/v1/tokenreviews")
        #expect(review.verb == "create" && review.resource == "tokenreviews")
        let version = APIRequestInfo(method: "GET", url: "https://h/version")
        #expect(!version.isResourceRequest && version.verb == "get")
        #expect(InstrumentedTransport.host(of: "https://user@10.0.0.1:6443/api") == "10.0.0.1:6443")
    }

    @Test("the JSON log handler writes numbers and booleans as JSON numbers and booleans")
    func typedLogValues() throws {
        let metadata: Logger.Metadata = [
            "workers": .stringConvertible(4), "leader": .stringConvertible(true), "ratio": .stringConvertible(0.25),
            "elapsed": .stringConvertible(Duration.milliseconds(1500)), "object": "shop/web",
            "nested": .dictionary(["retries": .stringConvertible(2)]),
        ]
        let line = JSONLogHandler.format(
            LogEvent(level: .info, message: "reconciled", metadata: nil, source: "t", file: #fileID, function: #function, line: #line),
            label: "opsagent", metadata: metadata)
        let json = try JSONValue(parsing: line)
        #expect(json["workers"] == .int(4))
        #expect(json["leader"] == .bool(true))
        #expect(json["ratio"] == .double(0.25))
        #expect(json["elapsed"] == .double(1.5))
        #expect(json["object"] == "shop/web")
        #expect(json["nested"]["retries"] == .int(2))
    }

    @Test("every reconcile runs with its key and a fresh reconcile ID, which log lines inside it carry")
    func reconcileID() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        let seen = NIOLockedValueBox<[Logger.Metadata]>([])
        let manager = Manager(api: cluster)
        try manager.addController(named: "widgets", for: Fixtures.widgets, reconciler: ReconcilerFunction { _ in
            seen.withLockedValue { $0.append(Logger.MetadataProvider.reconcile.get()) }
            return .done
        })
        let task = Task { try await manager.run() }
        defer { manager.stop() }
        try await eventually { seen.withLockedValue { $0.count } >= 1 }
        try cluster.mutate(Fixtures.widgets.resource, ObjectKey(namespace: "default", name: "w")) { $0["spec"]["size"] = 5 }
        try await eventually { seen.withLockedValue { $0.count } >= 2 }
        let all = seen.withLockedValue { $0 }
        #expect(all.allSatisfy { $0["object"] == "default/w" && $0["controller"] == "widgets" })
        let ids = all.compactMap { $0["reconcileID"].map { "\($0)" } }
        #expect(ids.count == all.count && Set(ids).count == ids.count, "a fresh ID per reconcile: \(ids)")
        #expect(Logger.MetadataProvider.reconcile.get().isEmpty, "outside a reconcile there is none")
        manager.stop()
        _ = try await task.value
    }
}

extension OperationsTests {
    @Test("each Event recorded is a lifecycle log line: info (warning for Warning Events), with the object's key and the reconcile ID")
    func eventsAreLogged() async throws {
        let lines = NIOLockedValueBox<[(Logger.Level, String, Logger.Metadata)]>([])
        var handler = CapturingLogHandler(lines: lines)
        handler.metadataProvider = .reconcile
        let logger = Logger(label: "test") { _ in handler }
        let cluster = InMemoryCluster()
        let widget = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        let recorder = EventRecorder(configuration: .init(component: "test", instance: "host"), api: cluster, logger: logger)
        let context = ReconcileContext(controller: "widgets", key: ObjectKey(namespace: "default", name: "w"), reconcileID: "r-1")
        ReconcileContext.$current.withValue(context) {
            recorder.normal(widget, reason: "Promoted", message: "switched traffic to green")
            recorder.warning(widget, reason: "RolledBack", message: "analysis failed")
        }
        let captured = lines.withLockedValue { $0 }
        #expect(captured.count == 2)
        #expect(captured.first?.0 == .info && captured.first?.1 == "switched traffic to green")
        #expect(captured.last?.0 == .warning)
        #expect(captured.first?.2["object"] == "default/w")
        #expect(captured.first?.2["reason"] == "Promoted")
        #expect(captured.first?.2["reconcileID"] == "r-1")
        recorder.finish()
    }
}

/// Keeps what is logged, merged with its metadata provider's.
struct CapturingLogHandler: LogHandler {
    let lines: NIOLockedValueBox<[(Logger.Level, String, Logger.Metadata)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let own = event.metadata { all.merge(own) { _, new in new } }
        lines.withLockedValue { $0.append((event.level, "\(event.message)", all)) }
    }
}

/// Answers every request with `status` and an empty JSON object.
final class StubTransport: HTTPTransport {
    let status = NIOLockedValueBox(200)

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(head: HTTPResponseHead(status: status.withLockedValue { $0 }, headers: [:], httpVersion: "1.1"), body: Array("{}".utf8))
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        throw KubeError.configuration("streams are not stubbed")
    }
}
