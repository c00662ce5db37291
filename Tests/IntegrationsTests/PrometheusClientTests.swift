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

        // Asks until the series are there: before the first scrape, and whenever a scrape on a
        // busy host overran its 1 s timeout and left them stale for a moment (an empty vector,
        // or NaN from scalar() over one).
        let deadline = ContinuousClock.now + .seconds(30)
        func answer(_ query: String) async throws -> PrometheusResult {
            var result = try await client.query(query)
            while ContinuousClock.now < deadline {
                switch result {
                case .vector(let samples) where samples.isEmpty: break
                case .scalar(let value) where value.isNaN: break
                default: return result
                }
                try await Task.sleep(for: .milliseconds(200))
                result = try await client.query(query)
            }
            return result
        }
        #expect(try await answer("sum(checkout_errors_ratio)").singleValue(query: "sum") == 0.75)

        let perPod = try await answer("checkout_errors_ratio")
        guard case .vector(let samples) = perPod else { Issue.record("expected a vector, got \(perPod)"); return }
        #expect(Set(samples.compactMap { $0.labels["pod"] }) == ["web-1", "web-2"])
        #expect(throws: PrometheusError.self) { _ = try perPod.singleValue(query: "checkout_errors_ratio") }

        #expect(try await answer("checkout_latency_ratio").singleValue(query: "latency")?.isNaN == true)
        #expect(try await client.query("absent_metric_total").singleValue(query: "absent") == nil)
        #expect(try await answer("scalar(sum(checkout_errors_ratio)) * 2").singleValue(query: "scalar") == 1.5)

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
