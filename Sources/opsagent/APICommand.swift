import ArgumentParser
import Foundation
import GraphQLAPI
import KubeClient
import Logging
import OperatorKit

/// `opsagent api`: the seed's GraphQL API over the operator's custom resources, with live
/// subscriptions and the dashboard page, served from its own informer caches.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Serve the GraphQL API (queries, mutations, subscriptions) and the dashboard.",
        discussion: """
            POST /graphql takes GraphQL requests, /graphql also accepts WebSockets (graphql-transport-ws) for \
            subscriptions, and / is the dashboard. Every request needs 'Authorization: Bearer <token>' with a token \
            the cluster accepts (kubectl create token NAME); what a user sees and changes is decided by Kubernetes RBAC. \
            Open the dashboard as http://HOST:PORT/#token=<token>.
            """)

    @Option(help: "Address to serve on (:8082, HOST:PORT).")
    var listen: String = ":8082"

    @Flag(help: "Print the schema (SDL) and exit.")
    var printSchema = false

    @Option(help: "Prometheus for the metrics query and the metricUpdated subscription (or OPSAGENT_PROMETHEUS_URL).")
    var prometheusURL: String?

    @Option(help: "Seconds between metricUpdated messages.")
    var metricsIntervalSeconds: Int = 15

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default info).")
    var logLevel: String = "info"

    func run() async throws {
        if printSchema {
            print(try OpsGraphQLAPI().sdl, terminator: "")
            return
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        guard metricsIntervalSeconds > 0 else { throw ValidationError("--metrics-interval-seconds must be at least 1") }
        guard let address = try BindAddressSpec.parse(listen) else { throw ValidationError("--listen: give an address such as :8082") }
        OperatorLogging.bootstrap(format: .auto, level: level)
        ProcessMemory.configure()  // as the operator process: big transient blocks go back to the system
        let prometheus = prometheusURL ?? ProcessInfo.processInfo.environment["OPSAGENT_PROMETHEUS_URL"]
        try await Self.serve(client: try cluster.makeClient(), host: address.host, port: address.port, prometheusURL: prometheus,
                             metricsInterval: .seconds(metricsIntervalSeconds), handlingSignals: true)
    }

    /// Fills the caches, then serves until cancelled (or a signal, when `handlingSignals`).
    static func serve(client: KubernetesClient, host: String, port: Int, prometheusURL: String?, metricsInterval: Duration,
                      handlingSignals: Bool) async throws {
        let logger = Logger(label: "opsagent.api")
        let caches = APICaches(api: client)
        let services = APIServices(caches: caches, serverClient: client, prometheusURL: prometheusURL, metricsInterval: metricsInterval,
                                   logger: logger)
        let server = APIServer(service: try GraphQLService(services: services, logger: logger), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await caches.run() }
            await Self.waitForCaches(caches, logger: logger)
            try await server.run(host: host, port: port, handlingSignals: handlingSignals)
            group.cancelAll()
        }
    }
}

extension APICommand {
    /// Fills the caches for at most 30 s; resources still unlisted (a CRD not installed) are
    /// logged, and their fields answer with an error until they are.
    static func waitForCaches(_ caches: APICaches, logger: Logger) async {
        let missing = await caches.waitUntilSynced(timeout: .seconds(30))
        if !missing.isEmpty {
            logger.warning("serving before these resources could be listed; their fields answer with an error until they are",
                           metadata: ["resources": "\(missing.joined(separator: ", "))"])
        }
    }
}

/// `opsagent run --api-listen :8082`: the GraphQL API and dashboard inside the operator.
struct RunAPIOptions: ParsableArguments {
    @Option(name: .customLong("api-listen"), help: "Also serve the GraphQL API and dashboard on this address (:8082); off by default.")
    var listen: String?

    /// Runs `body` (the operator) with the API beside it when `--api-listen` is set.
    func runAlongside(settings: RunSettings, prometheusURL: String?, _ body: () async throws -> Void) async throws {
        guard let listen, let address = try BindAddressSpec.parse(listen) else { return try await body() }
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: settings.kubeconfig, context: settings.context))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await APICommand.serve(client: client, host: address.host, port: address.port, prometheusURL: prometheusURL,
                                           metricsInterval: .seconds(15), handlingSignals: true)
            }
            try await body()
            group.cancelAll()
        }
    }
}
