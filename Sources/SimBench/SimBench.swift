import Foundation
import KubeClient
import KubeSim

/// `make bench-sim`: measures the embedded API server where the operator leans on it.
///
/// - creates/s from one keep-alive HTTPS client;
/// - watch event delivery latency (p50/p99) with 100 concurrent watchers;
/// - memory per stored object beyond its JSON, over 10,000 objects.
@main
struct SimBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "--serve" {
            // Serve only, for load from another process (curl, wrk, a Go or Python client).
            let sim = try await Simulator.start(apiOnly)
            emit("serving \(sim.url) kubeconfig \(sim.kubeconfigPath) token \(sim.adminToken)")
            try await Task.sleep(for: .seconds(Int(arguments.count > 2 ? arguments[2] : "600") ?? 600))
            await sim.stop()
            return
        }
        // `SimBench --creates-only N`: only the HTTP creates, for a profiler (callgrind) to count.
        let createsOnly = arguments.count > 1 && arguments[1] == "--creates-only"
        let countArgument = createsOnly ? (arguments.count > 2 ? arguments[2] : "") : (arguments.count > 1 ? arguments[1] : "")
        let creates = Int(countArgument) ?? 5000
        let sim = try await Simulator.start(apiOnly)
        let configuration = try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath)
        // HTTP/1.1 carries one watch per connection: allow a connection for each watcher.
        let client = KubernetesClient(configuration: configuration, transport: CurlTransport(maxConnectionsPerHost: 128))
        let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
        let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
        for ns in ["bench-create", "bench-watch"] {
            _ = try await client.create(namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }

        // 1. Creates per second from one client (sequential requests on one keep-alive connection).
        let payload = String(repeating: "x", count: 200)
        for i in 0..<100 {  // warm up the connection and code paths
            _ = try await client.create(configMaps, configMap("warm-\(i)", payload), namespace: "bench-create")
        }
        let seconds = try await sequentialCreates(creates, client: client, payload: payload)
        emit(String(format: "creates: %d in %.2f s = %.0f creates/s (one keep-alive HTTPS client: KubeClient, async)",
                     creates, seconds, Double(creates) / seconds))

        // The same through a blocking client on its own thread (one libcurl handle, one
        // connection): the server's rate without the async client's thread hand-offs.
        let blocking = try BlockingClient(caPEM: configuration.tls.caPEM ?? [], token: sim.adminToken)
        let url = sim.url + "/api/v1/namespaces/bench-create/configmaps"
        let bodies = (0..<creates).map { configMap("blocking-\($0)", payload).serializedBytes() }
        let (blockingSeconds, failed) = try await BlockingClient.onThread { () throws -> (Double, Int) in
            for i in 0..<100 { _ = try blocking.post(url, body: configMap("blocking-warm-\(i)", payload).serializedBytes()) }
            let start = ContinuousClock.now
            var failed = 0
            for body in bodies where try blocking.post(url, body: body) != 201 { failed += 1 }
            return (Self.seconds(ContinuousClock.now - start), failed)
        }
        guard failed == 0 else { throw SimBenchError("\(failed) of \(creates) creates were not answered 201 Created") }
        emit(String(format: "creates: %d in %.2f s = %.0f creates/s (one keep-alive HTTPS client: blocking, own thread)",
                     creates, blockingSeconds, Double(creates) / blockingSeconds))
        if createsOnly {
            await sim.stop()
            return
        }

        // In-process, through the registry alone (what the HTTP layer adds is the difference).
        let cmType = try require(sim.registry.catalog.type(GroupResource(group: "", resource: "configmaps")))
        let direct = ContinuousClock.now
        for i in 0..<creates {
            _ = try sim.registry.create(cmType, namespace: "bench-create", object: configMap("direct-\(i)", payload),
                                        options: .init(fieldManager: "bench"))
        }
        let directSeconds = Self.seconds(ContinuousClock.now - direct)
        emit(String(format: "registry creates (in-process, no HTTP): %.0f creates/s", Double(creates) / directSeconds))

        // 2. Watch fan-out: 100 watchers, events stamped with their send time.
        let watchers = 100, updates = 300
        _ = try await client.create(configMaps, configMap("ticker", ""), namespace: "bench-watch")
        let rv = try await client.get(configMaps, name: "ticker", namespace: "bench-watch")["metadata"]["resourceVersion"].stringValue
        let latencies = LatencyRecorder()
        let epoch = Date()
        var streams: [WatchStream] = []
        for _ in 0..<watchers {
            streams.append(try await client.watch(configMaps, namespace: "bench-watch",
                                                  options: WatchOptions(resourceVersion: rv, timeoutSeconds: 600,
                                                                        allowBookmarks: false)))
        }
        let readers = Task {
            await withTaskGroup(of: Void.self) { group in
                for stream in streams {
                    group.addTask {
                        var received = 0
                        do {
                            for try await event in stream {
                                guard case .modified(let object) = event,
                                      let sent = object["data"]["sentNanos"].stringValue.flatMap(Double.init) else { continue }
                                let now = Date().timeIntervalSince(epoch) * 1e9
                                await latencies.record((now - sent) / 1e6)
                                received += 1
                                if received == updates { stream.cancel(); return }
                            }
                        } catch {}
                    }
                }
            }
        }
        for i in 0..<updates {
            let sent = Date().timeIntervalSince(epoch) * 1e9
            _ = try await client.patch(configMaps, name: "ticker", namespace: "bench-watch", type: .merge,
                                       body: ["data": ["sentNanos": .string(String(format: "%.0f", sent)), "i": .string("\(i)")]])
            try await Task.sleep(for: .milliseconds(5))
        }
        await readers.value
        let samples = await latencies.sorted()
        func percentile(_ p: Double) -> Double {
            samples.isEmpty ? .nan : samples[min(samples.count - 1, Int(Double(samples.count) * p))]
        }
        emit(String(format: "watch: %d watchers x %d events, delivered %d; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     watchers, updates, samples.count, percentile(0.5), percentile(0.99), samples.last ?? .nan))

        // 3. Memory per 10k objects, stored in-process through the registry.
        let type = try require(sim.registry.catalog.type(GroupResource(group: "", resource: "configmaps")))
        _ = try sim.registry.create(try require(sim.registry.catalog.type(GroupResource(group: "", resource: "namespaces"))),
                                    namespace: "", object: ["apiVersion": "v1", "kind": "Namespace",
                                                            "metadata": ["name": "bench-memory"]])
        let objects = 10_000
        let before = residentBytes()
        var jsonBytes = 0
        for i in 0..<objects {
            let stored = try sim.registry.create(type, namespace: "bench-memory",
                                                 object: configMap("mem-\(i)", String(repeating: "y", count: 500),
                                                                   labels: ["app": "bench", "index": "\(i % 50)"]))
            jsonBytes += stored.object.bytes.count
        }
        let after = residentBytes()
        let perObject = Double(after - before) / Double(objects)
        let json = Double(jsonBytes) / Double(objects)
        emit(String(format: "memory: %d objects, %.0f B JSON each, %.0f B resident each = %.0f B overhead per object (history included); %.1f MiB resident per 10k objects",
                     objects, json, perObject, perObject - json, perObject * 10_000 / 1_048_576))
        await sim.stop()
    }

    /// Times `count` creates, one after another, from a nonisolated function: the loop runs on
    /// the global executor, where reconcilers call the client. (`main` is on the main actor,
    /// and a loop there would add a hop to and from the main queue around every request.)
    static func sequentialCreates(_ count: Int, client: KubernetesClient, payload: String) async throws -> Double {
        let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
        let start = ContinuousClock.now
        for i in 0..<count {
            _ = try await client.create(configMaps, configMap("cm-\(i)", payload), namespace: "bench-create")
        }
        return seconds(ContinuousClock.now - start)
    }

    /// The API server alone: the simulated scheduler, kubelets and controllers would add
    /// their own writes to what is measured.
    static var apiOnly: Simulator.Configuration {
        var configuration = Simulator.Configuration(port: 0, tls: true, historyCapacity: 50_000)
        configuration.workloads = nil
        return configuration
    }

    static func configMap(_ name: String, _ payload: String, labels: [String: String] = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
         "data": ["payload": .string(payload)]]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Resident set size from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Writes a line at once (stdout is block-buffered when piped to a file).
func emit(_ line: String) {
    // A closed pipe (`| head`) ends the output, not the program.
    try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
}

actor LatencyRecorder {
    private var values: [Double] = []
    func record(_ value: Double) { values.append(value) }
    func sorted() -> [Double] { values.sorted() }
}

struct MissingValue: Error {}

func require<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
