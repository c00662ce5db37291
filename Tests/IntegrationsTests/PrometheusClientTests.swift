import Foundation
import Hummingbird
import Integrations
import KubeClient
import Testing
import TestSupport

/// The Prometheus client against a real Prometheus scraping a small exposition endpoint.
@Suite(.serialized) struct PrometheusClientTests {
    static func startExporter() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.get("metrics") { _, _ in
            """
            # TYPE checkout_errors_ratio gauge
            checkout_errors_ratio{pod="web-1"} 0.25
            checkout_errors_ratio{pod="web-2"} 0.5
            # TYPE checkout_latency_ratio gauge
            checkout_latency_ratio NaN
            """
        }
        return await LocalHTTPServer.start(router)
    }

    @Test func queriesARealPrometheus() async throws {
        let exporter = try await Self.startExporter()
        defer { exporter.task.cancel() }
        let prometheus = try await PrometheusServer.start(targets: ["127.0.0.1:\(exporter.port)"])
        defer { prometheus.stop() }
        let client = PrometheusClient(baseURL: prometheus.url)

        // Wait for the first scrape.
        let deadline = ContinuousClock.now + .seconds(30)
        var total: Double?
        while ContinuousClock.now < deadline {
            total = try await client.query("sum(checkout_errors_ratio)").singleValue(query: "sum")
            if total != nil { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(total == 0.75)

        // On a busy host a scrape can overrun its 1 s timeout and mark the series stale for a
        // moment: ask again until they are back.
        var perPod = try await client.query("checkout_errors_ratio")
        while ContinuousClock.now < deadline, case .vector(let samples) = perPod, samples.isEmpty {
            try await Task.sleep(for: .milliseconds(200))
            perPod = try await client.query("checkout_errors_ratio")
        }
        guard case .vector(let samples) = perPod else { Issue.record("expected a vector, got \(perPod)"); return }
        #expect(Set(samples.compactMap { $0.labels["pod"] }) == ["web-1", "web-2"])
        #expect(throws: PrometheusError.self) { _ = try perPod.singleValue(query: "checkout_errors_ratio") }

        var nan = try await client.query("checkout_latency_ratio").singleValue(query: "latency")
        while ContinuousClock.now < deadline, nan == nil {
            try await Task.sleep(for: .milliseconds(200))
            nan = try await client.query("checkout_latency_ratio").singleValue(query: "latency")
        }
        #expect(nan?.isNaN == true)
        #expect(try await client.query("absent_metric_total").singleValue(query: "absent") == nil)
        #expect(try await client.query("scalar(sum(checkout_errors_ratio)) * 2").singleValue(query: "scalar") == 1.5)

        do {
            _ = try await client.query("sum(rate(checkout_errors_ratio[5m]")
            Issue.record("a malformed query was accepted")
        } catch {
            guard case .query(_, let type, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(type == "bad_data")
        }
    }

    @Test func anUnreachablePrometheusSaysWhereItLooked() async throws {
        let client = PrometheusClient(baseURL: "http://127.0.0.1:\(try FreePort.find())/", timeout: .seconds(5))
        do {
            _ = try await client.query("up")
            Issue.record("no error from a closed port")
        } catch {
            guard case .unreachable(let url, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(!url.hasSuffix("/"))
            #expect(error.description.contains("--prometheus-url"))
        }
    }
}
