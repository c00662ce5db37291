import Analysis
import Cloud
import KubeClient
import Logging
import OperatorKit

/// What every opsagent controller is given: the manager (API, caches, Events, clock,
/// background jobs) and the operator's integrations — the analyzer, Prometheus, pod metrics
/// and logs. `opsagent run` builds one from its flags and hands it to each installed
/// controller (``InstalledControllers``).
public struct OperatorContext: Sendable {
    /// The integrations, as configured before the manager exists.
    public struct Configuration: Sendable {
        /// The Prometheus that checks query by default (`--prometheus-url`); nil for none.
        public var prometheusURL: String?
        /// The analysis step: the built-in analyzer unless an LLM is configured.
        public var analyzer: any Analyzer
        /// HTTP for Prometheus (and later notifiers).
        public var transport: any HTTPTransport
        /// Reads a container's last log lines; nil reads them through the API server.
        public var logReader: LogReader?
        /// Concurrent reconciles per controller.
        public var workers: Int
        /// The configured clouds (AlertRule cloud sources, SecurityAudit cloud checks); nil for none.
        public var cloud: CloudClients?

        public init(prometheusURL: String? = nil, analyzer: any Analyzer = BuiltinAnalyzer(),
                    transport: any HTTPTransport = CurlTransport.shared, logReader: LogReader? = nil, workers: Int = 4) {
            self.prometheusURL = prometheusURL
            self.analyzer = analyzer
            self.transport = transport
            self.logReader = logReader
            self.workers = workers
        }
    }

    /// Reads the last lines of a container's log.
    public typealias LogReader = @Sendable (_ namespace: String, _ pod: String, _ container: String, _ lines: Int) async -> [String]?

    public let manager: Manager
    public let configuration: Configuration

    public init(manager: Manager, configuration: Configuration = Configuration()) {
        self.manager = manager
        self.configuration = configuration
    }

    public var api: any KubernetesAPI { manager.api }
    public var cache: InformerCache { manager.cache }
    public var analyzer: any Analyzer { configuration.analyzer }

    /// Where metric checks measure.
    public var measurer: CheckMeasurer {
        CheckMeasurer(prometheusURL: configuration.prometheusURL, transport: configuration.transport,
                      podMetrics: PodMetricsReader(api: api))
    }

    /// Facts for the analysis step, read from this cluster.
    public var facts: FactsGatherer { FactsGatherer(source: ClusterFactSource(api: api, logReader: configuration.logReader)) }
}
