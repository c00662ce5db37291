import Analysis
import Controllers
import Foundation
import KubeClient
import Logging
import OperatorKit
import Prometheus

/// The operator `opsagent run` runs, assembled from its settings: the client (its requests
/// counted in `rest_client_requests_total`), the analyzer, every installed controller, the
/// manager and the endpoints. Tests build the same process in-process, with an observer of
/// the API requests it sends.
struct OperatorAssembly {
    var settings: RunSettings
    var prometheusURL: String?
    /// `namespace/name` of the analysis ConfigMap.
    var analysisConfigMap: String?
    var analysisOverrides: [String: String] = [:]
    var environment: [String: String] = [:]
    /// `namespace/name` of the cloud ConfigMap, and the cloud flags (CloudConfiguration keys).
    var cloudConfigMap: String?
    var cloudFlags: [String: String?] = [:]

    /// Builds the process; `observer` sees every API request and its status.
    func makeProcess(
        registry: PrometheusCollectorRegistry, observer: InstrumentedTransport.Observer? = nil,
        logger: Logger = Logger(label: "opsagent"),
        onBound: (@Sendable (OperatorEndpoints.Endpoint, Int) -> Void)? = nil
    ) async throws -> OperatorProcess {
        let configuration = try ClusterConfiguration.load(kubeconfigPath: settings.kubeconfig, context: settings.context)
        let transport = InstrumentedTransport(
            metricsFactory: OperatorMetrics.factory(registry: registry), observer: observer)
        let client = KubernetesClient(configuration: configuration, transport: transport)
        let analyzer = try await AnalysisSetup(
            configMap: analysisConfigMap, overrides: analysisOverrides, environment: environment, client: client,
            logger: logger
        ).makeAnalyzer()
        var controllerConfiguration = OperatorContext.Configuration(
            prometheusURL: prometheusURL, analyzer: analyzer, workers: settings.workers)
        controllerConfiguration.cloud = try await CloudSetup(
            configMap: cloudConfigMap, flags: cloudFlags, environment: environment, client: client, logger: logger
        ).makeClients()
        // Every installed controller (Controllers/Shared/InstalledControllers.swift).
        let controllers = InstalledControllers.setups(controllerConfiguration)
        if controllers.isEmpty {
            logger.warning("no controllers are installed; serving health and metrics only")
        }
        return try OperatorProcess(
            settings: settings, api: client, defaultNamespace: client.defaultNamespace, controllers: controllers,
            registry: registry, logger: logger, onBound: onBound)
    }
}
