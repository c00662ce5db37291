import HTTPServing
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Prometheus
import ServiceLifecycle

/// The operator's HTTP endpoints, as controller-runtime serves them:
///
/// - on the health-probe address, `/healthz` (200 while the manager runs) and `/readyz`
///   (200 once every informer has synced, 503 before and while stopping);
/// - on the metrics address, `/metrics` in the Prometheus text format, every family with
///   `# HELP`, plus the `process_*` series; with ``MetricsAccess``, only for bearer tokens
///   whose user RBAC allows `get` on `/metrics` (401 without a valid token, 403 without the right).
///
/// When both addresses are the same, one server answers all three paths.
public struct OperatorEndpoints: ServiceLifecycle.Service {
    /// What the probes report.
    public struct Probes: Sendable {
        public var isHealthy: @Sendable () -> Bool
        public var isReady: @Sendable () -> Bool

        public init(isHealthy: @escaping @Sendable () -> Bool, isReady: @escaping @Sendable () -> Bool) {
            self.isHealthy = isHealthy
            self.isReady = isReady
        }

        /// The probes of a manager.
        public init(manager: Manager) {
            self.init(isHealthy: { manager.isRunning }, isReady: { manager.isReady && manager.isRunning })
        }
    }

    public enum Endpoint: Sendable, Hashable {
        case health
        case metrics
    }

    public let metricsAddress: BindAddressSpec?
    public let healthAddress: BindAddressSpec?
    private let probes: Probes
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let bound = NIOLockedValueBox<[Endpoint: Int]>([:])
    private let onBound: (@Sendable (Endpoint, Int) -> Void)?
    private let metricsAccess: MetricsAccess?
    private let metricsCertificate: ServingCertificate?
    private let collect: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - metricsAccess: who may read `/metrics`; nil serves it to anyone who reaches it.
    ///   - metricsCertificate: serves `/metrics` over TLS with it (and the probes too when they
    ///     share its address); nil serves plain HTTP.
    ///   - collect: updates the series computed at scrape time, before each scrape.
    public init(
        probes: Probes, registry: PrometheusCollectorRegistry, metricsAddress: BindAddressSpec?,
        healthAddress: BindAddressSpec?, metricsAccess: MetricsAccess? = nil, metricsCertificate: ServingCertificate? = nil,
        collect: (@Sendable () -> Void)? = nil,
        logger: Logger = Logger(label: "opsagent.endpoints"),
        onBound: (@Sendable (Endpoint, Int) -> Void)? = nil
    ) {
        self.metricsAccess = metricsAccess
        self.metricsCertificate = metricsCertificate
        self.collect = collect
        self.probes = probes
        self.registry = registry
        self.metricsAddress = metricsAddress
        self.healthAddress = healthAddress
        self.logger = logger
        self.onBound = onBound
    }

    /// The port each endpoint listens on, once bound (useful with port 0).
    public var boundPorts: [Endpoint: Int] { bound.withLockedValue { $0 } }

    public func run() async throws {
        var servers: [(BindAddressSpec, Set<Endpoint>)] = []
        if let healthAddress { servers.append((healthAddress, [.health])) }
        if let metricsAddress {
            if let index = servers.firstIndex(where: { $0.0 == metricsAddress && metricsAddress.port != 0 }) {
                servers[index].1.insert(.metrics)
            } else {
                servers.append((metricsAddress, [.metrics]))
            }
        }
        guard !servers.isEmpty else {
            logger.info("metrics and health endpoints are disabled")
            try await gracefulShutdown()
            return
        }
        try await withThrowingDiscardingTaskGroup { group in
            for (address, endpoints) in servers {
                let application = try makeApplication(address: address, endpoints: endpoints)
                // `run()`, not `runService()`: the enclosing service group owns signals and shutdown.
                group.addTask { try await application.run() }
            }
        }
    }

    private func makeApplication(address: BindAddressSpec, endpoints: Set<Endpoint>) throws -> some ApplicationProtocol {
        let router = Router()
        let probes = self.probes
        if endpoints.contains(.health) {
            router.get("healthz") { _, _ -> Response in
                Self.plain(probes.isHealthy() ? .ok : .serviceUnavailable, probes.isHealthy() ? "ok\n" : "stopping\n")
            }
            router.get("readyz") { _, _ -> Response in
                let ready = probes.isReady()
                return Self.plain(ready ? .ok : .serviceUnavailable, ready ? "ok\n" : "informer caches have not synced\n")
            }
        }
        if endpoints.contains(.metrics) {
            let registry = self.registry
            let access = self.metricsAccess
            let collect = self.collect
            router.get("metrics") { request, _ -> Response in
                if let access {
                    switch await access.decide(authorization: request.headers[.authorization]) {
                    case .allowed: break
                    case .unauthenticated(let reason): return Self.plain(.unauthorized, "Unauthorized: \(reason)\n")
                    case .forbidden(let user):
                        return Self.plain(.forbidden, "Forbidden: user \"\(user)\" may not get /metrics\n")
                    case .failed(let reason): return Self.plain(.internalServerError, "\(reason)\n")
                    }
                }
                collect?()
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(
                    status: .ok, headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: MetricsExposition.render(registry))))
            }
        }
        let bound = self.bound
        let onBound = self.onBound
        let logger = self.logger
        var server = HTTPServerBuilder.http1ClosingUnserved()
        if let certificate = metricsCertificate, endpoints.contains(.metrics) {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)))
            tls.applicationProtocols = ["http/1.1"]
            server = try .tls(server, tlsConfiguration: tls)
        }
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                bound.withLockedValue { ports in for endpoint in endpoints { ports[endpoint] = port } }
                logger.info(
                    "serving \(endpoints.contains(.metrics) ? "/metrics " : "")\(endpoints.contains(.health) ? "/healthz /readyz" : "")",
                    metadata: ["address": "\(address.host):\(port)"])
                for endpoint in endpoints { onBound?(endpoint, port) }
            },
            logger: logger)
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
