import Prometheus

/// What `/metrics` serves: the registry's series, each family with a `# HELP` line (swift-metrics
/// handlers carry no help text, so the text comes from ``help``), followed by the `process_*`
/// series read at the scrape.
public enum MetricsExposition {
    /// The help text of every series the operator exports, by family name.
    public static let help: [String: String] = [
        // controller-runtime
        ControllerMetrics.reconcileTotalName: "Total number of reconciliations per controller.",
        ControllerMetrics.reconcileErrorsName: "Total number of reconciliation errors per controller.",
        ControllerMetrics.terminalErrorsName: "Total number of terminal reconciliation errors per controller.",
        ControllerMetrics.reconcileTimeName: "Length of time per reconciliation per controller.",
        ControllerMetrics.activeWorkersName: "Number of currently used workers per controller.",
        ControllerMetrics.maxConcurrentName: "Maximum number of concurrent reconciles per controller.",
        // client-go workqueue
        WorkQueueMetrics.depthName: "Current depth of workqueue.",
        WorkQueueMetrics.addsName: "Total number of adds handled by workqueue.",
        WorkQueueMetrics.retriesName: "Total number of retries handled by workqueue.",
        WorkQueueMetrics.queueDurationName: "How long in seconds an item stays in workqueue before being requested.",
        WorkQueueMetrics.workDurationName: "How long in seconds processing an item from workqueue takes.",
        WorkQueueMetrics.unfinishedWorkName:
            "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. "
            + "Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
        WorkQueueMetrics.longestRunningName: "How many seconds has the longest running processor for workqueue been running.",
        // informers
        InformerMetrics.watchRestartsName: "Total number of times an informer's watch was restarted.",
        InformerMetrics.relistsName: "Total number of times an informer listed its resource again.",
        InformerMetrics.watchEventsName: "Total number of watch events an informer received.",
        // leader election
        LeaderElector.masterStatusName: "Whether this replica holds the leader-election lease (1) or not (0).",
        LeaderElector.transitionsName: "Total number of times this replica acquired the leader-election lease.",
        // client-go rest client
        InstrumentedTransport.requestsName: "Number of HTTP requests, partitioned by status code, method, and host.",
    ]

    /// Help for a family the catalog does not know (a library's own series).
    static func fallbackHelp(_ name: String) -> String { "\(name) (a library series; no description registered)." }

    /// The registry's series with `# HELP` on every family, then the process series.
    public static func render(_ registry: PrometheusCollectorRegistry, process: ProcessMetrics? = .current()) -> String {
        let text = registry.emitToString()
        var out = ""
        out.reserveCapacity(text.utf8.count + 4096)
        var helped: Set<Substring> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# HELP ") {
                helped.insert(line.dropFirst(7).prefix { $0 != " " })
            } else if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                if !helped.contains(name) {
                    let text = help[String(name)] ?? fallbackHelp(String(name))
                    out += "# HELP \(name) \(text)\n"
                    helped.insert(name)
                }
            }
            out += line
            out += "\n"
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        if let process { out += process.exposition }
        return out
    }

    /// A sample value as Prometheus writes it.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
