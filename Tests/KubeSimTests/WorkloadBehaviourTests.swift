import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Each behaviour profile produces the pod statuses, events and metrics it promises.
@Suite("Workloads: behaviour profiles")
struct WorkloadBehaviourTests {
    /// Creates a one-replica Deployment and returns its namespace once its pod satisfies `until`.
    private func pod(_ prefix: String, image: String = "registry.example/shop:1.0", annotations: [String: String] = [:],
                     container: [String: JSONValue] = [:], _ what: String,
                     until condition: @escaping @Sendable (JSONValue) -> Bool) async throws -> (ns: String, pod: JSONValue) {
        let ns = try await WorkloadCluster.namespace(prefix)
        let client = try await WorkloadCluster.client()
        _ = try await client.create(.deployments, Manifests.deployment("app", namespace: ns, replicas: 1, image: image,
                                                                       annotations: annotations, container: container),
                                    namespace: ns)
        let pod = try await waitFor(what) { () -> JSONValue? in
            try await client.items(.pods, namespace: ns).first(where: condition)
        }
        return (ns, pod)
    }

    private func clusterMetrics(namespace: String) async throws -> String {
        let client = try await WorkloadCluster.client()
        return try await client.request("GET", "/metrics/cluster", query: [("namespace", namespace)], accept: "text/plain").bodyText
    }

    @Test("crash: CrashLoopBackOff, restarts grow, lastState Error exit 1, BackOff events, restart metric")
    func crash() async throws {
        let (ns, pod) = try await pod("crash", annotations: [BehaviourAnnotation.crash: "true"], "two restarts") {
            ($0["status"]["containerStatuses"][0]["restartCount"].intValue ?? 0) >= 2
                && $0["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].stringValue == "CrashLoopBackOff"
        }
        let status = pod["status"]["containerStatuses"][0]
        #expect(pod["status"]["phase"].stringValue == "Running")
        #expect(status["lastState"]["terminated"]["reason"].stringValue == "Error")
        #expect(status["lastState"]["terminated"]["exitCode"].intValue == 1)
        #expect(status["state"]["waiting"]["message"].stringValue?.contains("back-off") == true)
        #expect(pod.condition("Ready")?["status"].stringValue == "False")
        let client = try await WorkloadCluster.client()
        let name = try #require(pod["metadata"]["name"].stringValue)
        // Events are written after the status, as a kubelet's are: wait for them.
        var backoff: [JSONValue] = []
        _ = try await eventually {
            backoff = try await client.events(namespace: ns, reason: "BackOff", involving: name)
            return !backoff.isEmpty
        }
        #expect(backoff.first?["message"].stringValue?.hasPrefix("Back-off restarting failed container app in pod \(name)") == true)
        #expect(backoff.first?["type"].stringValue == "Warning")
        let text = try await clusterMetrics(namespace: ns)
        let restarts = text.split(separator: "\n").first { $0.hasPrefix("kube_pod_container_status_restarts_total{") && $0.contains("pod=\"\(name)\"") }
        let count = restarts.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Double($0) } }
        #expect((count ?? 0) >= 2, "\(restarts ?? "no series")")
    }

    @Test("image pull failure: ErrImagePull then ImagePullBackOff, pod Pending, Failed events, waiting-reason metric")
    func imagePull() async throws {
        let (ns, pod) = try await pod("pull", annotations: [BehaviourAnnotation.imagePull: "fail"], "ImagePullBackOff") {
            $0["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].stringValue == "ImagePullBackOff"
        }
        #expect(pod["status"]["phase"].stringValue == "Pending")
        #expect(pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"].stringValue?.contains("not found") == true)
        let client = try await WorkloadCluster.client()
        let name = try #require(pod["metadata"]["name"].stringValue)
        var failed: [String] = []
        _ = try await eventually {
            failed = try await client.events(namespace: ns, reason: "Failed", involving: name).compactMap { $0["message"].stringValue }
            return failed.contains("Error: ErrImagePull") && failed.contains("Error: ImagePullBackOff")
        }
        #expect(failed.contains("Error: ErrImagePull"), "\(failed)")
        #expect(failed.contains("Error: ImagePullBackOff"), "\(failed)")
        let text = try await clusterMetrics(namespace: ns)
        #expect(text.contains("kube_pod_container_status_waiting_reason{namespace=\"\(ns)\",pod=\"\(name)\""), "\(text)")
        #expect(text.contains("reason=\"ImagePullBackOff\"} 1"), "\(text)")
        // Between back-offs the kubelet pulls again, so the pod shows ErrImagePull for a moment.
        let result = try await WorkloadCluster.kubectl().run("get", "pods", "-n", ns)
        #expect(result.stdout.contains("ImagePullBackOff") || result.stdout.contains("ErrImagePull"), "\(result)")
    }

    @Test("oom: the container is OOMKilled with exit code 137 and restarted")
    func oom() async throws {
        let limits: JSONValue = ["limits": ["memory": "64Mi"]]
        let (ns, pod) = try await pod("oom", annotations: [BehaviourAnnotation.oom: "true"], container: ["resources": limits],
                                      "an OOMKilled restart") {
            $0["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"].stringValue == "OOMKilled"
        }
        #expect(pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"].intValue == 137)
        let container = pod["status"]["containerStatuses"][0]
        #expect(container["state"]["waiting"]["reason"].stringValue == "CrashLoopBackOff"
                    || (container["restartCount"].intValue ?? 0) >= 1, "not restarting: \(container)")
        let text = try await clusterMetrics(namespace: ns)
        #expect(text.contains("kube_pod_container_status_last_terminated_reason{namespace=\"\(ns)\""), "\(text)")
        #expect(text.contains("reason=\"OOMKilled\"} 1"), "\(text)")
    }

    @Test("never ready (image tag -notready): Running but not Ready, Unhealthy events, kube_pod_status_ready false")
    func notReady() async throws {
        let (ns, pod) = try await pod("notready", image: "registry.example/shop:2.0-notready", "a Running pod") {
            $0["status"]["phase"].stringValue == "Running"
        }
        let client = try await WorkloadCluster.client()
        let name = try #require(pod["metadata"]["name"].stringValue)
        let unhealthy = try await waitFor("an Unhealthy event") { () -> JSONValue? in
            try await client.events(namespace: ns, reason: "Unhealthy", involving: name).first
        }
        #expect(unhealthy["message"].stringValue?.hasPrefix("Readiness probe failed") == true)
        let current = try await client.get(.pods, name: name, namespace: ns)
        #expect(current.condition("Ready")?["status"].stringValue == "False")
        #expect(current.condition("Ready")?["reason"].stringValue == "ContainersNotReady")
        let text = try await clusterMetrics(namespace: ns)
        #expect(text.contains("kube_pod_status_ready{namespace=\"\(ns)\",pod=\"\(name)\",uid=\"\(current["metadata"]["uid"].stringValue ?? "")\",condition=\"false\"} 1"), "\(text)")
    }

    @Test("startup-seconds: a pod becomes Ready only after its start-up time")
    func startup() async throws {
        let (_, pod) = try await pod("startup", annotations: [BehaviourAnnotation.startupSeconds: "20"], "a Ready pod") {
            $0.condition("Ready")?["status"].stringValue == "True"
        }
        let started = try #require(pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"].stringValue
            .flatMap(KubeTimestamp.parse))
        let ready = try #require(pod.condition("Ready")?["lastTransitionTime"].stringValue.flatMap(KubeTimestamp.parse))
        // 20 simulated seconds at the test time scale, less the timestamps' whole-second rounding.
        #expect(ready.timeIntervalSince(started) >= 20 * WorkloadCluster.timeScale - 1)
    }

    @Test("error rate, latency, cpu and memory show in the cluster metrics, logs and kubectl top")
    func trafficAndUsage() async throws {
        let annotations = [BehaviourAnnotation.errorRate: "0.5", BehaviourAnnotation.latencyMilliseconds: "200",
                           BehaviourAnnotation.cpu: "250m", BehaviourAnnotation.memory: "128Mi",
                           BehaviourAnnotation.requestsPerSecond: "100"]
        let (ns, pod) = try await pod("traffic", annotations: annotations, "a Ready pod") {
            $0.condition("Ready")?["status"].stringValue == "True"
        }
        let name = try #require(pod["metadata"]["name"].stringValue)
        func sample(_ text: String, _ prefix: String) -> Double? {
            // `series value [timestamp]`
            text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { line in
                let parts = line.split(separator: " ")
                return parts.count >= 2 ? Double(parts[1]) : nil
            }
        }
        let text = try await waitFor("requests counted") { () -> String? in
            let text = try await clusterMetrics(namespace: ns)
            return (sample(text, "http_requests_total{code=\"500\",namespace=\"\(ns)\",pod=\"\(name)\"}") ?? 0) >= 20 ? text : nil
        }
        let errors = try #require(sample(text, "http_requests_total{code=\"500\",namespace=\"\(ns)\",pod=\"\(name)\"}"))
        let successes = try #require(sample(text, "http_requests_total{code=\"200\",namespace=\"\(ns)\",pod=\"\(name)\"}"))
        #expect(abs(errors / (errors + successes) - 0.5) < 0.02, "errors \(errors), successes \(successes)")
        let sum = try #require(sample(text, "http_request_duration_seconds_sum{namespace=\"\(ns)\",pod=\"\(name)\"}"))
        let count = try #require(sample(text, "http_request_duration_seconds_count{namespace=\"\(ns)\",pod=\"\(name)\"}"))
        #expect(abs(sum / count - 0.2) < 0.01, "mean latency \(sum / count)")
        let memory = try #require(sample(text, "container_memory_working_set_bytes{container=\"app\""))
        #expect(memory == 128 * 1024 * 1024)

        let client = try await WorkloadCluster.client()
        let response = try await client.request("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/\(ns)/pods/\(name)")
        let podMetrics = try JSONValue(parsing: response.body)
        #expect(podMetrics["kind"].stringValue == "PodMetrics")
        #expect(podMetrics["containers"][0]["usage"]["cpu"].stringValue == "250000000n")
        #expect(podMetrics["containers"][0]["usage"]["memory"].stringValue == "131072Ki")
        let top = try await WorkloadCluster.kubectl().run("top", "pod", "-n", ns)
        #expect(top.succeeded, "\(top)")
        #expect(top.stdout.contains(name) && top.stdout.contains("250m") && top.stdout.contains("128Mi"), "\(top)")
        let nodes = try await WorkloadCluster.kubectl().run("top", "node")
        #expect(nodes.succeeded && nodes.stdout.contains("sim-node-1"), "\(nodes)")

        let logs = try await client.logs(pod: name, namespace: ns, options: LogOptions(tailLines: 200))
        #expect(logs.contains("level=error msg=\"request failed\""), "\(logs)")
        #expect(logs.contains("status=200"), "\(logs)")
    }

    @Test("image tags choose behaviours when no annotation does, and annotations win over tags")
    func tagConvention() {
        #expect(Behaviour.resolve(annotations: [:], image: "shop:2.0-crash").crashes)
        #expect(!Behaviour.resolve(annotations: [:], image: "shop:2.0-notready").becomesReady)
        #expect(Behaviour.resolve(annotations: [:], image: "shop:v4-pullfail").imagePullFails)
        #expect(Behaviour.resolve(annotations: [:], image: "shop:v5-oom").oomKilled)
        #expect(Behaviour.resolve(annotations: [:], image: "shop:v2-errors50").errorRate == 0.5)
        #expect(Behaviour.resolve(annotations: [:], image: "shop:v2-slow30").startupSeconds == 30)
        #expect(Behaviour.resolve(annotations: [:], image: "shop:v2-latency300").latencyMilliseconds == 300)
        #expect(Behaviour.resolve(annotations: [:], image: "registry:5000/team/shop:1.0") == Behaviour())
        #expect(Behaviour.resolve(annotations: [:], image: "registry:5000/crash/shop") == Behaviour(),
                "a registry port or path is not a tag")
        #expect(Behaviour.resolve(annotations: [:], image: "shop@sha256:abc") == Behaviour())
        let both = Behaviour.resolve(annotations: [BehaviourAnnotation.errorRate: "0.1", BehaviourAnnotation.crash: "false"],
                                     image: "shop:v2-errors50-crash")
        #expect(both.errorRate == 0.1 && !both.crashes)
        #expect(Behaviour.resolve(annotations: [BehaviourAnnotation.cpu: "1500m", BehaviourAnnotation.memory: "1Gi"],
                                  image: "shop").cpuCores == 1.5)
        #expect(Behaviour.resolve(annotations: [BehaviourAnnotation.errorRate: "2"], image: "shop").errorRate == 0,
                "an out-of-range value is ignored")
        #expect(Behaviour.resolve(annotations: [:], image: "shop", readinessDelaySeconds: 7).startupSeconds == 7)
    }
}
