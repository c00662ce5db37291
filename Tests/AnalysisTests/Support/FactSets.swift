import Analysis

/// Realistic fact sets, as a BlueGreenDeployment reconciler would gather them for the
/// preview of `shop/checkout`.
enum FactSets {
    static let subject = AnalysisSubject(kind: "BlueGreenDeployment", namespace: "shop", name: "checkout")
    static let question = "May the preview (green, image checkout:1.8.0) be promoted?"
    static let mebibyte = 1024.0 * 1024.0

    static func request(_ facts: AnalysisFacts, sensitive: Set<String> = []) -> AnalysisRequest {
        AnalysisRequest(subject: subject, question: question, facts: facts, sensitiveValues: sensitive)
    }

    static func runningContainer(restarts: Int = 0, ready: Bool = true, last: ContainerTermination? = nil,
                                 env: [String: String] = [:]) -> ContainerFact {
        ContainerFact(name: "app", image: "registry.example.com/shop/checkout:1.8.0", ready: ready, restartCount: restarts,
                      state: .running, lastTermination: last,
                      limits: ResourceLimits(cpuCores: 0.5, memoryBytes: 256 * mebibyte), environment: env)
    }

    static func pod(_ suffix: String, phase: PodPhase = .running, ready: Bool = true, containers: [ContainerFact]? = nil,
                    pendingReason: String? = nil, pendingMessage: String? = nil) -> PodFact {
        PodFact(name: "checkout-green-7d9f8-\(suffix)", phase: phase, ready: ready, pendingReason: pendingReason,
                pendingMessage: pendingMessage, containers: containers ?? [runningContainer(ready: ready)])
    }

    static let errorRateQuery = #"sum(rate(http_requests_total{app="checkout",color="green",code=~"5.."}[5m])) / sum(rate(http_requests_total{app="checkout",color="green"}[5m]))"#
    static let cpuQuery = #"sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"checkout-green-.*"}[2m]))"#
    static let memoryQuery = #"max by (pod) (container_memory_working_set_bytes{namespace="shop",pod=~"checkout-green-.*"})"#

    static func errorRate(_ values: [Double]) -> MetricSample {
        MetricSample(name: "error-rate", query: errorRateQuery, kind: .errorRate, values: values)
    }

    static var healthyMetrics: [MetricSample] {
        [
            errorRate([0.004, 0.006, 0.003, 0.005, 0.004]),
            MetricSample(name: "cpu", query: cpuQuery, kind: .cpuUsage, values: [0.12, 0.15, 0.14, 0.16]),
            MetricSample(name: "memory", query: memoryQuery, kind: .memoryUsage, values: [110, 118, 121, 120].map { $0 * mebibyte }),
        ]
    }

    /// Three ready pods, low error rate, CPU and memory well under their limits.
    static var healthy: AnalysisFacts {
        AnalysisFacts(
            metrics: healthyMetrics,
            pods: [pod("abcde"), pod("fghij"), pod("klmno")],
            events: [EventFact(type: "Normal", reason: "Pulled", message: "Successfully pulled image \"registry.example.com/shop/checkout:1.8.0\"", object: "Pod/checkout-green-7d9f8-abcde")],
            logs: [LogTail(pod: "checkout-green-7d9f8-abcde", container: "app", lines: [
                "2024-05-01T10:00:01Z level=info msg=\"listening\" addr=:8080",
                "2024-05-01T10:00:09Z level=info msg=\"GET /api/cart\" status=200 duration=12ms",
            ])],
            checks: [CheckResult(name: "smoke-test", outcome: .passed, detail: "GET /healthz returned 200 in 8ms")])
    }

    /// 12% of requests fail; pods look fine.
    static var highErrorRate: AnalysisFacts {
        var facts = healthy
        facts.metrics[0] = errorRate([0.01, 0.04, 0.09, 0.12])
        facts.logs = [LogTail(pod: "checkout-green-7d9f8-abcde", container: "app", lines: [
            "2024-05-01T10:02:01Z level=error msg=\"payment backend unavailable\" status=503",
            "2024-05-01T10:02:02Z level=error msg=\"payment backend unavailable\" status=503",
        ])]
        return facts
    }

    /// Two of three pods crash-loop after a panic.
    static var crashLoop: AnalysisFacts {
        let crashing = ContainerFact(name: "app", image: "registry.example.com/shop/checkout:1.8.0", ready: false, restartCount: 7,
                                     state: .waiting(reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container=app"),
                                     lastTermination: ContainerTermination(reason: "Error", exitCode: 2),
                                     limits: ResourceLimits(cpuCores: 0.5, memoryBytes: 256 * mebibyte))
        return AnalysisFacts(
            metrics: [errorRate([0.0, 0.01, 0.0])],
            pods: [pod("abcde", ready: false, containers: [crashing]), pod("fghij", ready: false, containers: [crashing]), pod("klmno")],
            events: [EventFact(type: "Warning", reason: "BackOff", message: "Back-off restarting failed container app in pod checkout-green-7d9f8-abcde",
                               object: "Pod/checkout-green-7d9f8-abcde", count: 31)],
            logs: [LogTail(pod: "checkout-green-7d9f8-abcde", container: "app", previous: true, lines: [
                "panic: runtime error: invalid memory address or nil pointer dereference",
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b1c]",
            ])])
    }

    /// The error-rate query returns only NaN (no traffic reached the preview); pods are fine.
    static var nanMetrics: AnalysisFacts {
        var facts = healthy
        facts.metrics = [errorRate([.nan, .nan, .nan, .nan])]
        return facts
    }

    /// The previous run was OOMKilled; memory is at 97% of the limit.
    static var oomKilled: AnalysisFacts {
        let container = runningContainer(restarts: 2, ready: true, last: ContainerTermination(reason: "OOMKilled", exitCode: 137))
        return AnalysisFacts(
            metrics: [errorRate([0.01, 0.01]),
                      MetricSample(name: "memory", query: memoryQuery, kind: .memoryUsage, pod: "checkout-green-7d9f8-abcde",
                                   values: [200 * mebibyte, 249 * mebibyte])],
            pods: [pod("abcde", containers: [container])],
            events: [EventFact(type: "Warning", reason: "OOMKilling", message: "Memory cgroup out of memory: Killed process 4242 (checkout)", object: "Node/worker-2")])
    }

    /// The image tag does not exist.
    static var imagePullFailure: AnalysisFacts {
        let container = ContainerFact(name: "app", image: "registry.example.com/shop/checkout:1.8.0-typo", ready: false,
                                      state: .waiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"registry.example.com/shop/checkout:1.8.0-typo\""))
        return AnalysisFacts(
            pods: [pod("abcde", phase: .pending, ready: false, containers: [container])],
            events: [EventFact(type: "Warning", reason: "Failed", message: "Failed to pull image \"registry.example.com/shop/checkout:1.8.0-typo\": not found",
                               object: "Pod/checkout-green-7d9f8-abcde", count: 4)])
    }

    /// No node has room for the pod.
    static var pendingUnschedulable: AnalysisFacts {
        AnalysisFacts(
            pods: [pod("abcde", phase: .pending, ready: false, containers: [],
                       pendingReason: "Unschedulable", pendingMessage: "0/3 nodes are available: 3 Insufficient cpu.")],
            events: [EventFact(type: "Warning", reason: "FailedScheduling", message: "0/3 nodes are available: 3 Insufficient cpu.",
                               object: "Pod/checkout-green-7d9f8-abcde", count: 3)])
    }
}
