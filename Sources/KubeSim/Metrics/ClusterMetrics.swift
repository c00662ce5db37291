import Foundation
import KubeClient

/// The `/metrics/cluster` exposition: per-container cAdvisor series, per-pod request
/// series driven by each pod's behaviour, and kube-state-metrics series for pods and
/// Deployments, for a real Prometheus to scrape.
///
/// Counters are computed from when each container started and how long each pod has been
/// Ready, on the wall clock, so successive scrapes see them grow at exactly the rates the
/// behaviour sets: `rate(container_cpu_usage_seconds_total[5m])` is the `cpu` annotation
/// (once Prometheus holds five minutes of samples; the cAdvisor series carry the time they
/// were measured, so scrape delays do not skew it),
/// and the 5xx share of `rate(http_requests_total[5m])` is the `error-rate` annotation.
final class ClusterMetrics: Sendable {
    private let client: ClusterClient
    private let kubelet: Kubelet
    private let clock: SimulationClock
    private let pods = SummaryCache(PodSummary.init)
    private let deployments = SummaryCache(DeploymentSummary.init)

    init(client: ClusterClient, kubelet: Kubelet, clock: SimulationClock) {
        self.client = client
        self.kubelet = kubelet
        self.clock = clock
    }

    /// The exposition text, optionally for one namespace.
    func render(namespace: String? = nil) -> [UInt8] {
        let now = clock.now
        var text = PrometheusText()
        let runtimes = kubelet.pods.filter { namespace == nil || $0.key.namespace == namespace }
            .sorted { $0.key < $1.key }
        let podObjects = client.list(WorkloadResource.pods, namespace: namespace)
        let summaries = pods.summaries(podObjects, complete: namespace == nil)
        var images: [StoreKey: [String: String]] = [:]
        for object in podObjects {
            var byName: [String: String] = [:]
            for container in object.object["spec"]["containers"].arrayValue ?? [] {
                if let name = container["name"].stringValue { byName[name] = container["image"].stringValue ?? "" }
            }
            images[object.key] = byName
        }
        let known = Set(podObjects.map(\.key))

        // cAdvisor (stamped with the moment of measurement, as cAdvisor does)
        let stamp = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        text.family("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.")
        text.family("container_memory_working_set_bytes", "gauge", "Current working set in bytes.")
        text.family("container_memory_usage_bytes", "gauge", "Current memory usage in bytes, including all memory regardless of when it was accessed.")
        text.family("container_spec_memory_limit_bytes", "gauge", "Memory limit for the container.")
        for pod in runtimes where known.contains(pod.key) {
            for container in pod.containers {
                guard let usage = ContainerUsage(container, at: now, clock: clock) else { continue }
                let labels: [(String, String)] = [
                    ("container", container.name),
                    ("image", ImageReference.normalized(images[pod.key]?[container.name] ?? container.image)),
                    ("namespace", pod.key.namespace), ("node", pod.node), ("pod", pod.key.name),
                ]
                text.sample("container_cpu_usage_seconds_total", labels, usage.cpuSeconds, timestampMilliseconds: stamp)
                text.sample("container_memory_working_set_bytes", labels, usage.workingSetBytes.rounded(),
                            timestampMilliseconds: stamp)
                text.sample("container_memory_usage_bytes", labels, (usage.workingSetBytes * 1.08).rounded(),
                            timestampMilliseconds: stamp)
                text.sample("container_spec_memory_limit_bytes", labels, usage.limitBytes ?? 0, timestampMilliseconds: stamp)
            }
        }

        // Application request metrics
        text.family("http_requests_total", "counter", "Total HTTP requests served, by status code.")
        let histogramFamily = "http_request_duration_seconds"
        text.family(histogramFamily, "histogram", "HTTP request latencies in seconds.")
        for pod in runtimes where known.contains(pod.key) && pod.containers.contains(where: { $0.phase.isRunning }) {
            let traffic = TrafficCounters(pod, at: now)
            let base: [(String, String)] = [("namespace", pod.key.namespace), ("pod", pod.key.name)]
            text.sample("http_requests_total", [("code", "200")] + base, Double(traffic.successes))
            text.sample("http_requests_total", [("code", "500")] + base, Double(traffic.errors))
            let histogram = traffic.histogram
            for bucket in histogram.buckets {
                text.sample("http_request_duration_seconds_bucket", base + [("le", PrometheusText.format(bucket.le))],
                            Double(bucket.count), family: histogramFamily)
            }
            text.sample("http_request_duration_seconds_bucket", base + [("le", "+Inf")], Double(traffic.total),
                        family: histogramFamily)
            text.sample("http_request_duration_seconds_sum", base, histogram.sum, family: histogramFamily)
            text.sample("http_request_duration_seconds_count", base, Double(traffic.total), family: histogramFamily)
        }

        // kube-state-metrics: pods
        text.family("kube_pod_info", "gauge", "Information about pod.")
        text.family("kube_pod_status_phase", "gauge", "The pods current phase.")
        text.family("kube_pod_status_ready", "gauge", "Describes whether the pod is ready to serve requests.")
        text.family("kube_pod_container_status_ready", "gauge", "Describes whether the containers readiness check succeeded.")
        text.family("kube_pod_container_status_restarts_total", "counter", "The number of container restarts per container.")
        text.family("kube_pod_container_status_waiting_reason", "gauge", "Describes the reason the container is currently in waiting state.")
        text.family("kube_pod_container_status_last_terminated_reason", "gauge", "Describes the last reason the container was in terminated state.")
        for pod in summaries.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) {
            let base: [(String, String)] = [("namespace", pod.namespace), ("pod", pod.name), ("uid", pod.uid)]
            text.sample("kube_pod_info", base + [
                ("created_by_kind", pod.ownerKind), ("created_by_name", pod.ownerName), ("host_ip", pod.hostIP),
                ("node", pod.node), ("pod_ip", pod.podIP),
            ], 1)
            for phase in ["Pending", "Succeeded", "Failed", "Unknown", "Running"] {
                text.sample("kube_pod_status_phase", base + [("phase", phase)], pod.phase == phase ? 1 : 0)
            }
            for condition in ["true", "false", "unknown"] {
                text.sample("kube_pod_status_ready", base + [("condition", condition)], pod.ready == condition ? 1 : 0)
            }
            for container in pod.containers {
                let labels = base + [("container", container.name)]
                text.sample("kube_pod_container_status_ready", labels, container.ready ? 1 : 0)
                text.sample("kube_pod_container_status_restarts_total", labels, Double(container.restarts))
                if let reason = container.waitingReason {
                    text.sample("kube_pod_container_status_waiting_reason", labels + [("reason", reason)], 1)
                }
                if let reason = container.lastTerminatedReason {
                    text.sample("kube_pod_container_status_last_terminated_reason", labels + [("reason", reason)], 1)
                }
            }
        }

        // kube-state-metrics: deployments
        let deploymentSummaries = deployments.summaries(client.list(WorkloadResource.deployments, namespace: namespace),
                                                        complete: namespace == nil)
        let families: [(String, String, (DeploymentSummary) -> Int)] = [
            ("kube_deployment_spec_replicas", "Number of desired pods for a deployment.", { $0.specReplicas }),
            ("kube_deployment_status_replicas", "The number of replicas per deployment.", { $0.counts.replicas }),
            ("kube_deployment_status_replicas_ready", "The number of ready replicas per deployment.", { $0.counts.readyReplicas }),
            ("kube_deployment_status_replicas_available", "The number of available replicas per deployment.", { $0.counts.availableReplicas }),
            ("kube_deployment_status_replicas_unavailable", "The number of unavailable replicas per deployment.", { $0.counts.unavailableReplicas }),
            ("kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.", { $0.counts.updatedReplicas }),
            ("kube_deployment_status_observed_generation", "The generation observed by the deployment controller.", { $0.counts.observedGeneration }),
            ("kube_deployment_metadata_generation", "Sequence number representing a specific generation of the desired state.", { $0.generation }),
        ]
        let sortedDeployments = deploymentSummaries.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        for (name, help, value) in families {
            text.family(name, "gauge", help)
            for d in sortedDeployments {
                text.sample(name, [("deployment", d.name), ("namespace", d.namespace)], Double(value(d)))
            }
        }
        text.family("kube_deployment_status_condition", "gauge", "The current status conditions of a deployment.")
        for d in sortedDeployments {
            for condition in d.conditions {
                for status in ["true", "false", "unknown"] {
                    text.sample("kube_deployment_status_condition", [
                        ("condition", condition.type), ("deployment", d.name), ("namespace", d.namespace), ("status", status),
                    ], condition.status.lowercased() == status ? 1 : 0)
                }
            }
        }
        return text.bytes
    }
}
