import AuditChecks
import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// SecurityAudit (#17): the whole controller path over a large cluster — 10,000 pods in
/// 500 namespaces plus 2,000 RBAC objects (``AuditBenchmark/syntheticInventory``: mixed
/// hardened and insecure pods, literal credentials, wildcard and cluster-admin bindings),
/// created in the embedded cluster; the operator runs the SecurityAudit controller
/// in-process and audits from its informer caches.
///
/// A run is timed from the request (the SecurityAudit created, or its `opsagent.dev/run`
/// token set) until its status names the run: the pass that decides, the engine, the
/// SecurityReport(s) written and the status update. RSS: the process before the manager
/// started, after its caches synced, and the peak during a run (VmHWM, reset first). The
/// target (issue 17: an audit adds ≤ 100 MB) is the peak over all runs (each report's watch
/// events included) above the synced caches; the caches are reported beside it.
struct SecurityAuditScenario: BenchScenario {
    let name = "securityaudit"
    let auditNamespace = "security"

    struct Settings {
        var pods: Int
        var namespaces: Int
        var rbac: Int
        var manualRuns: Int
        init(_ options: BenchOptions) {
            pods = options.int("audit-pods", 10_000)
            namespaces = options.int("audit-namespaces", 500)
            rbac = options.int("audit-rbac", 2000)
            manualRuns = max(1, options.int("audit-manual-runs", 2))
        }
    }

    func describe(_ options: BenchOptions) -> String {
        let s = Settings(options)
        return "\(s.pods) pods in \(s.namespaces) namespaces plus \(s.rbac) RBAC objects in the embedded cluster (child process); "
            + "the SecurityAudit controller in-process audits them from its informer caches: the first run on create, then "
            + "\(s.manualRuns) run(s) requested by token, timed from the request to status naming the run."
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        let s = Settings(options)
        return ["pods": s.pods, "namespaces": s.namespaces, "rbac_objects": s.rbac, "manual_runs": s.manualRuns,
                "policy": "every check, registry allow-list, failOn high, five waivers (two expired)", "time_scale": options.timeScale]
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        let s = Settings(options)
        return [
            BenchRow(key: "audit_s", label: "audit of \(s.pods) pods/\(s.namespaces) ns + \(s.rbac) RBAC: request → status", unit: "s", target: "≤ 5"),
            BenchRow(key: "engine_s", label: "  of which the engine (status.duration)", unit: "s"),
            BenchRow(key: "first_run_s", label: "  first run: SecurityAudit created → status", unit: "s"),
            BenchRow(key: "requests_per_run", label: "  operator API requests during a run", unit: "", target: "no per-object calls", decimals: 0),
            BenchRow(key: "rss_audit_added_mib", label: "operator RSS audits add: peak over the runs − caches synced", unit: "MiB", target: "≤ 100", decimals: 1),
            BenchRow(key: "rss_run_added_mib", label: "  peak in a later run − before that run", unit: "MiB", decimals: 1),
            BenchRow(key: "rss_cached_mib", label: "  informer caches (pods with status, RBAC, …): synced − before the manager", unit: "MiB", decimals: 1),
            BenchRow(key: "rss_added_mib", label: "  caches and audit together: peak in a run − before the manager", unit: "MiB", decimals: 1),
            BenchRow(key: "rss_before_mib", label: "  RSS before the manager", unit: "MiB", decimals: 1),
            BenchRow(key: "sync_s", label: "  operator start → caches synced", unit: "s"),
            BenchRow(key: "pods_settled_s", label: "  pods created → all started by the simulated kubelets (before the operator)", unit: "s"),
            BenchRow(key: "findings", label: "  findings in the run (unwaived)", unit: "", decimals: 0),
            BenchRow(key: "report_findings", label: "  findings in the run's SecurityReport(s)", unit: "", decimals: 0),
            BenchRow(key: "report_objects", label: "  SecurityReport objects of the run", unit: "", decimals: 0),
            BenchRow(key: "objects_audited", label: "  objects audited", unit: "", decimals: 0),
        ]
    }

    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String] {
        Report.breakdown("Operator API requests during one requested run, by verb:", runs, decimals: 0)
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        let s = Settings(options)
        let cluster = try await BenchCluster.start(options, crds: [
            (SecurityAudit.definition.json, SecurityAudit.groupVersionResource),
            (SecurityReport.definition.json, SecurityReport.groupVersionResource),
        ])
        defer { cluster.stopCluster() }
        var result = ScenarioRun()
        try await populate(cluster, s)
        result.figures["pods_settled_s"] = seconds(try await podsSettled(cluster))
        try await cluster.namespace(auditNamespace)

        // What creating the cluster left in this process's heap goes back to the system
        // first: otherwise the operator's caches would fill memory already counted as
        // "before", and the RSS they add would read low.
        _ = malloc_trim(0)
        let rssBefore = ProcStats.rssMiB(getpid())
        result.figures["rss_before_mib"] = rssBefore
        result.figures["sync_s"] = seconds(try await cluster.startOperator { try SecurityAuditController.register(in: $0) })
        try await Task.sleep(for: .seconds(1))
        let rssCached = ProcStats.rssMiB(getpid())
        result.figures["rss_cached_mib"] = rssCached - rssBefore

        // The first run, on create.
        let audits = SecurityAudit.groupVersionResource
        PeakRSS.reset()
        var started = ContinuousClock.now
        _ = try await cluster.load.create(audits, try benchSecurityAudit("bench", namespace: auditNamespace), namespace: auditNamespace)
        _ = try await waitForRun(cluster) { $0 != nil }
        result.figures["first_run_s"] = seconds(ContinuousClock.now - started)

        // Runs requested by token: the figures are the last one's; RSS peaks over all.
        var peak = PeakRSS.mib()
        var status = JSONValue.null
        for k in 1...s.manualRuns {
            try await quiesce(cluster.counting)
            let before = cluster.counting.snapshot()
            let rssRunBefore = ProcStats.rssMiB(getpid())
            PeakRSS.reset()
            started = ContinuousClock.now
            _ = try await cluster.load.patch(audits, name: "bench", namespace: auditNamespace, type: .merge,
                                             body: ["metadata": ["annotations": [SecurityAudit.runAnnotation: .string("bench\(k)")]]])
            status = try await waitForRun(cluster) { $0?.hasSuffix("-run-bench\(k)") == true }
            result.figures["audit_s"] = seconds(ContinuousClock.now - started)
            let runPeak = PeakRSS.mib()
            peak = max(peak, runPeak)
            result.figures["rss_run_added_mib"] = runPeak - rssRunBefore
            try await quiesce(cluster.counting)
            result.breakdown = [:]
            for (key, count) in cluster.counting.snapshot() where count > (before[key] ?? 0) {
                result.breakdown[key] = Double(count - (before[key] ?? 0))
            }
        }
        result.figures["rss_added_mib"] = peak - rssBefore
        result.figures["rss_audit_added_mib"] = peak - rssCached
        result.figures["requests_per_run"] = result.breakdown.values.reduce(0, +)
        result.figures["engine_s"] = status["duration"].stringValue.flatMap { Double($0.dropLast()) }
        let counts = status["counts"]
        result.figures["findings"] = Double(["critical", "high", "medium", "low"].compactMap { counts[$0].intValue }.reduce(0, +))
        result.figures["objects_audited"] = status["objectsAudited"].intValue.map(Double.init)
        let runID = status["lastRunID"].stringValue ?? ""
        let references = (status["reports"].arrayValue ?? []).filter { $0["runID"].stringValue == runID }
        result.figures["report_objects"] = Double(references.map { $0["parts"].intValue ?? 1 }.reduce(0, +))
        result.figures["report_findings"] = Double(references.compactMap { $0["findings"].intValue }.reduce(0, +))
        await cluster.stopOperator()
        return result
    }

    /// Waits until the simulated kubelets have started the pods: none is left outside
    /// Running/Succeeded/Failed (asked for one at a time, so polling does not grow this
    /// process's heap), or a minute passed. The caches then hold the pods as a running
    /// cluster's operator holds them (with their status), so the RSS the caches take and the
    /// RSS a run adds are measured apart. Answers how long it took.
    private func podsSettled(_ cluster: BenchCluster) async throws -> Duration {
        let started = ContinuousClock.now
        let unsettled = ListOptions(fieldSelector: "status.phase!=Running,status.phase!=Succeeded,status.phase!=Failed", limit: 1)
        while ContinuousClock.now - started < .seconds(60) {
            if try await cluster.load.list(.pods, namespace: nil, options: unsettled).items.isEmpty { break }
            try await Task.sleep(for: .seconds(1))
        }
        return ContinuousClock.now - started
    }

    /// Waits (polling, 20 ms) until status.lastRunID satisfies `done`; answers the status.
    private func waitForRun(_ cluster: BenchCluster, _ done: @escaping @Sendable (String?) -> Bool) async throws -> JSONValue {
        var status = JSONValue.null
        try await until("the audit run completes", seconds: 300, poll: .milliseconds(20)) {
            status = try await cluster.load.get(SecurityAudit.groupVersionResource, name: "bench", namespace: auditNamespace)["status"]
            return done(status["lastRunID"].stringValue)
        }
        return status
    }

    /// The synthetic cluster, created through the API (not timed).
    private func populate(_ cluster: BenchCluster, _ s: Settings) async throws {
        let inventory = AuditBenchmark.syntheticInventory(pods: s.pods, namespaces: s.namespaces, rbacObjects: s.rbac)
        let rbac = "rbac.authorization.k8s.io"
        let groups: [(GroupVersionResource, [JSONValue])] = [
            (.namespaces, Array(inventory.namespaces)),
            (.serviceaccounts, Array(inventory.serviceAccounts)),
            (GroupVersionResource(group: "networking.k8s.io", version: "v1", resource: "networkpolicies"), Array(inventory.networkPolicies)),
            (GroupVersionResource(group: rbac, version: "v1", resource: "clusterroles"), Array(inventory.clusterRoles)),
            (GroupVersionResource(group: rbac, version: "v1", resource: "clusterrolebindings"), Array(inventory.clusterRoleBindings)),
            (GroupVersionResource(group: rbac, version: "v1", resource: "roles"), Array(inventory.roles)),
            (GroupVersionResource(group: rbac, version: "v1", resource: "rolebindings"), Array(inventory.roleBindings)),
            (.pods, Array(inventory.pods)),
        ]
        for (resource, objects) in groups {
            let boxed = objects.enumerated().map { String($0.offset) }
            try await forEach(boxed, concurrency: 32) { index in
                let object = objects[Int(index)!]
                do {
                    _ = try await cluster.load.create(resource, object, namespace: object["metadata"]["namespace"].stringValue)
                } catch let error as KubeError where error.isAlreadyExists {}
            }
        }
    }
}
