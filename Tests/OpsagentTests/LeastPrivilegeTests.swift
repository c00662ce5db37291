import Foundation
import KubeClient
import KubeSim
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI
import Prometheus
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import opsagent

/// Every API request the operator sent, with the status it got.
final class RequestLog: Sendable {
    struct Entry: Sendable, Hashable {
        var request: APIRequestInfo
        var status: Int?
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    func append(_ request: APIRequestInfo, _ status: Int?) {
        entries.withLockedValue { $0.append(Entry(request: request, status: status)) }
    }

    var all: [Entry] { entries.withLockedValue { $0 } }

    func contains(_ predicate: (APIRequestInfo) -> Bool) -> Bool { all.contains { predicate($0.request) } }
}

/// One rule of `manifests/rbac.yaml`, as bound to the operator's ServiceAccount.
struct GrantedRule: CustomStringConvertible {
    var role: String
    /// The namespace of a Role (its RoleBinding's); empty for a ClusterRole bound cluster-wide.
    var namespace: String
    var apiGroups: [String]
    var resources: [String]
    var resourceNames: [String]
    var verbs: [String]

    var description: String {
        let names = resourceNames.isEmpty ? "" : " names \(resourceNames)"
        return "\(role)\(namespace.isEmpty ? "" : " (\(namespace))"): \(verbs) \(resources) in \(apiGroups)\(names)"
    }

    func allows(_ request: APIRequestInfo, verb: String? = nil) -> Bool {
        guard request.isResourceRequest else { return false }
        if !namespace.isEmpty, request.namespace != namespace { return false }
        return verbs.contains(verb ?? request.verb) && apiGroups.contains(request.apiGroup)
            && resources.contains(request.qualifiedResource)
            && (resourceNames.isEmpty || resourceNames.contains(request.name))
    }

    /// The rules the manifests bind to `system:serviceaccount:<namespace>:<name>`.
    static func bound(to serviceAccount: (namespace: String, name: String), in objects: [JSONValue]) -> [GrantedRule] {
        func binds(_ binding: JSONValue) -> Bool {
            (binding["subjects"].arrayValue ?? []).contains {
                $0["kind"] == "ServiceAccount" && $0["name"].stringValue == serviceAccount.name
                    && ($0["namespace"].stringValue ?? binding["metadata"]["namespace"].stringValue) == serviceAccount.namespace
            }
        }
        var rules: [GrantedRule] = []
        for binding in objects where ["ClusterRoleBinding", "RoleBinding"].contains(binding["kind"].stringValue ?? "") && binds(binding) {
            let namespace = binding["kind"] == "RoleBinding" ? binding["metadata"]["namespace"].stringValue ?? "" : ""
            let roleKind = binding["roleRef"]["kind"].stringValue ?? ""
            let roleName = binding["roleRef"]["name"].stringValue ?? ""
            guard let role = objects.first(where: {
                $0["kind"].stringValue == roleKind && $0["metadata"]["name"].stringValue == roleName
                    && (roleKind == "ClusterRole" || $0["metadata"]["namespace"].stringValue == namespace)
            }) else { continue }
            for rule in role["rules"].arrayValue ?? [] {
                func strings(_ key: String) -> [String] { (rule[key].arrayValue ?? []).compactMap(\.stringValue) }
                rules.append(GrantedRule(role: "\(roleKind)/\(roleName)", namespace: namespace, apiGroups: strings("apiGroups"),
                                         resources: strings("resources"), resourceNames: strings("resourceNames"),
                                         verbs: strings("verbs")))
            }
        }
        return rules
    }
}

/// The operator run as the manifests' ServiceAccount, against the embedded cluster (which
/// enforces RBAC), through every example: it is never Forbidden, and every rule it is
/// granted is one it used.
@Suite("Least privilege", .serialized)
struct LeastPrivilegeTests {
    static let operatorAccount = (namespace: "opsagent-system", name: "opsagent")
    static let workloads = "shop"

    /// Granted for what the embedded cluster cannot show, each with the reason; a rule listed
    /// here that the run does use fails the test too, so the list only shrinks.
    static let usedOutsideTheRun: [(role: String, group: String, resource: String, verb: String, reason: String)] = [
        ("ClusterRole/opsagent-manager", "opsagent.dev", "bluegreendeployments/finalizers", "update",
         "setting blockOwnerDeletion on owned children needs it where the OwnerReferencesPermissionEnforcement admission plugin runs (OpenShift); the embedded cluster does not run that plugin"),
        ("ClusterRole/opsagent-manager", "opsagent.dev", "opsworkflows/finalizers", "update",
         "as for bluegreendeployments/finalizers: blockOwnerDeletion on the runs a workflow owns"),
        ("ClusterRole/opsagent-manager", "", "pods", "delete",
         "incident.auto-recovery deletes crash-looping pods; the examples' workflows take that branch only for a low-severity incident, which has none (WorkflowFeatureTests proves the delete)"),
        ("ClusterRole/opsagent-manager", "apps", "deployments", "patch",
         "kubernetes.scale and kubernetes.restart, which no example uses (WorkflowFeatureTests proves them)"),
        ("ClusterRole/opsagent-manager", "aquasecurity.github.io", "vulnerabilityreports", "list",
         "Trivy Operator's VulnerabilityReports are read only once the cluster serves their CRD; SecurityAuditClusterTests installs it and proves the read"),
        ("ClusterRole/opsagent-manager", "aquasecurity.github.io", "vulnerabilityreports", "watch",
         "as for list: only once Trivy Operator's CRD is served (SecurityAuditClusterTests)"),
        ("ClusterRole/opsagent-manager", "", "events", "create",
         "the event recorder writes core/v1 Events only on servers without events.k8s.io/v1; the embedded cluster serves it (EventRecorderTests prove the fallback)"),
        ("ClusterRole/opsagent-manager", "", "events", "patch",
         "as for create: a repeat of a core/v1 Event, written only on servers without events.k8s.io/v1"),
        ("ClusterRole/opsagent-manager", "", "pods/log", "get",
         "log tails are read only for pods that are unready or restarted when a revision's checks have all passed; the embedded cluster cannot hold a pod in that state on purpose (a pod deleted during the analysis, or one whose status says it restarted, did not get there)"),
    ]

    @Test("run as its ServiceAccount through every example: 0 Forbidden, no unused rule, /metrics over TLS behind TokenReview + SubjectAccessReview")
    func leastPrivilege() async throws {
        let sim = try await Simulator.start(.init(port: 0, workloads: SimulationOptions(timeScale: 0.05)))
        let admin = Kubectl(kubeconfig: sim.kubeconfigPath)
        let adminClient = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)

        // What `make deploy` installs, then the analysis configuration the README shows.
        var result = try await admin.run("apply", "--server-side", "-k", repositoryFile("manifests"))
        #expect(result.status == 0, "kubectl apply -k manifests: \(result.stderr)")
        let manifests = try await kustomize("manifests")
        result = try await admin.run("create", "configmap", "opsagent-analysis", "-n", "opsagent-system",
                                     "--from-literal=provider=builtin", "--from-literal=apiKeySecret=opsagent-llm/api-key")
        #expect(result.status == 0, "\(result.stderr)")
        result = try await admin.run("create", "secret", "generic", "opsagent-llm", "-n", "opsagent-system",
                                     "--from-literal=api-key=sk-not-a-real-key")
        #expect(result.status == 0, "\(result.stderr)")
        try await eventually("the CRD is served", timeout: .seconds(20)) {
            (try? await adminClient.list(BlueGreenDeployment.resource, namespace: Self.workloads)) != nil
        }

        // The operator, as `opsagent run` assembles it, with the ServiceAccount's token.
        let token = try sim.serviceAccountToken(namespace: Self.operatorAccount.namespace, name: Self.operatorAccount.name)
        var settings = RunSettings()
        settings.kubeconfig = try sim.kubeconfig(token: token, name: "opsagent-serviceaccount")
        settings.leaderElect = true
        settings.leaderElectionNamespace = "opsagent-system"
        settings.metricsAddress = BindAddressSpec(host: "127.0.0.1", port: 0)
        settings.healthAddress = BindAddressSpec(host: "127.0.0.1", port: 0)
        settings.metricsAuth = .kubernetes
        settings.metricsSecure = true
        settings.workers = 2
        let requests = RequestLog()
        let ports = NIOLockedValueBox<[OperatorEndpoints.Endpoint: Int]>([:])
        let assembly = OperatorAssembly(settings: settings, analysisConfigMap: "opsagent-system/opsagent-analysis")
        let process = try await assembly.makeProcess(
            registry: PrometheusCollectorRegistry(), observer: { requests.append($0, $1) },
            onBound: { endpoint, port in ports.withLockedValue { $0[endpoint] = port } })
        let group = process.serviceGroup(signals: [])
        let running = Task { try await group.run() }

        do {
            try await exercise(sim: sim, admin: admin, client: adminClient, requests: requests, ports: ports)
        } catch {
            Issue.record("the scenario failed: \(error)")
        }

        await group.triggerGracefulShutdown()
        try await running.value
        await sim.stop()

        // 0 Forbidden.
        let forbidden = requests.all.filter { $0.status == 403 }.map(\.request.description)
        #expect(forbidden.isEmpty, "Forbidden: \(Set(forbidden).sorted())")
        // Every request is one a rule grants, and every rule granted is used.
        let rules = GrantedRule.bound(to: Self.operatorAccount, in: manifests)
        #expect(!rules.isEmpty, "no rule is bound to the operator's ServiceAccount")
        let resourceRequests = requests.all.map(\.request).filter(\.isResourceRequest)
        let ungranted = resourceRequests.filter { request in !rules.contains { $0.allows(request) } }
        #expect(ungranted.isEmpty, "requests no rule grants: \(Set(ungranted.map(\.description)).sorted())")
        // Each request counts for the narrowest rule that allows it (a Role's named objects
        // before a Role, before a ClusterRole's named objects, before a ClusterRole), so a broad
        // rule is not passed as used by what a narrow one already grants.
        func narrowness(_ rule: GrantedRule) -> Int { (rule.namespace.isEmpty ? 0 : 2) + (rule.resourceNames.isEmpty ? 0 : 1) }
        let byNarrowness = rules.indices.sorted { narrowness(rules[$0]) > narrowness(rules[$1]) }
        var attributed: [Int: [APIRequestInfo]] = [:]
        for request in resourceRequests {
            if let index = byNarrowness.first(where: { rules[$0].allows(request) }) { attributed[index, default: []].append(request) }
        }
        var unused: [String] = []
        for (index, rule) in rules.enumerated() {
            for verb in rule.verbs {
                for resource in rule.resources {
                    let used = (attributed[index] ?? []).contains { $0.verb == verb && $0.qualifiedResource == resource }
                    let excused = Self.usedOutsideTheRun.contains {
                        $0.role == rule.role && rule.apiGroups.contains($0.group) && $0.resource == resource && $0.verb == verb
                    }
                    if !used && !excused { unused.append("\(verb) \(resource) in \(rule)") }
                    if used && excused {
                        Issue.record("\(verb) \(resource) (\(rule.role)) is used now: remove it from usedOutsideTheRun")
                    }
                }
            }
        }
        #expect(unused.isEmpty, "rules in manifests/rbac.yaml the operator never used: \(unused)")
        print("least privilege: \(requests.all.count) requests; used: "
              + Set(resourceRequests.map { "\($0.verb) \($0.qualifiedResource)" }).sorted().joined(separator: ", "))
    }

    /// Drives every example through a second revision and the operations users run.
    private func exercise(sim: Simulator, admin: Kubectl, client: KubernetesClient, requests: RequestLog,
                          ports: NIOLockedValueBox<[OperatorEndpoints.Endpoint: Int]>) async throws {
        let ns = Self.workloads
        var result = try await admin.run("create", "namespace", ns)
        #expect(result.status == 0, "\(result.stderr)")
        result = try await admin.run("apply", "-n", ns, "-f", repositoryFile("examples/bluegreen"))
        #expect(result.status == 0, "kubectl apply examples: \(result.stderr)")
        // The alerting and security examples too: their controllers evaluate the rules, run the
        // audit and write its SecurityReports (pruned past the history limit).
        for folder in ["examples/alerting", "examples/security"] {
            result = try await admin.run("apply", "-n", ns, "-f", repositoryFile(folder))
            #expect(result.status == 0, "kubectl apply \(folder): \(result.stderr)")
        }
        let names = ["web", "checkout", "catalog"]
        for name in names {
            try await waitFor(client, name, "\(name) Healthy at generation 1", timeout: .seconds(120)) {
                $0["status"]["phase"] == "Healthy" && $0["status"]["observedGeneration"] == 1
            }
        }

        // A second revision of each, through conflicts and a failing write: the operator reads
        // again after a conflict, and a repeated failure bumps the count of its Warning Event.
        _ = try sim.faults.add(FaultRule(kind: .conflict, verbs: ["update"], resources: ["deployments.apps"], namespaces: [ns], times: 1))
        _ = try sim.faults.add(FaultRule(kind: .conflict, verbs: ["update"], resources: ["services"], namespaces: [ns], times: 1))
        _ = try sim.faults.add(FaultRule(kind: .conflict, verbs: ["update"], resources: ["bluegreendeployments.opsagent.dev"],
                                         namespaces: [ns], times: 1))
        _ = try sim.faults.add(FaultRule(kind: .error, verbs: ["create"], resources: ["deployments.apps"], namespaces: [ns],
                                         code: 500, times: 3))
        // The README's way to change the image: a JSON patch on the image path.
        for (name, image) in [("web", "registry.example/web:1.1"), ("catalog", "registry.example/catalog:3.3"),
                              ("checkout", "registry.example/shop:1.1")] {
            result = try await admin.run("patch", "bgd", name, "-n", ns, "--type", "json", "-p",
                                         #"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"\#(image)"}]"#)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try await waitFor(client, "catalog", "catalog waits for promotion", timeout: .seconds(120)) {
            $0["status"]["phase"] == "Paused" && $0["status"]["observedGeneration"] == 2
        }
        result = try await admin.run("annotate", "bgd", "catalog", "-n", ns, "opsagent.dev/promote=1", "--overwrite")
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["web", "catalog"] {
            try await waitFor(client, name, "\(name) Healthy at generation 2", timeout: .seconds(120)) {
                $0["status"]["phase"] == "Healthy" && $0["status"]["observedGeneration"] == 2
            }
        }
        // `opsagent undo`: the operator patches spec.template back to the previous revision.
        result = try await admin.run("annotate", "bgd", "web", "-n", ns, "opsagent.dev/undo=1", "--overwrite")
        #expect(result.status == 0, "\(result.stderr)")
        try await waitFor(client, "web", "web undone (generation 3)", timeout: .seconds(120)) {
            ($0["metadata"]["generation"].intValue ?? 0) >= 3
        }
        try await eventually("a repeated Warning Event is bumped", timeout: .seconds(60)) {
            requests.contains { $0.verb == "patch" && $0.resource == "events" }
        }
        try await eventually("the conflicts were read past", timeout: .seconds(60)) {
            requests.contains { $0.verb == "get" && $0.resource == "deployments" }
                && requests.contains { $0.verb == "get" && $0.resource == "services" }
                && requests.contains { $0.verb == "get" && $0.resource == "bluegreendeployments" }
        }
        try await eventually("built-in CPU checks read PodMetrics", timeout: .seconds(60)) {
            requests.contains { $0.apiGroup == "metrics.k8s.io" && $0.verb == "list" }
        }

        // A rollout whose pods read a Secret through env: its analysis reads the Secret's
        // values to redact them from what the analyzer is sent.
        result = try await admin.run("create", "secret", "generic", "payments-db", "-n", ns, "--from-literal=password=hunter2-not-real")
        #expect(result.status == 0, "\(result.stderr)")
        let payments = """
            apiVersion: opsagent.dev/v1alpha1
            kind: BlueGreenDeployment
            metadata: {name: payments}
            spec:
              replicas: 1
              template:
                metadata: {labels: {app: payments}}
                spec:
                  containers:
                    - name: app
                      image: registry.example/payments:1.0
                      env:
                        - name: DB_PASSWORD
                          valueFrom: {secretKeyRef: {name: payments-db, key: password}}
              activeService: {name: payments}
              prePromotionAnalysis:
                checks:
                  - name: pods-ready
                    builtin: {type: PodReadiness}
                    interval: 1s
                    count: 2
                llm: {mode: advisory}
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("payments-\(UUID().uuidString).yaml")
        try payments.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        result = try await admin.run("apply", "-n", ns, "-f", file.path)
        #expect(result.status == 0, "\(result.stderr)")
        try await waitFor(client, "payments", "payments Healthy at generation 1", timeout: .seconds(120)) {
            $0["status"]["phase"] == "Healthy" && $0["status"]["observedGeneration"] == 1
        }
        result = try await admin.run("patch", "bgd", "payments", "-n", ns, "--type", "json", "-p",
                                     #"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.example/payments:1.1"}]"#)
        #expect(result.status == 0, "\(result.stderr)")
        try await eventually("the analysis reads the Secret the pods reference, to redact it", timeout: .seconds(60)) {
            requests.contains { $0.verb == "get" && $0.resource == "secrets" && $0.namespace == ns && $0.name == "payments-db" }
        }

        // AlertRules are evaluated and their status written; the audit runs more often than its
        // report history keeps, so the oldest SecurityReport is deleted.
        try await eventually("the alert rules' status is written", timeout: .seconds(60)) {
            requests.contains { $0.verb == "update" && $0.resource == "alertrules" && $0.subresource == "status" }
        }
        for run in 1...4 {
            result = try await admin.run("annotate", "saudit", "cluster-audit", "-n", ns, "opsagent.dev/run=least-privilege-\(run)", "--overwrite")
            #expect(result.status == 0, "\(result.stderr)")
            try await eventually("audit run \(run) completes", timeout: .seconds(60)) {
                let audit = try await client.get(SecurityAudit.groupVersionResource, name: "cluster-audit", namespace: ns)
                return audit["status"]["handledRunToken"] == .string("least-privilege-\(run)")
            }
        }
        try await eventually("a SecurityReport past the history limit is deleted", timeout: .seconds(60)) {
            requests.contains { $0.verb == "delete" && $0.resource == "securityreports" }
        }

        try await exerciseWorkflows(admin: admin, client: client, requests: requests)
        try await scrapeMetrics(sim: sim, admin: admin, requests: requests, ports: ports)
    }

    /// examples/workflows: runs started by the annotation token create a rollout, deploy a bad
    /// image over it and roll it back (SecurityAudits created and read on the way); a run
    /// replaced by a newer one is patched, and runs past historyLimit are deleted.
    private func exerciseWorkflows(admin: Kubectl, client: KubernetesClient, requests: RequestLog) async throws {
        let ns = Self.workloads
        var result = try await admin.run("apply", "-n", ns, "-f", repositoryFile("examples/workflows"))
        #expect(result.status == 0, "kubectl apply examples/workflows: \(result.stderr)")
        func start(_ token: String, image: String, policy: String = "Allow") async throws {
            result = try await admin.run("patch", "owf", "deployment", "-n", ns, "--type", "merge", "-p",
                                         #"{"spec":{"historyLimit":1,"concurrencyPolicy":"\#(policy)","parameters":{"name":"lp-shop","image":"\#(image)"}}}"#)
            #expect(result.status == 0, "\(result.stderr)")
            result = try await admin.run("annotate", "owf", "deployment", "-n", ns, "opsagent.dev/run=\(token)", "--overwrite")
            #expect(result.status == 0, "\(result.stderr)")
        }
        func finished(_ token: String, _ phase: String) async throws {
            try await eventually("workflow run \(token) ends \(phase)", timeout: .seconds(180)) {
                let workflow = try await client.get(OpsWorkflow.groupVersionResource, name: "deployment", namespace: ns)
                return workflow["status"]["handledRunToken"] == .string(token) && workflow["status"]["lastRunPhase"] == .string(phase)
            }
        }
        try await start("lp-1", image: "registry.example/shop:1.0")
        try await finished("lp-1", "Succeeded")
        // The rollout the action created has the default 10-minute progress deadline, which a
        // never-ready revision would wait out in this real-time cluster: shorten it.
        result = try await admin.run("patch", "bgd", "lp-shop", "-n", ns, "--type", "merge", "-p",
                                     #"{"spec":{"progressDeadlineSeconds":10}}"#)
        #expect(result.status == 0, "\(result.stderr)")
        try await start("lp-2", image: "registry.example/shop:2.0-crash")
        try await finished("lp-2", "Failed")
        try await start("lp-3", image: "registry.example/shop:1.1-slow60", policy: "Replace")
        try await eventually("run lp-3 starts", timeout: .seconds(60)) {
            let workflow = try await client.get(OpsWorkflow.groupVersionResource, name: "deployment", namespace: ns)
            return workflow["status"]["handledRunToken"] == "lp-3" && workflow["status"]["lastRunPhase"] == "Running"
        }
        result = try await admin.run("annotate", "owf", "deployment", "-n", ns, "opsagent.dev/run=lp-4", "--overwrite")
        #expect(result.status == 0, "\(result.stderr)")
        try await eventually("runs are replaced and pruned", timeout: .seconds(60)) {
            requests.contains { $0.verb == "patch" && $0.resource == "opsworkflowruns" }
                && requests.contains { $0.verb == "delete" && $0.resource == "opsworkflowruns" }
                && requests.contains { $0.verb == "update" && $0.resource == "bluegreendeployments" && $0.subresource.isEmpty }
        }
    }

    /// /metrics answers 401 without a token, 403 to a user RBAC does not allow, and the
    /// series to one it does (Prometheus's ServiceAccount bound to opsagent-metrics-reader).
    private func scrapeMetrics(sim: Simulator, admin: Kubectl, requests: RequestLog,
                               ports: NIOLockedValueBox<[OperatorEndpoints.Endpoint: Int]>) async throws {
        let port = try #require(ports.withLockedValue { $0[.metrics] })
        #expect((try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/metrics")))?.status != 200,
                "plain HTTP is not served")
        #expect(try await scrape(port, token: nil).status == 401)
        #expect(try await scrape(port, token: "not-a-token").status == 401)
        let stranger = try sim.serviceAccountToken(namespace: Self.workloads, name: "default")
        #expect(try await scrape(port, token: stranger).status == 403)
        var result = try await admin.run("create", "namespace", "monitoring")
        result = try await admin.run("create", "serviceaccount", "prometheus-k8s", "-n", "monitoring")
        #expect(result.status == 0, "\(result.stderr)")
        result = try await admin.run("create", "clusterrolebinding", "opsagent-metrics-reader",
                                     "--clusterrole=opsagent-metrics-reader", "--serviceaccount=monitoring:prometheus-k8s")
        #expect(result.status == 0, "\(result.stderr)")
        let prometheus = try sim.serviceAccountToken(namespace: "monitoring", name: "prometheus-k8s")
        let scraped = try await scrape(port, token: prometheus)
        #expect(scraped.status == 200)
        let text = scraped.body
        let host = "127.0.0.1:\(sim.port)"
        #expect(text.contains(#"rest_client_requests_total{code="200",method="GET",host="\#(host)"}"#), "\(text.prefix(2000))")
        #expect(text.contains(#"rest_client_requests_total{code="201",method="POST",host="\#(host)"}"#))
        #expect(text.contains(#"rest_client_requests_total{code="409",method="PUT",host="\#(host)"}"#), "the injected conflicts")
        for series in ["process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds", "process_cpu_seconds_total",
                       #"workqueue_unfinished_work_seconds{controller="bluegreendeployment""#,
                       #"workqueue_longest_running_processor_seconds{controller="bluegreendeployment""#,
                       #"controller_runtime_reconcile_total{controller="bluegreendeployment""#] {
            #expect(text.contains(series), "\(series) is missing from /metrics")
        }
        // # HELP on every family, from the catalog for the operator's own.
        let lines = text.split(separator: "\n")
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.dropFirst(7).prefix { $0 != " " }
            let help = lines[..<index].last { $0.hasPrefix("# HELP \(name) ") }
            #expect(help != nil, "\(name) has no # HELP")
        }
        for name in MetricsExposition.help.keys where text.contains("# TYPE \(name) ") {
            #expect(text.contains("# HELP \(name) \(MetricsExposition.help[name]!)"))
        }
        #expect(requests.contains { $0.resource == "tokenreviews" } && requests.contains { $0.resource == "subjectaccessreviews" })
    }

    /// GET /metrics over HTTPS (the operator's self-signed certificate, as Prometheus scrapes
    /// it with `insecureSkipVerify`).
    private func scrape(_ port: Int, token: String?) async throws -> (status: Int, body: String) {
        var headers: HTTPHeaders = [:]
        if let token { headers.set("Authorization", "Bearer \(token)") }
        let response = try await CurlTransport.shared.send(
            HTTPRequest(method: "GET", url: "https://127.0.0.1:\(port)/metrics", headers: headers,
                        tls: TLSConfiguration(insecureSkipVerify: true)))
        return (response.status, response.bodyText)
    }

    private func waitFor(_ client: KubernetesClient, _ name: String, _ what: String, timeout: Duration,
                         _ condition: @escaping (JSONValue) -> Bool) async throws {
        var last: JSONValue = .null
        do {
            try await eventually(what, timeout: timeout, poll: .milliseconds(200)) {
                last = (try? await client.get(BlueGreenDeployment.resource, name: name, namespace: Self.workloads)) ?? .null
                return condition(last)
            }
        } catch {
            Issue.record("\(name): \(last["status"].serialized(pretty: true))")
            throw error
        }
    }
}

extension BlueGreenDeployment {
    static var resource: GroupVersionResource { groupVersionResource }
}
