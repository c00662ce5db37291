import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Watches on one transport keep delivering while many requests share it: the requests run
/// libcurl on their own threads, and a watch's bytes must still be read as they arrive.
@Suite("Watches under request load")
struct WatchUnderLoadTests {
    @Test("every watched create is delivered promptly while other tasks hammer the same transport")
    func watchesKeepUp() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true, workloads: nil))
        let configuration = try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath)
        let transport = CurlTransport(maxConnectionsPerHost: 64)
        let client = KubernetesClient(configuration: configuration, transport: transport)
        for ns in ["watched", "load"] {
            _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        let watchers = 20
        let seen = SeenNames()
        var streams: [WatchStream] = []
        for _ in 0..<watchers {
            streams.append(try await client.watch(.services, namespace: "watched", options: WatchOptions(timeoutSeconds: 300)))
        }
        let opened = streams
        let readers = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, stream) in opened.enumerated() {
                    group.addTask {
                        do {
                            for try await event in stream {
                                if case .added(let object) = event, let name = object["metadata"]["name"].stringValue {
                                    await seen.add(index, name)
                                }
                            }
                        } catch {}
                    }
                }
            }
        }
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var i = 0
                        while !Task.isCancelled {
                            _ = try? await client.create(.configmaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                                       "metadata": ["name": .string("w\(worker)-\(i)")]], namespace: "load")
                            i += 1
                        }
                    }
                }
            }
        }
        var late: [String] = []
        for i in 0..<60 {
            let name = "svc-\(i)"
            _ = try await client.create(.services, ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
                                                    "spec": ["ports": [["port": 80]]]], namespace: "watched")
            let deadline = ContinuousClock.now + .seconds(5)
            while await seen.count(of: name) < watchers, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let count = await seen.count(of: name)
            if count < watchers { late.append("\(name): \(count)/\(watchers)") }
        }
        load.cancel()
        await load.value
        for stream in streams { stream.cancel() }
        readers.cancel()
        await sim.stop()
        #expect(late.isEmpty, "watch events not delivered within 5 s: \(late)")
    }
}

private actor SeenNames {
    var seen: [String: Set<Int>] = [:]
    func add(_ watcher: Int, _ name: String) { seen[name, default: []].insert(watcher) }
    func count(of name: String) -> Int { seen[name]?.count ?? 0 }
}
