import Analysis
import ArgumentParser
import Controllers
import Foundation
import KubeClient
import Logging
import OperatorKit
import Prometheus

/// `opsagent run`: the operator itself.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the operator: every installed controller, with leader election, health and metrics endpoints.",
        discussion: """
            Each option can also be set with an environment variable (the option wins):
              \(RunSettings.Variable.allCases.map(\.rawValue).joined(separator: ", "))
            KUBECONFIG is honoured when neither --kubeconfig nor OPSAGENT_KUBECONFIG is set; in a pod the
            service account is used. The leader-election Lease lives in POD_NAMESPACE unless
            --leader-election-namespace says otherwise. SIGTERM stops taking work, lets reconciles in
            flight finish (up to --shutdown-timeout), releases the lease and exits 0.
            """)

    @Option(help: "Prometheus base URL that analysis checks query by default (env OPSAGENT_PROMETHEUS_URL).")
    var prometheusURL: String?

    @Option(help: "A ConfigMap (namespace/name) with the analysis configuration: LLM provider, model, budget, thresholds (env OPSAGENT_ANALYSIS_CONFIGMAP).")
    var analysisConfigmap: String?

    @Option(help: "The analysis provider: builtin, openai, azure-openai, vllm, ollama, lmstudio or anthropic (overrides the ConfigMap).")
    var analysisProvider: String?

    @Option(help: "The LLM model for analysis (overrides the ConfigMap).")
    var analysisModel: String?

    @Option(help: "The LLM API base URL (overrides the ConfigMap).")
    var analysisBaseURL: String?

    @Option(help: "Path to a kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the in-cluster service account).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: the current context).")
    var context: String?

    @Option(help: "Namespaces to watch, comma-separated; empty or * watches all namespaces.")
    var namespaces: String?

    @Option(help: "Concurrent reconciles per controller (default 1).")
    var workers: Int?

    @Flag(inversion: .prefixedNo, help: "Elect a leader with a Lease so only one replica reconciles (default off).")
    var leaderElect: Bool?

    @Option(name: .customLong("leader-election-id"), help: "The name of the leader-election Lease (default opsagent-leader).")
    var leaderElectionID: String?

    @Option(help: "The namespace of the leader-election Lease (default: POD_NAMESPACE, else the kubeconfig's namespace).")
    var leaderElectionNamespace: String?

    @Option(help: "Where /metrics listens: :PORT, HOST:PORT, or 0 to disable (default :8080).")
    var metricsBindAddress: String?

    @Option(help: "Where /healthz and /readyz listen: :PORT, HOST:PORT, or 0 to disable (default :8081).")
    var healthProbeBindAddress: String?

    @Option(help: "Who may read /metrics: none (anyone who reaches the port) or kubernetes (bearer tokens checked with TokenReview and SubjectAccessReview for get /metrics) (default none).")
    var metricsAuth: String?

    @Flag(inversion: .prefixedNo, help: "Serve /metrics over TLS, with --metrics-cert-dir's certificate or a self-signed one (default off).")
    var metricsSecure: Bool?

    @Option(help: "A folder with tls.crt and tls.key for /metrics (default: a self-signed certificate).")
    var metricsCertDir: String?

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds reconciles in flight get to finish on shutdown (default 25).")
    var shutdownTimeoutSeconds: Int?

    @Option(help: "How cached objects are kept: compact (JSON bytes, parsed on each read: the least memory) or decoded (parsed trees: the least CPU) (env OPSAGENT_CACHE_STORAGE; default \(RunSettings().cacheStorage)).")
    var cacheStorage: String?

    @Option(help: "Log format: json, text, or auto (text on a terminal, json otherwise).")
    var logFormat: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String?

    @OptionGroup(title: "Clouds") var cloud: CloudOptions

    @OptionGroup(title: "MCP server") var mcp: RunMCPOptions

    @OptionGroup(title: "GraphQL API and dashboard") var api: RunAPIOptions

    func run() async throws {
        var flags = RunSettings.Flags()
        flags.kubeconfig = kubeconfig
        flags.context = context
        flags.namespaces = namespaces
        flags.workers = workers
        flags.leaderElect = leaderElect
        flags.leaderElectionID = leaderElectionID
        flags.leaderElectionNamespace = leaderElectionNamespace
        flags.metricsBindAddress = metricsBindAddress
        flags.healthProbeBindAddress = healthProbeBindAddress
        flags.metricsAuth = metricsAuth
        flags.metricsSecure = metricsSecure
        flags.metricsCertDirectory = metricsCertDir
        flags.shutdownTimeoutSeconds = shutdownTimeoutSeconds
        flags.logFormat = logFormat
        flags.logLevel = logLevel
        flags.cacheStorage = cacheStorage
        let settings: RunSettings
        do {
            settings = try RunSettings.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }

        OperatorLogging.bootstrap(format: settings.logFormat, level: settings.logLevel)
        let registry = PrometheusCollectorRegistry()
        OperatorMetrics.bootstrapProcessMetrics(registry: registry)
        let environment = ProcessInfo.processInfo.environment
        let assembly = OperatorAssembly(
            settings: settings, prometheusURL: prometheusURL ?? environment["OPSAGENT_PROMETHEUS_URL"],
            analysisConfigMap: analysisConfigmap ?? environment["OPSAGENT_ANALYSIS_CONFIGMAP"],
            analysisOverrides: ["provider": analysisProvider, "model": analysisModel, "baseURL": analysisBaseURL]
                .compactMapValues { $0 },
            environment: environment,
            cloudConfigMap: cloud.configMap(environment: environment), cloudFlags: cloud.flags)
        let process = try await assembly.makeProcess(registry: registry)
        try await mcp.runAlongside(settings: settings, cloud: cloud, environment: environment) {
            try await api.runAlongside(settings: settings, prometheusURL: prometheusURL ?? environment["OPSAGENT_PROMETHEUS_URL"]) {
                try await process.run()
            }
        }
    }
}
