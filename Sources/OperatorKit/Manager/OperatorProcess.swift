import Foundation
import KubeClient
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The whole operator process: a manager with every controller, the health and metrics
/// endpoints, and swift-service-lifecycle handling SIGTERM/SIGINT — what `opsagent run`
/// runs, assembled so tests can run it in-process.
public struct OperatorProcess: Sendable {
    public let manager: Manager
    public let endpoints: OperatorEndpoints
    public let registry: PrometheusCollectorRegistry
    private let logger: Logger

    /// Builds the manager and endpoints from `settings` and registers `controllers`.
    public init(
        settings: RunSettings, api: any KubernetesAPI, defaultNamespace: String, controllers: [any ControllerSetup],
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), clock: any OperatorClock = SystemClock(),
        logger: Logger = Logger(label: "opsagent"),
        onBound: (@Sendable (OperatorEndpoints.Endpoint, Int) -> Void)? = nil
    ) throws {
        ProcessMemory.configure()
        var leaderElection: LeaderElectionConfiguration?
        if settings.leaderElect {
            let identity = (ProcessInfo.processInfo.environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName)
                + "_" + UUID().uuidString.lowercased()
            leaderElection = LeaderElectionConfiguration(
                leaseName: settings.leaderElectionID,
                leaseNamespace: settings.leaderElectionNamespace ?? defaultNamespace, identity: identity)
        }
        let configuration = ManagerConfiguration(
            namespaces: settings.namespaces, workersPerController: settings.workers, leaderElection: leaderElection,
            gracefulShutdownTimeout: settings.shutdownTimeout, cacheStorage: settings.cacheStorage)
        manager = Manager(
            api: api, configuration: configuration, clock: clock,
            metricsFactory: OperatorMetrics.factory(registry: registry), logger: logger)
        for controller in controllers { try controller.register(with: manager) }
        let manager = self.manager
        var certificate: ServingCertificate?
        if settings.metricsSecure {
            certificate = try settings.metricsCertDirectory.map { try ServingCertificate.load(directory: $0) }
                ?? ServingCertificate.selfSigned(hostnames: [ProcessInfo.processInfo.hostName, "localhost"])
        }
        endpoints = OperatorEndpoints(
            probes: OperatorEndpoints.Probes(manager: manager), registry: registry,
            metricsAddress: settings.metricsAddress, healthAddress: settings.healthAddress,
            metricsAccess: settings.metricsAuth == .kubernetes ? MetricsAccess(api: api, clock: clock, logger: logger) : nil,
            metricsCertificate: certificate,
            collect: { manager.collectMetrics() }, logger: logger, onBound: onBound)
        self.registry = registry
        self.logger = logger
    }

    /// A service group running the endpoints and the manager; SIGTERM and SIGINT stop the
    /// manager first (graceful), then the endpoints.
    public func serviceGroup(signals: [UnixSignal] = [.sigterm, .sigint]) -> ServiceGroup {
        ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    // First: the last to stop; it only ever ends when asked to.
                    .init(service: HeapTrimmer(), successTerminationBehavior: .ignore),
                    .init(service: endpoints),
                    .init(service: manager, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: signals,
                logger: logger))
    }

    /// Runs until a signal stops the process; returns after a clean shutdown.
    public func run() async throws {
        try await serviceGroup().run()
    }
}
