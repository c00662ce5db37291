import Foundation
import KubeClient
import NIOConcurrencyHelpers
import Testing
import UnixSignals

@testable import OperatorKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Operator process")
struct OperatorProcessTests {
    func get(_ port: Int, _ path: String) async throws -> (Int, String) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("serves /healthz, /readyz and /metrics, and a signal shuts it down cleanly, releasing the lease")
    func endpointsAndSignal() async throws {
        let cluster = InMemoryCluster()
        _ = try await cluster.create(Fixtures.widgets.resource, Fixtures.widget("w"), namespace: nil)
        var flags = RunSettings.Flags()
        flags.leaderElect = true
        flags.metricsBindAddress = "127.0.0.1:0"
        flags.healthProbeBindAddress = "127.0.0.1:0"
        let settings = try RunSettings.resolve(flags: flags, environment: ["POD_NAMESPACE": "opsagent-system"])
        let tally = ReconcileTally()
        let setup = ControllerRegistration(name: "widgets") { manager in
            try manager.addController(
                named: "widgets", for: Fixtures.widgets, owns: [Fixtures.configMaps],
                reconciler: WidgetReconciler(manager: manager, tally: tally))
        }
        let ports = NIOLockedValueBox<[OperatorEndpoints.Endpoint: Int]>([:])
        let process = try OperatorProcess(
            settings: settings, api: cluster, defaultNamespace: "default", controllers: [setup],
            onBound: { endpoint, port in ports.withLockedValue { $0[endpoint] = port } })
        let group = process.serviceGroup(signals: [.sigusr2])
        let running = Task { try await group.run() }

        try await eventually { ports.withLockedValue { $0.count } == 2 }
        let health = try #require(ports.withLockedValue { $0[.health] })
        let metrics = try #require(ports.withLockedValue { $0[.metrics] })
        #expect(health != metrics, "two addresses, two servers")
        #expect(try await get(health, "/healthz").0 == 200)
        try await eventually { try await get(health, "/readyz").0 == 200 }
        try await eventually { tally.count("w") >= 1 }
        try await eventually { try await get(metrics, "/metrics").1.contains("leader_election_master_status{name=\"opsagent-leader\"} 1") }
        let exposition = try await get(metrics, "/metrics").1
        #expect(exposition.contains("controller_runtime_reconcile_total{controller=\"widgets\",result=\"success\"}"))
        #expect(try await get(metrics, "/healthz").0 == 404, "probes live on the health address only")

        kill(getpid(), SIGUSR2)
        try await running.value
        let lease = try #require(cluster.object(.leases, ObjectKey(namespace: "opsagent-system", name: "opsagent-leader")))
        #expect(lease["spec"]["holderIdentity"] == "", "released on shutdown")
        #expect(!process.manager.isRunning)
    }

    @Test("flags win over OPSAGENT_* variables, which win over defaults; bad values say what is expected")
    func settings() throws {
        var flags = RunSettings.Flags()
        flags.workers = 4
        let environment = [
            "OPSAGENT_WORKERS": "2", "OPSAGENT_NAMESPACES": "team-a, team-b", "OPSAGENT_LEADER_ELECT": "true",
            "OPSAGENT_METRICS_BIND_ADDRESS": "0", "OPSAGENT_HEALTH_PROBE_BIND_ADDRESS": "127.0.0.1:9440",
            "KUBECONFIG": "/tmp/kubeconfig", "OPSAGENT_LOG_FORMAT": "json",
        ]
        let settings = try RunSettings.resolve(flags: flags, environment: environment)
        #expect(settings.workers == 4)
        #expect(settings.namespaces == .namespaces(["team-a", "team-b"]))
        #expect(settings.leaderElect)
        #expect(settings.metricsAddress == nil)
        #expect(settings.healthAddress == BindAddressSpec(host: "127.0.0.1", port: 9440))
        #expect(settings.kubeconfig == "/tmp/kubeconfig")
        #expect(settings.logFormat == .json)

        let defaults = try RunSettings.resolve(flags: RunSettings.Flags(), environment: [:])
        #expect(defaults.namespaces == .all && defaults.workers == 1 && !defaults.leaderElect)
        #expect(defaults.metricsAddress == BindAddressSpec(host: "0.0.0.0", port: 8080))
        #expect(defaults.healthAddress == BindAddressSpec(host: "0.0.0.0", port: 8081))

        #expect(throws: RunSettingsError.self) { try RunSettings.resolve(flags: .init(), environment: ["OPSAGENT_WORKERS": "many"]) }
        #expect(throws: RunSettingsError.self) { try RunSettings.resolve(flags: .init(), environment: ["OPSAGENT_LEADER_ELECT": "maybe"]) }
        #expect(defaults.cacheStorage == ManagerConfiguration().cacheStorage)
        #expect(try RunSettings.resolve(flags: .init(), environment: ["OPSAGENT_CACHE_STORAGE": "Decoded"]).cacheStorage == .decoded)
        var compact = RunSettings.Flags()
        compact.cacheStorage = "compact"
        #expect(try RunSettings.resolve(flags: compact, environment: ["OPSAGENT_CACHE_STORAGE": "decoded"]).cacheStorage == .compact,
                "the flag wins over the variable")
        let storageError = #expect(throws: RunSettingsError.self) {
            try RunSettings.resolve(flags: .init(), environment: ["OPSAGENT_CACHE_STORAGE": "lazy"])
        }
        #expect("\(storageError.map { "\($0)" } ?? "")".contains("OPSAGENT_CACHE_STORAGE"), "the error names what to fix")
        #expect("\(storageError.map { "\($0)" } ?? "")".contains("compact or decoded"))
        var zero = RunSettings.Flags()
        zero.workers = 0
        #expect(throws: RunSettingsError.self) { try RunSettings.resolve(flags: zero, environment: [:]) }
        var badAddress = RunSettings.Flags()
        badAddress.metricsBindAddress = "localhost"
        #expect(throws: BindAddressError.self) { try RunSettings.resolve(flags: badAddress, environment: [:]) }
    }

    @Test("logs: one JSON object per line in cluster, aligned text on a terminal")
    func logFormats() throws {
        let event = LogEvent(
            level: .warning, message: "lost the lease", metadata: nil, source: "OperatorKit",
            file: "Sources/OperatorKit/LeaderElection/LeaderElector.swift", function: "run", line: 42)
        let date = Date(timeIntervalSince1970: 1_750_000_000)
        let json = JSONLogHandler.format(event, label: "opsagent.leader", metadata: ["lease": "ns/name"], date: date)
        let parsed = try JSONValue(parsing: Array(json.utf8))
        #expect(parsed["msg"] == "lost the lease")
        #expect(parsed["level"] == "warning")
        #expect(parsed["logger"] == "opsagent.leader")
        #expect(parsed["lease"] == "ns/name")
        #expect(parsed["ts"] == "2025-06-15T15:06:40.000Z")
        #expect(parsed["caller"] == "LeaderElector.swift:42")
        #expect(!json.contains("\n"))

        let text = TextLogHandler.format(event, label: "opsagent.leader", metadata: ["lease": "ns/name", "why": "a b"], date: date)
        #expect(text == "2025-06-15T15:06:40.000Z WARNING  opsagent.leader  lost the lease lease=ns/name why=\"a b\"")
    }
}

import Logging
