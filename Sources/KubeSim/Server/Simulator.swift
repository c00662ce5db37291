import Crypto
import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers

/// The embedded Kubernetes API server, started in-process.
///
/// ```swift
/// let sim = try await Simulator.start(.init(port: 0, tls: true, dataDirectory: nil))
/// // kubectl --kubeconfig sim.kubeconfigPath get ns
/// await sim.stop()
/// ```
public final class Simulator: Sendable {
    public struct Configuration: Sendable {
        /// TCP port; 0 picks a free one.
        public var port: Int
        /// Serve HTTPS with a generated CA (client certificates and tokens); false serves
        /// plain HTTP where requests without credentials act as cluster admin.
        public var tls: Bool
        /// Where to persist objects, the CA and tokens; nil keeps everything in memory.
        public var dataDirectory: String?
        public var host: String
        /// Where to write the admin kubeconfig; nil: in the data directory, or a temporary one.
        public var kubeconfigPath: String?
        /// How many changes the watch history keeps before older resourceVersions expire.
        public var historyCapacity: Int
        /// The watch cache's window per resource: a watch from before it gets 410 Expired.
        public var watchCache: WatchCacheSettings
        public var watch: WatchSettings
        /// Admission steps run after the built-in ones (workload simulation adds its own).
        public var admission: [any AdmissionPlugin]
        /// Extra subresources by `resource/subresource` (for example `pods/log`).
        public var subresources: [String: any SubresourceResponder]
        public var logLevel: Logger.Level
        /// The simulated controllers, nodes and pod behaviours (nil: an API server with nothing behind it).
        public var workloads: SimulationOptions?
        /// Faults in force from the start; more come and go at run time (`faults`, `/admin/faults`).
        public var faults: [FaultRule]

        public init(port: Int = 0, tls: Bool = true, dataDirectory: String? = nil, host: String = "127.0.0.1",
                    kubeconfigPath: String? = nil, historyCapacity: Int = 20_000,
                    watchCache: WatchCacheSettings = .init(), watch: WatchSettings = .init(),
                    admission: [any AdmissionPlugin] = [], subresources: [String: any SubresourceResponder] = [:],
                    logLevel: Logger.Level = .warning, workloads: SimulationOptions? = SimulationOptions(),
                    faults: [FaultRule] = []) {
            self.port = port
            self.tls = tls
            self.dataDirectory = dataDirectory
            self.host = host
            self.kubeconfigPath = kubeconfigPath
            self.historyCapacity = historyCapacity
            self.watchCache = watchCache
            self.watch = watch
            self.admission = admission
            self.subresources = subresources
            self.logLevel = logLevel
            self.workloads = workloads
            self.faults = faults
        }
    }

    /// `https://127.0.0.1:PORT` (or `http://…`).
    public let url: String
    public let port: Int
    /// The admin kubeconfig (client certificate in `system:masters`, plus a token user).
    public let kubeconfigPath: String
    /// A bearer token for a cluster admin.
    public let adminToken: String
    /// The API semantics, for in-process controllers that read and write objects directly.
    public let registry: Registry
    public var store: ObjectStore { registry.store }
    /// The simulated controllers (nil when started without them).
    public let workloads: WorkloadSimulation?
    /// The faults in force; change them at run time.
    public let faults: FaultInjector

    private let credentials: Credentials
    private let server: APIServer
    private let controllers: Task<Void, Never>
    private let journal: FileJournal?
    private let temporaryDirectory: URL?
    private let stopped = NIOLockedValueBox(false)

    private init(url: String, port: Int, kubeconfigPath: String, adminToken: String, registry: Registry,
                 credentials: Credentials, server: APIServer, controllers: Task<Void, Never>, journal: FileJournal?,
                 temporaryDirectory: URL?, workloads: WorkloadSimulation?, faults: FaultInjector) {
        self.workloads = workloads
        self.faults = faults
        self.url = url
        self.port = port
        self.kubeconfigPath = kubeconfigPath
        self.adminToken = adminToken
        self.registry = registry
        self.credentials = credentials
        self.server = server
        self.controllers = controllers
        self.journal = journal
        self.temporaryDirectory = temporaryDirectory
    }

    public static func start(_ configuration: Configuration = .init()) async throws -> Simulator {
        var logger = Logger(label: "opsagent.sim")
        logger.logLevel = configuration.logLevel
        let dataURL = configuration.dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let temporary: URL? = dataURL == nil && configuration.kubeconfigPath == nil
            ? FileManager.default.temporaryDirectory.appendingPathComponent("opsagent-sim-\(UUID().uuidString.prefix(8))")
            : nil
        let credentials = try Credentials.loadOrCreate(in: dataURL)

        // Storage, restored from the data directory when there is one.
        let catalog = ResourceCatalog()
        var journal: FileJournal?
        var restored: (revision: UInt64, objects: [(GroupResource, JSONValue)]) = (1, [])
        if let dataURL {
            let fileJournal = FileJournal(directory: dataURL)
            do { restored = try fileJournal.load() } catch {
                throw SimulatorError.dataDirectory(path: dataURL.path, reason: "its snapshot is unreadable (\(error))")
            }
            journal = fileJournal
        }
        let store = ObjectStore(historyCapacity: configuration.historyCapacity, revision: restored.revision,
                                journal: journal, watchCache: configuration.watchCache)
        for (resource, crd) in restored.objects where resource == CustomResourceDefinitions.resource {
            if let type = CustomResourceDefinitions.resourceType(crd) { catalog.register(type, definition: crd) }
        }
        store.restore(restored.objects.compactMap { resource, object in
            guard let name = object["metadata"]["name"].stringValue,
                  let rv = object["metadata"]["resourceVersion"].stringValue.flatMap({ UInt64($0) }) else { return nil }
            let key = ObjectKey(namespace: object["metadata"]["namespace"].stringValue ?? "", name: name)
            let indexing = catalog.type(resource)?.indexing ?? .plain
            return (resource, StoredObject(object: object, key: key, resourceVersion: rv, indexing: indexing))
        }, revision: restored.revision)
        if let journal {
            do { try journal.writeSnapshot(of: store) } catch {
                throw SimulatorError.dataDirectory(path: dataURL!.path, reason: "\(error)")
            }
        }

        let registry = Registry(store: store, catalog: catalog,
                                admission: configuration.admission + (configuration.workloads == nil ? [] : WorkloadSimulation.admission))
        try Bootstrap.populate(registry)
        let workloads = configuration.workloads.map { WorkloadSimulation(registry: registry, options: $0, logger: logger) }
        let faults = try FaultInjector(store: store, rules: configuration.faults)

        let serviceAccounts = ServiceAccountTokens(key: credentials.serviceAccountKey) { namespace, name in
            store.get(ServiceAccountController.serviceAccounts, ObjectKey(namespace: namespace, name: name))?.uid
        }
        let authenticator = Authenticator(
            staticTokens: [credentials.adminToken: UserInfo(name: "opsagent-sim-token-admin", groups: [UserInfo.mastersGroup])],
            serviceAccountTokens: serviceAccounts)
        var subresources = configuration.subresources
        subresources["serviceaccounts/token"] = subresources["serviceaccounts/token"]
            ?? TokenRequestResponder(tokens: serviceAccounts)
        if let workloads, subresources["pods/log"] == nil { subresources["pods/log"] = workloads.logResponder }
        for path in StreamingSubresources.paths where subresources[path] == nil { subresources[path] = StreamingSubresources() }
        let api = APIServices(registry: registry, authenticator: authenticator,
                              authorizer: RBACAuthorizer(store: store),
                              openAPI: CatalogOpenAPI(), watchSettings: configuration.watch,
                              subresources: subresources, anonymousIsAdmin: !configuration.tls,
                              extensions: SimulatorExtensions(workloads: workloads, faults: faults))

        let persistence = journal
        let controllers = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await GarbageCollector(registry: registry).run() }
                group.addTask {
                    await TerminationController(registry: registry, cleanup: TerminationController.namespaces(catalog: catalog)).run()
                }
                group.addTask {
                    await TerminationController(registry: registry, cleanup: TerminationController.customResourceDefinitions()).run()
                }
                group.addTask { await ServiceAccountController(registry: registry).run() }
                if let workloads { group.addTask { await workloads.run() } }
                if let journal = persistence {
                    group.addTask {
                        while !Task.isCancelled {
                            do { try await Task.sleep(for: .seconds(5)) } catch { return }
                            if journal.needsCompaction { try? journal.writeSnapshot(of: store) }
                        }
                    }
                }
            }
        }

        let tls: APIServer.TLSMaterial? = configuration.tls
            ? .init(certificatePEM: credentials.server.certificatePEM, privateKeyPEM: credentials.server.privateKeyPEM,
                    clientCAPEM: credentials.caPEM)
            : nil
        let server: APIServer
        do {
            server = try await APIServer.start(api: api, host: configuration.host, port: configuration.port, tls: tls,
                                               logger: logger)
        } catch {
            controllers.cancel()
            store.close()
            throw error
        }
        let scheme = configuration.tls ? "https" : "http"
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let url = "\(scheme)://\(host):\(server.port)"
        let kubeconfigPath = configuration.kubeconfigPath
            ?? (dataURL ?? temporary!).appendingPathComponent("kubeconfig").path
        let writer = KubeconfigWriter(clusterName: "opsagent-sim", server: url,
                                      caPEM: configuration.tls ? credentials.caPEM : nil)
        let adminCredential: KubeconfigWriter.Credential = configuration.tls
            ? .clientCertificate(certificatePEM: credentials.admin.certificatePEM, keyPEM: credentials.admin.privateKeyPEM)
            : .none
        try KubeconfigWriter.write(writer.render(users: [
            .init(name: "opsagent-sim", credential: adminCredential),
            .init(name: "opsagent-sim-token", credential: .token(credentials.adminToken)),
        ]), to: kubeconfigPath)
        return Simulator(url: url, port: server.port, kubeconfigPath: kubeconfigPath, adminToken: credentials.adminToken,
                         registry: registry, credentials: credentials, server: server, controllers: controllers,
                         journal: persistence, temporaryDirectory: temporary, workloads: workloads, faults: faults)
    }

    /// Writes a kubeconfig for `user` in `groups`, authenticated by a client certificate
    /// from the cluster CA; returns its path.
    public func kubeconfig(user: String, groups: [String] = []) throws -> String {
        let issued = try credentials.authority.issueClient(user: user, groups: groups)
        return try writeKubeconfig(named: "user-\(user)", credential: .clientCertificate(
            certificatePEM: issued.certificatePEM, keyPEM: issued.privateKeyPEM))
    }

    /// Writes a kubeconfig that authenticates with a bearer token; returns its path.
    public func kubeconfig(token: String, name: String = "token-user") throws -> String {
        try writeKubeconfig(named: name, credential: .token(token))
    }

    private func writeKubeconfig(named name: String, credential: KubeconfigWriter.Credential) throws -> String {
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        let path = URL(fileURLWithPath: kubeconfigPath).deletingLastPathComponent()
            .appendingPathComponent("kubeconfig-\(String(safe))").path
        let writer = KubeconfigWriter(clusterName: "opsagent-sim", server: url,
                                      caPEM: url.hasPrefix("https") ? credentials.caPEM : nil)
        try KubeconfigWriter.write(writer.render(users: [.init(name: String(safe), credential: credential)]), to: path)
        return path
    }

    /// A token for a ServiceAccount, as `kubectl create token` gets one.
    public func serviceAccountToken(namespace: String, name: String, lifetime: Int = 3600) throws -> String {
        guard let account = store.get(ServiceAccountController.serviceAccounts, ObjectKey(namespace: namespace, name: name)) else {
            throw APIError.notFound(ServiceAccountController.serviceAccounts, name: name)
        }
        let tokens = ServiceAccountTokens(key: credentials.serviceAccountKey) { _, _ in account.uid }
        return tokens.issue(namespace: namespace, name: name, uid: account.uid,
                            audiences: [ServiceAccountTokens.issuer], lifetime: lifetime).token
    }

    /// The CA certificate clients trust, PEM.
    public var caPEM: String { credentials.caPEM }

    /// Stops serving: ends watches, stops the controllers, writes a final snapshot.
    public func stop() async {
        let first = stopped.withLockedValue { s -> Bool in
            defer { s = true }
            return !s
        }
        guard first else { return }
        controllers.cancel()
        store.close()
        await server.stop()
        await controllers.value
        if let journal {
            try? journal.writeSnapshot(of: store)
            journal.close()
        }
        if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) }
    }
}
