import Foundation
import KubeClient

/// The state of one audit: the enabled checks sorted by what they look at, the indexes,
/// and the findings so far.
struct AuditRun {
    let inventory: AuditInventory
    let policy: AuditPolicy
    let checks: [AuditCheck]
    let context: AuditContext
    private var workloadRules: [(AuditCheck, @Sendable (AuditedWorkload, AuditContext) -> [Violation])] = []
    private var namespaceRules: [(AuditCheck, @Sendable (AuditedNamespace, AuditContext) -> [Violation])] = []
    private var serviceRules: [(AuditCheck, @Sendable (Service) -> [Violation])] = []
    private var ingressRules: [(AuditCheck, @Sendable (Ingress) -> [Violation])] = []
    private var roleRules: [(AuditCheck, @Sendable (AuditedRole) -> [Violation])] = []
    private var bindingRules: [(AuditCheck, @Sendable (AuditedBinding, AuditContext) -> [Violation])] = []
    private var reportRules: [(AuditCheck, @Sendable (VulnerabilityReportView) -> [Violation])] = []

    private(set) var findings: [Finding] = []
    private(set) var objectsAudited = 0
    private(set) var unreadable: [String] = []
    private var accessReviewer: AccessReviewer

    /// Namespaces a namespace-level check never judges: Kubernetes' own.
    static let systemNamespaces: Set<String> = ["kube-system", "kube-public", "kube-node-lease"]

    init(inventory: AuditInventory, policy: AuditPolicy, checks: [AuditCheck]) {
        self.inventory = inventory
        self.policy = policy
        self.checks = checks
        let rbac = RBACIndex(inventory: inventory)
        var withPolicy = Set<String>()
        for policyObject in inventory.networkPolicies {
            withPolicy.insert(policyObject["metadata"]["namespace"].stringValue ?? "")
        }
        context = AuditContext(imagePolicy: policy.imagePolicy, rbac: rbac, namespacesWithNetworkPolicy: withPolicy)
        accessReviewer = AccessReviewer(rbac: rbac)
        for check in checks {
            switch check.rule {
            case .workload(let rule): workloadRules.append((check, rule))
            case .namespace(let rule): namespaceRules.append((check, rule))
            case .service(let rule): serviceRules.append((check, rule))
            case .ingress(let rule): ingressRules.append((check, rule))
            case .role(let rule): roleRules.append((check, rule))
            case .binding(let rule): bindingRules.append((check, rule))
            case .vulnerabilityReport(let rule): reportRules.append((check, rule))
            }
        }
    }

    private var scope: AuditScope { policy.scope }

    private func inScope(_ raw: JSONValue, kind: String, labelled: Bool = true) -> Bool {
        guard scope.includes(kind: kind) else { return false }
        // Cluster-scoped objects answer to includeClusterScoped, not to the namespace list.
        let namespace = raw["metadata"]["namespace"].stringValue ?? ""
        guard namespace.isEmpty || scope.includes(namespace: namespace) else { return false }
        guard labelled, let selector = scope.labelSelector else { return true }
        return selector.matches(object: raw)
    }

    private mutating func record(_ check: AuditCheck, _ violations: [Violation], on object: AuditObject) {
        for violation in violations {
            findings.append(Finding(
                checkID: check.id, category: check.category, severity: violation.severity ?? check.severity,
                title: check.title, object: violation.object ?? object, container: violation.container,
                message: violation.message, cveId: violation.cveId, affectedResource: violation.affectedResource))
        }
    }

    private mutating func unreadable(_ kind: String, _ raw: JSONValue, _ error: any Error) {
        let meta = raw["metadata"]
        let object = AuditObject(kind: kind, namespace: meta["namespace"].stringValue ?? "", name: meta["name"].stringValue ?? "")
        unreadable.append("\(object): \(error)")
    }

    // MARK: - Workloads

    /// `Kind/namespace/name` of a controller reference.
    private static func ownerKey(kind: String, namespace: String, name: String) -> String {
        kind + "/" + namespace + "/" + name
    }

    mutating func auditWorkloads() {
        guard !workloadRules.isEmpty else { return }
        // Controllers that are audited themselves: what they own is checked through them.
        var audited = Set<String>()
        for (kind, objects) in inventory.podCarriers where kind != "Pod" {
            for raw in objects where inScope(raw, kind: kind) {
                audited.insert(Self.ownerKey(
                    kind: kind, namespace: raw["metadata"]["namespace"].stringValue ?? "",
                    name: raw["metadata"]["name"].stringValue ?? ""))
            }
        }
        for (kind, objects) in inventory.podCarriers {
            for raw in objects where inScope(raw, kind: kind) {
                let namespace = raw["metadata"]["namespace"].stringValue ?? ""
                let owned = (raw["metadata"]["ownerReferences"].arrayValue ?? []).contains { owner in
                    owner["controller"].boolValue == true
                        && audited.contains(Self.ownerKey(
                            kind: owner["kind"].stringValue ?? "", namespace: namespace,
                            name: owner["name"].stringValue ?? ""))
                }
                if owned { continue }
                let workload: AuditedWorkload
                do {
                    workload = try AuditedWorkload(kind: kind, object: raw)
                } catch {
                    unreadable(kind, raw, error)
                    continue
                }
                objectsAudited += 1
                for (check, rule) in workloadRules {
                    let violations = rule(workload, context)
                    if !violations.isEmpty { record(check, violations, on: workload.object) }
                }
            }
        }
    }

    // MARK: - Namespaces, Services, Ingresses

    mutating func auditNamespaces() {
        guard !namespaceRules.isEmpty, scope.includes(kind: "Namespace") else { return }
        for raw in inventory.namespaces {
            let namespace = AuditedNamespace(object: raw)
            guard scope.includes(namespace: namespace.name), !Self.systemNamespaces.contains(namespace.name) else {
                continue
            }
            objectsAudited += 1
            for (check, rule) in namespaceRules {
                record(check, rule(namespace, context), on: namespace.object)
            }
        }
    }

    mutating func auditServicesAndIngresses() {
        if !serviceRules.isEmpty {
            for raw in inventory.services where inScope(raw, kind: "Service") {
                guard let service = decode(Service.self, "Service", raw) else { continue }
                objectsAudited += 1
                let object = AuditObject(kind: "Service", namespace: service.metadata.namespace ?? "", name: service.metadata.name ?? "")
                for (check, rule) in serviceRules { record(check, rule(service), on: object) }
            }
        }
        if !ingressRules.isEmpty {
            for raw in inventory.ingresses where inScope(raw, kind: "Ingress") {
                guard let ingress = decode(Ingress.self, "Ingress", raw) else { continue }
                objectsAudited += 1
                let object = AuditObject(kind: "Ingress", namespace: ingress.metadata.namespace ?? "", name: ingress.metadata.name ?? "")
                for (check, rule) in ingressRules { record(check, rule(ingress), on: object) }
            }
        }
    }

    private mutating func decode<T: Decodable>(_ type: T.Type, _ kind: String, _ raw: JSONValue) -> T? {
        do {
            return try raw.decode(T.self)
        } catch {
            unreadable(kind, raw, error)
            return nil
        }
    }

    // MARK: - RBAC

    mutating func auditRBAC() {
        let roleSources: [(String, AuditObjects, Bool)] = [
            ("Role", inventory.roles, true), ("ClusterRole", inventory.clusterRoles, false),
        ]
        for (kind, objects, namespaced) in roleSources where !roleRules.isEmpty {
            guard namespaced || scope.includeClusterScoped else { continue }
            for raw in objects where inScope(raw, kind: kind, labelled: false) {
                let role: AuditedRole
                do { role = try AuditedRole(kind: kind, object: raw) } catch { unreadable(kind, raw, error); continue }
                objectsAudited += 1
                for (check, rule) in roleRules { record(check, rule(role), on: role.object) }
            }
        }
        let bindingSources: [(String, AuditObjects, Bool)] = [
            ("RoleBinding", inventory.roleBindings, true), ("ClusterRoleBinding", inventory.clusterRoleBindings, false),
        ]
        for (kind, objects, namespaced) in bindingSources {
            guard namespaced || scope.includeClusterScoped else { continue }
            for raw in objects where inScope(raw, kind: kind, labelled: false) {
                let binding: AuditedBinding
                do { binding = try AuditedBinding(kind: kind, object: raw) } catch { unreadable(kind, raw, error); continue }
                objectsAudited += 1
                accessReviewer.add(binding)
                for (check, rule) in bindingRules { record(check, rule(binding, context), on: binding.object) }
            }
        }
    }

    // MARK: - Vulnerabilities

    mutating func auditVulnerabilityReports() {
        guard !reportRules.isEmpty, scope.includes(kind: "VulnerabilityReport") else { return }
        let controllers = topControllers()
        var seen = Set<String>()
        for raw in inventory.vulnerabilityReports where inScope(raw, kind: "VulnerabilityReport", labelled: false) {
            let report = VulnerabilityReportView(object: raw)
            let workload = controllers[report.workload] ?? report.workload
            objectsAudited += 1
            for (check, rule) in reportRules {
                // Reports of several ReplicaSet revisions repeat a CVE: keep one per workload and container.
                let fresh = rule(report).map { violation in
                    var violation = violation
                    violation.object = workload
                    return violation
                }.filter { violation in
                    let key = "\(workload)|\(violation.container ?? "")|\(violation.cveId ?? "")|\(violation.affectedResource ?? "")"
                    return seen.insert(key).inserted
                }
                record(check, fresh, on: workload)
            }
        }
    }

    /// ReplicaSets and Jobs of the inventory mapped to the Deployment or CronJob that
    /// controls them: Trivy Operator reports on a Deployment's ReplicaSet, and the finding
    /// belongs on the Deployment, where the config checks put theirs.
    private func topControllers() -> [AuditObject: AuditObject] {
        var result: [AuditObject: AuditObject] = [:]
        for (kind, objects, ownerKind) in [
            ("ReplicaSet", inventory.replicaSets, "Deployment"), ("Job", inventory.jobs, "CronJob"),
        ] {
            for raw in objects {
                let meta = raw["metadata"]
                guard let owner = (meta["ownerReferences"].arrayValue ?? []).first(where: {
                    $0["controller"].boolValue == true && $0["kind"].stringValue == ownerKind
                }), let ownerName = owner["name"].stringValue
                else { continue }
                let namespace = meta["namespace"].stringValue ?? ""
                result[AuditObject(kind: kind, namespace: namespace, name: meta["name"].stringValue ?? "")] =
                    AuditObject(kind: ownerKind, namespace: namespace, name: ownerName)
            }
        }
        return result
    }

    // MARK: - Report

    /// The report, built from the findings without copying them: they are moved out of
    /// the run, waived ones partitioned to the end in place, and both halves sorted in place
    /// (a large audit holds one array of findings, not three).
    mutating func report(now: Date) -> AuditReport {
        let waivers = policy.exceptions
        var statuses = waivers.enumerated().map { index, waiver in
            WaiverStatus(
                index: index, check: waiver.check, reason: waiver.reason, expires: waiver.expires,
                expired: waiver.isExpired(at: now), matchedFindings: 0)
        }
        let matchers = waivers.map(WaiverMatcher.init)
        var open: [Finding] = []
        swap(&open, &findings)
        let firstWaived = open.partition { finding in
            var hidden = false
            for (index, matcher) in matchers.enumerated() where matcher.covers(finding) {
                statuses[index].matchedFindings += 1
                if !statuses[index].expired { hidden = true }
            }
            return hidden
        }
        var waived = Array(open[firstWaived...])
        open.removeSubrange(firstWaived...)
        open.sortForReport()
        waived.sortForReport()
        let failed = policy.failOn.map { threshold in open.contains { $0.severity >= threshold } } ?? false
        return AuditReport(
            findings: open, waivedFindings: waived, counts: SeverityCounts(open),
            frameworks: FrameworkScoring.summaries(
                frameworks: policy.frameworks.compactMap(Framework.init(parsing:)),
                enabled: Set(checks.map(\.id)), failing: Set(open.map(\.checkID))),
            riskScore: RiskScore.score(open), accessReview: accessReviewer.reviews(), waivers: statuses,
            checksRun: checks.map(\.id), objectsAudited: objectsAudited, unreadable: unreadable.sorted(),
            failed: failed, auditedAt: KubeTime(now))
    }
}
