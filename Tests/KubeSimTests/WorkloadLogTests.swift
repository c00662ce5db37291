import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// `kubectl logs` against the simulated containers.
@Suite("Workloads: pod logs")
struct WorkloadLogTests {
    @Test("kubectl logs shows the container's lines; --tail limits them; --timestamps prefixes them")
    func logs() async throws {
        let ns = try await WorkloadCluster.namespace("logs")
        let kubectl = try await WorkloadCluster.kubectl()
        #expect(try await kubectl.apply(Manifests.deployment("web", namespace: ns, replicas: 1,
                                                             annotations: [BehaviourAnnotation.errorRate: "0.3"])).succeeded)
        #expect(try await kubectl.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").succeeded)
        // Let it serve for a few simulated seconds.
        let full = try await waitFor("request lines") { () -> String? in
            let result = try await kubectl.run("logs", "deployment/web", "-n", ns)
            return result.succeeded && result.stdout.components(separatedBy: "request ").count > 20 ? result.stdout : nil
        }
        #expect(full.hasPrefix("level=info msg=\"starting app\""), "\(full.prefix(300))")
        #expect(full.contains("msg=\"ready to serve traffic\""))
        #expect(full.contains("level=error msg=\"request failed\""))
        let tail = try await kubectl.run("logs", "deployment/web", "-n", ns, "--tail=3")
        #expect(tail.stdout.split(separator: "\n").count == 3, "\(tail)")
        let stamped = try await kubectl.run("logs", "deployment/web", "-n", ns, "--tail=1", "--timestamps")
        let stamp = try #require(stamped.stdout.split(separator: " ").first)
        #expect(KubeTimestamp.parse(String(stamp)) != nil, "\(stamped)")
        let missing = try await kubectl.run("logs", "deployment/web", "-n", ns, "-c", "sidecar")
        #expect(!missing.succeeded && missing.stderr.contains("container sidecar is not valid"), "\(missing)")
    }

    @Test("following a log streams the lines written after the request, as they are written")
    func follow() async throws {
        let ns = try await WorkloadCluster.namespace("follow")
        let client = try await WorkloadCluster.client()
        _ = try await client.create(.deployments, Manifests.deployment("web", namespace: ns, replicas: 1), namespace: ns)
        let pod = try await waitFor("a Ready pod") { () -> String? in
            let ready = try await client.items(.pods, namespace: ns).first { $0.condition("Ready")?["status"].stringValue == "True" }
            return ready?["metadata"]["name"].stringValue
        }
        let requested = Date()
        let stream = try await client.followLogs(pod: pod, namespace: ns, options: LogOptions(tailLines: 1, timestamps: true))
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        for try await chunk in stream {
            text += String(decoding: chunk, as: UTF8.self)
            if text.split(separator: "\n").count >= 10 || ContinuousClock.now > deadline { break }
        }
        let lines = text.split(separator: "\n")
        #expect(lines.count >= 10, "\(text)")
        let stamps = lines.compactMap { $0.split(separator: " ").first.flatMap { KubeTimestamp.parse(String($0)) } }
        #expect(stamps.count == lines.count)
        #expect(stamps.filter { $0 > requested }.count >= 5, "lines written after the request arrived while following")
        #expect(stamps == stamps.sorted())
    }

    @Test("--previous shows the crashed run's panic; a container that never started says why")
    func previousAndWaiting() async throws {
        let ns = try await WorkloadCluster.namespace("prev")
        let client = try await WorkloadCluster.client()
        _ = try await client.create(.deployments, Manifests.deployment("crash", namespace: ns, replicas: 1,
                                                                       image: "registry.example/shop:9-crash"), namespace: ns)
        _ = try await client.create(.deployments, Manifests.deployment("pull", namespace: ns, replicas: 1,
                                                                       image: "registry.example/shop:9-pullfail"), namespace: ns)
        let crashed = try await waitFor("a restarted pod") { () -> String? in
            try await client.items(.pods, namespace: ns, labelSelector: "app=crash").first {
                ($0["status"]["containerStatuses"][0]["restartCount"].intValue ?? 0) >= 1
            }?["metadata"]["name"].stringValue
        }
        let kubectl = try await WorkloadCluster.kubectl()
        let previous = try await kubectl.run("logs", crashed, "-n", ns, "--previous")
        #expect(previous.succeeded, "\(previous)")
        #expect(previous.stdout.contains("panic: runtime error: invalid memory address or nil pointer dereference"), "\(previous)")
        // The current (or, in a back-off, the last) run is a restart: its lines say which run it is.
        let current = try await kubectl.run("logs", crashed, "-n", ns)
        let run = current.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("run=") }.flatMap { Int($0.dropFirst(4)) }
        #expect((run ?? 0) >= 1, "\(current)")

        let pulling = try await waitFor("a pod failing to pull") { () -> String? in
            try await client.items(.pods, namespace: ns, labelSelector: "app=pull").first {
                $0["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].stringValue?.contains("Image") == true
            }?["metadata"]["name"].stringValue
        }
        let waiting = try await kubectl.run("logs", pulling, "-n", ns)
        #expect(!waiting.succeeded && waiting.stderr.contains("is waiting to start"), "\(waiting)")
    }
}
