import Analysis
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Testing
import TestSupport
import Synchronization

/// SecurityAudits end to end: the embedded cluster, the operator's SecurityAudit
/// controller in-process, and kubectl.
@Suite("SecurityAudit on the embedded cluster", .serialized)
struct SecurityAuditClusterTests {
    static let root = ExamplesTests.root
    static let plantedSecret = "sk_live_DEMO0nlyN0tARealKey0000000000"
    static let audits = SecurityAudit.groupVersionResource
    static let reports = SecurityReport.groupVersionResource

    static let cluster = SharedAuditCluster()

    func kubectl(_ cluster: RolloutCluster, _ arguments: [String]) async throws -> ProcessRunner.Result {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        return try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", cluster.sim.kubeconfigPath, "--cache-dir", cache] + arguments)
    }

    /// Waits for a completed run other than `previous`, and returns the audit.
    @discardableResult
    func waitForRun(_ cluster: RolloutCluster, _ name: String, _ ns: String, after previous: String? = nil,
                    _ what: String) async throws -> JSONValue {
        var last: JSONValue = .null
        do {
            try await eventually(what, timeout: .seconds(60)) {
                last = try await cluster.client.get(Self.audits, name: name, namespace: ns)
                let status = last["status"]
                return status["lastRunID"].stringValue != nil && status["lastRunID"].stringValue != previous
                    && status["observedGeneration"].intValue == last["metadata"]["generation"].intValue
                    && ["Completed", "Failed"].contains(status["phase"].stringValue ?? "")
            }
        } catch {
            Issue.record("last status of \(ns)/\(name): \(last["status"].serialized(pretty: true))")
            throw error
        }
        return last
    }

    func latestReport(_ cluster: RolloutCluster, _ audit: JSONValue) async throws -> JSONValue {
        let name = try #require(audit["status"]["reports"][0]["name"].stringValue)
        return try await cluster.client.get(Self.reports, name: name, namespace: audit["metadata"]["namespace"].stringValue)
    }

    /// The findings of `check` on the object `name` in the report's own namespace (the example
    /// audit covers every namespace, and other tests apply the same examples elsewhere).
    static func findings(_ report: JSONValue, check: String, name: String) -> [JSONValue] {
        let namespace = report["metadata"]["namespace"].stringValue
        return (report["report"]["findings"].arrayValue ?? []).filter {
            $0["checkID"].stringValue == check && $0["object"]["name"].stringValue == name
                && (namespace == nil || $0["object"]["namespace"].stringValue == namespace)
        }
    }

    func requestRun(_ cluster: RolloutCluster, _ name: String, _ ns: String) async throws {
        let token = KubeTimestamp.format(Date(), fractionalDigits: 6)
        _ = try await cluster.client.patch(Self.audits, name: name, namespace: ns, type: .merge,
                                           body: ["metadata": ["annotations": [.init(stringLiteral: SecurityAudit.runAnnotation): .string(token)]]])
    }

    @Test func theExamplesShowFindingsAndFixingAWorkloadClearsItsFindingOnTheNextRun() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await cluster.namespace("saudit")
        let applied = try await kubectl(cluster, ["-n", ns, "apply", "-f", Self.root.appendingPathComponent("examples/security").path])
        #expect(applied.status == 0, "kubectl apply failed: \(applied.stderr)")

        let firstRun = try await waitForRun(cluster, "cluster-audit", ns, "the example audit completes its first run")
        // The first run may have read the caches before the workloads applied with it reached
        // them; once they have, a manual run (what `opsagent audit run` asks for) sees them.
        let deployments = ResourceDescriptor(resource: .deployments, kind: "Deployment")
        try await eventually("the operator's caches hold the example workloads") {
            ["legacy-admin", "billing-worker"].allSatisfy {
                cluster.manager.cache.get(deployments, ObjectKey(namespace: ns, name: $0)) != nil
            }
        }
        try await requestRun(cluster, "cluster-audit", ns)
        let audit = try await waitForRun(cluster, "cluster-audit", ns, after: firstRun["status"]["lastRunID"].stringValue,
                                         "the manual run completes")
        let status = audit["status"]
        #expect((status["counts"]["critical"].intValue ?? 0) >= 2)
        #expect(status["phase"].stringValue == "Failed", "failOn: critical with critical findings")
        #expect(status.condition("Ready")?.status == .false)
        #expect(status["nextRun"].stringValue != nil)
        #expect((status["frameworks"].arrayValue ?? []).contains { $0["framework"].stringValue == "PSS-Restricted" })
        let top = status["topFindings"].arrayValue ?? []
        #expect(top.count <= 10)
        #expect(top.contains { $0["checkID"].stringValue == "OPS-POD-001" && $0["name"].stringValue == "legacy-admin" })
        #expect(top.contains { $0["checkID"].stringValue == "OPS-RBAC-001" })

        let report = try await latestReport(cluster, audit)
        #expect(!Self.findings(report, check: "OPS-SEC-001", name: "billing-worker").isEmpty, "the literal credential is reported")
        #expect(!Self.findings(report, check: "OPS-WL-007", name: "legacy-admin").isEmpty, "the latest tag is reported")
        #expect(report["metadata"]["ownerReferences"][0]["name"].stringValue == "cluster-audit")

        // kubectl get shows the printer columns; describe shows the findings.
        let get = try await kubectl(cluster, ["-n", ns, "get", "saudit"])
        #expect(get.status == 0, "\(get.stderr)")
        for column in ["CRITICAL", "HIGH", "SCORE", "LAST RUN", "AGE"] { #expect(get.stdout.contains(column), "\(get.stdout)") }
        #expect(get.stdout.contains("cluster-audit"))
        let describe = try await kubectl(cluster, ["-n", ns, "describe", "saudit", "cluster-audit"])
        #expect(describe.stdout.contains("OPS-POD-001") && describe.stdout.contains("legacy-admin"), "\(describe.stdout)")
        #expect(describe.stdout.contains("NewCriticalFindings"), "the Event is shown: \(describe.stdout)")

        // Fix the privileged container; the next run no longer reports it.
        _ = try await cluster.client.patch(.deployments, name: "legacy-admin", namespace: ns, type: .json, body: [
            ["op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": false],
        ])
        try await eventually("the operator's cache sees the fix") {
            cluster.manager.cache.get(ResourceDescriptor(resource: .deployments, kind: "Deployment"),
                                      ObjectKey(namespace: ns, name: "legacy-admin"))?["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] == false
        }
        // `opsagent audit run`, the command a user types; the next run's own report is read.
        try #require(FileManager.default.isExecutableFile(atPath: OperatorBinaryTests.binary), "build opsagent first (swift build)")
        let command = try await ProcessRunner.run(URL(fileURLWithPath: OperatorBinaryTests.binary),
                                                  ["audit", "run", "cluster-audit", "-n", ns, "--kubeconfig", cluster.sim.kubeconfigPath])
        #expect(command.status == 0, "\(command.stderr)")
        #expect(command.stdout.contains("securityaudit.opsagent.dev/cluster-audit run requested"))
        let token = try #require(command.stdout.split(separator: "=").last?.split(separator: ")").first.map(String.init))
        try await eventually("the run of token \(token) completes", timeout: .seconds(60)) {
            try await cluster.client.get(Self.audits, name: "cluster-audit", namespace: ns)["status"]["handledRunToken"] == .string(token)
        }
        let rerun = try await cluster.client.get(Self.audits, name: "cluster-audit", namespace: ns)
        // The report of that run (a run started earlier can finish later and be listed first).
        let runSuffix = String(token.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.prefix(32).map(Character.init))
        let reference = try #require((rerun["status"]["reports"].arrayValue ?? []).first {
            $0["runID"].stringValue?.hasSuffix("-run-" + runSuffix) == true
        }, "no report of run \(runSuffix) in \(rerun["status"]["reports"])")
        let fixed = try await cluster.client.get(Self.reports, name: reference["name"].stringValue ?? "", namespace: ns)
        #expect(Self.findings(fixed, check: "OPS-POD-001", name: "legacy-admin").isEmpty, "the fixed finding is gone")
        #expect(!Self.findings(fixed, check: "OPS-SEC-001", name: "billing-worker").isEmpty, "the unfixed one stays")
        #expect((rerun["status"]["reports"].arrayValue ?? []).count == 3)
        // The history limit (3) prunes the oldest report on the next run.
        try await requestRun(cluster, "cluster-audit", ns)
        let pruned = try await waitForRun(cluster, "cluster-audit", ns, after: rerun["status"]["lastRunID"].stringValue, "a fourth run")
        #expect((pruned["status"]["reports"].arrayValue ?? []).count == 3)
        try await eventually("only 3 SecurityReports remain") {
            try await cluster.client.list(Self.reports, namespace: ns).items.count == 3
        }

        // The planted secret is nowhere: status, reports, events.
        let reports = try await cluster.client.list(Self.reports, namespace: ns).items
        let events = try await cluster.client.list(.events, namespace: ns).items
        let everything = ([pruned] + reports + events).map { $0.serialized(pretty: false) }.joined()
        #expect(!everything.contains(Self.plantedSecret))
        #expect(!everything.contains("DEMO0nlyN0tARealKey"))
        #expect(events.contains { $0["reason"].stringValue == "NewCriticalFindings" })
        // Nor in what the analysis step was asked, which did see the finding.
        let prompts = Self.cluster.analyzer.text
        #expect(prompts.contains("STRIPE_API_TOKEN"), "the analyzer saw the credential finding")
        #expect(!prompts.contains(Self.plantedSecret) && !prompts.contains("DEMO0nlyN0tARealKey"))
        #expect(pruned["status"]["analysis"]["provider"].stringValue == "builtin")
    }

    @Test func theAuditedKindsAreListedOnlyOnceAnAuditRuns() async throws {
        // An operator and a cluster of their own: what the caches hold depends on what ran.
        let cluster = try await RolloutCluster.start(securityAudits: true)
        let opened = { (resource: GroupVersionResource) in
            cluster.manager.cache.informers.contains { $0.resource == resource }
        }
        #expect(!opened(.pods) && !opened(.replicasets) && !opened(.serviceaccounts),
                "an operator without audits does not cache pods: \(cluster.manager.cache.informers.map(\.resource.groupResource))")

        let ns = try await cluster.namespace("ondemand")
        _ = try await cluster.client.create(.pods, [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "bare-root", "namespace": .string(ns)],
            "spec": ["containers": [["name": "sh", "image": "busybox:1.36", "securityContext": ["privileged": true]]]],
        ], namespace: ns)
        _ = try await cluster.client.create(Self.audits, [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit", "metadata": ["name": "first", "namespace": .string(ns)],
            "spec": ["scope": ["namespaces": [.string(ns)]], "checks": ["include": ["PodSecurity"]]],
        ], namespace: ns)
        let audit = try await waitForRun(cluster, "first", ns, "the first run, which opens the audited kinds' caches")
        #expect(opened(.pods) && opened(.replicasets) && opened(.serviceaccounts))
        // The pod created before the informers opened is in the first run's report.
        let report = try await latestReport(cluster, audit)
        #expect(!Self.findings(report, check: "OPS-POD-001", name: "bare-root").isEmpty, "\(report["report"]["findings"])")
        #expect(audit["status"].condition("Stalled")?.status != .true)
        await cluster.stopOperator()
        await cluster.sim.stop()
    }

    @Test func aWaiverHidesAFindingUntilItExpires() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await cluster.namespace("waiver")
        _ = try await cluster.client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "root-shell", "namespace": .string(ns)],
            "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "root-shell"]], "template": [
                "metadata": ["labels": ["app": "root-shell"]],
                "spec": ["containers": [["name": "sh", "image": "busybox:1.36", "securityContext": ["privileged": true]]]],
            ]],
        ], namespace: ns)
        let expires = Date().addingTimeInterval(6)
        _ = try await cluster.client.create(Self.audits, [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit", "metadata": ["name": "waived", "namespace": .string(ns)],
            "spec": ["scope": ["namespaces": [.string(ns)]], "checks": ["include": ["PodSecurity"]],
                     "exceptions": [["check": "OPS-POD-001", "name": "root-*", "reason": "break-glass shell, removed Friday",
                                     "expires": .string(KubeTime(expires).description)]]],
        ], namespace: ns)
        let first = try await waitForRun(cluster, "waived", ns, "the first run")
        let waivedReport = try await latestReport(cluster, first)
        #expect(Self.findings(waivedReport, check: "OPS-POD-001", name: "root-shell").isEmpty, "waived while the waiver holds")
        #expect((first["status"]["counts"]["waived"].intValue ?? 0) >= 1)
        #expect(first["status"]["expiredWaivers"].arrayValue == nil)

        try await eventually("the waiver expires", timeout: .seconds(20)) { Date() > expires.addingTimeInterval(1) }
        try await requestRun(cluster, "waived", ns)
        let second = try await waitForRun(cluster, "waived", ns, after: first["status"]["lastRunID"].stringValue, "the run after expiry")
        let report = try await latestReport(cluster, second)
        #expect(!Self.findings(report, check: "OPS-POD-001", name: "root-shell").isEmpty, "reported again once expired")
        let expired = second["status"]["expiredWaivers"].arrayValue ?? []
        #expect(expired.contains { $0.stringValue?.contains("spec.exceptions[0]") == true }, "\(expired)")
    }

    @Test func aScheduledAuditRunsAgainAtItsNextRunAndSuspendStopsIt() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await cluster.namespace("sched")
        _ = try await cluster.client.create(Self.audits, [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit", "metadata": ["name": "often", "namespace": .string(ns)],
            "spec": ["schedule": "@every 2s", "scope": ["namespaces": [.string(ns)]]],
        ], namespace: ns)
        let first = try await waitForRun(cluster, "often", ns, "the first run")
        let nextRun = try #require(first["status"]["nextRun"].stringValue.flatMap(KubeTime.init))
        let lastRun = try #require(first["status"]["lastRun"].stringValue.flatMap(KubeTime.init))
        #expect(nextRun.date.timeIntervalSince(lastRun.date) <= 3)
        // Nothing asks for it: the schedule alone runs it again.
        let second = try await waitForRun(cluster, "often", ns, after: first["status"]["lastRunID"].stringValue, "a scheduled run")
        #expect(second["status"]["lastRunID"].stringValue?.hasPrefix("g1-") == true)

        _ = try await cluster.client.patch(Self.audits, name: "often", namespace: ns, type: .merge, body: ["spec": ["suspend": true]])
        try await eventually("the audit is Suspended") {
            let status = try await cluster.client.get(Self.audits, name: "often", namespace: ns)["status"]
            return status["phase"].stringValue == "Suspended" && status["nextRun"] == .null
        }
        let held = try await cluster.client.get(Self.audits, name: "often", namespace: ns)["status"]["lastRunID"].stringValue
        // Three schedule periods pass without a run.
        let until = Date().addingTimeInterval(6)
        try await eventually("three periods pass", timeout: .seconds(10)) { Date() > until }
        #expect(try await cluster.client.get(Self.audits, name: "often", namespace: ns)["status"]["lastRunID"].stringValue == held)
    }

    /// Trivy is not installed at first: the manager synced without it (a reflector on an
    /// unserved kind would never sync). Once its CRD is served, VulnerabilityReports join.
    @Test func trivyVulnerabilityReportsJoinOnceTheirCRDIsServed() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await cluster.namespace("trivy")
        _ = try await cluster.client.create(Self.audits, [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit", "metadata": ["name": "cves", "namespace": .string(ns)],
            "spec": ["scope": ["namespaces": [.string(ns)]], "checks": ["include": ["Vulnerabilities"]]],
        ], namespace: ns)
        let first = try await waitForRun(cluster, "cves", ns, "a run without Trivy installed")
        #expect(first["status"]["counts"]["critical"].intValue == 0)

        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "vulnerabilityreports.aquasecurity.github.io"],
            "spec": ["group": "aquasecurity.github.io", "scope": "Namespaced",
                     "names": ["kind": "VulnerabilityReport", "plural": "vulnerabilityreports", "singular": "vulnerabilityreport", "listKind": "VulnerabilityReportList"],
                     "versions": [["name": "v1alpha1", "served": true, "storage": true,
                                   "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]],
        ]
        let trivy = GroupVersionResource(group: "aquasecurity.github.io", version: "v1alpha1", resource: "vulnerabilityreports")
        do { _ = try await cluster.client.create(.customResourceDefinitions, crd) } catch let error as KubeError where error.isAlreadyExists {}
        try await eventually("the Trivy CRD is served") { (try? await cluster.client.list(trivy, namespace: ns)) != nil }
        _ = try await cluster.client.create(trivy, [
            "apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport",
            "metadata": ["name": "replicaset-web-app", "namespace": .string(ns), "labels": [
                "trivy-operator.resource.kind": "Deployment", "trivy-operator.resource.name": "web",
                "trivy-operator.resource.namespace": .string(ns), "trivy-operator.container.name": "app"]],
            "report": ["artifact": ["repository": "library/app", "tag": "1.0"], "registry": ["server": "index.docker.io"],
                       "vulnerabilities": [["vulnerabilityID": "CVE-2024-3094", "severity": "CRITICAL", "resource": "xz-utils",
                                            "installedVersion": "5.6.0", "fixedVersion": "5.6.2", "title": "xz backdoor"]]],
        ], namespace: ns)

        var token = ""
        try await eventually("the CVE joins the findings", timeout: .seconds(60), interval: .milliseconds(300)) {
            let audit = try await cluster.client.get(Self.audits, name: "cves", namespace: ns)
            let top = audit["status"]["topFindings"].arrayValue ?? []
            if top.contains(where: { $0["checkID"].stringValue == "OPS-VULN-001" }) {
                let report = try await latestReport(cluster, audit)
                return (report["report"]["findings"].arrayValue ?? []).contains {
                    $0["cveId"].stringValue == "CVE-2024-3094" && $0["severity"].stringValue == "critical"
                        && ($0["affectedResource"].stringValue ?? "").contains("xz-utils")
                }
            }
            // Ask for another run once the previous request was carried out.
            if token.isEmpty || audit["status"]["handledRunToken"].stringValue == token {
                token = UUID().uuidString
                _ = try await cluster.client.patch(Self.audits, name: "cves", namespace: ns, type: .merge,
                                                   body: ["metadata": ["annotations": [.init(stringLiteral: SecurityAudit.runAnnotation): .string(token)]]])
            }
            return false
        }
    }

    @Test func badSpecsAreRejectedByTheSchemaOrReportedWithTheFieldPath() async throws {
        let cluster = try await Self.cluster.get()
        let ns = try await cluster.namespace("badspec")
        func audit(_ name: String, _ spec: JSONValue) -> JSONValue {
            ["apiVersion": "opsagent.dev/v1alpha1", "kind": "SecurityAudit",
             "metadata": ["name": .string(name), "namespace": .string(ns)], "spec": spec]
        }
        // An unknown framework: the schema's enum refuses it.
        do {
            _ = try await cluster.client.create(Self.audits, audit("bad-framework", ["frameworks": ["CIS", "HIPAA"]]), namespace: ns)
            Issue.record("an unknown framework was accepted")
        } catch let error as KubeError {
            #expect(error.isInvalid, "\(error)")
            #expect("\(error)".contains("spec.frameworks[1]"), "\(error)")
        }
        // An unknown check ID and an unparseable schedule: InvalidSpec, Stalled, with the field path.
        _ = try await cluster.client.create(Self.audits, audit("bad-check", ["checks": ["include": ["OPS-POD-001", "OPS-NOPE-999"]]]), namespace: ns)
        _ = try await cluster.client.create(Self.audits, audit("bad-schedule", ["schedule": "every tuesday"]), namespace: ns)
        for (name, field) in [("bad-check", "spec.checks.include[1]"), ("bad-schedule", "spec.schedule")] {
            try await eventually("\(name) is reported as InvalidSpec naming \(field)") {
                let status = try await cluster.client.get(Self.audits, name: name, namespace: ns)["status"]
                guard let stalled = status.condition("Stalled"), stalled.status == .true else { return false }
                return stalled.reason == "InvalidSpec" && (stalled.message ?? "").contains(field)
                    && status.condition("Ready")?.status == .false
            }
        }
    }
}

/// The built-in analyzer, keeping every request it was asked: what an LLM provider would
/// have been sent.
final class RecordingAnalyzer: Analyzer {
    let requests = Mutex<[AnalysisRequest]>([])
    func analyze(_ request: AnalysisRequest) async -> AnalysisResult {
        requests.withLock { $0.append(request) }
        return await BuiltinAnalyzer().analyze(request)
    }
    /// Every request as text: subject, question, and each check's name and detail.
    var text: String {
        requests.withLock { requests in
            requests.map { request in
                ([request.subject.description, request.question]
                    + request.facts.checks.flatMap { [$0.name, $0.detail] }).joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}

/// One cluster with the SecurityAudit controller for these tests, started on first use.
actor SharedAuditCluster {
    let analyzer = RecordingAnalyzer()
    private var cluster: RolloutCluster?
    func get() async throws -> RolloutCluster {
        if let cluster { return cluster }
        let started = try await RolloutCluster.start(analyzer: analyzer, securityAudits: true)
        cluster = started
        return started
    }
}
