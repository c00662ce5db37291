import AuditChecks
import Graphiti
import KubeClient
import OpsAPI

/// Resolves the schema's fields. Queries read the informer caches, after a
/// SubjectAccessReview for the caller; mutations write as the caller (impersonation).
public struct OpsResolver: Sendable {
    public init() {}

    func deployments(context: APIContext, arguments: NamespaceArguments) async throws -> [DeploymentNode] {
        // In the cache's order: by namespace, then name.
        try await context.readable(APICaches.deployments, namespace: arguments.namespace).map(DeploymentNode.init)
    }

    func deployment(context: APIContext, arguments: IDArguments) async throws -> DeploymentNode? {
        let (namespace, name) = try APIContext.parse(id: arguments.id.value)
        try await context.require("get", APICaches.deployments, namespace: namespace)
        return try context.caches.get(APICaches.deployments, namespace: namespace, name: name).map(DeploymentNode.init)
    }

    func alerts(context: APIContext, arguments: AlertsArguments) async throws -> [AlertNode] {
        let order: [AlertStatusValue: Int] = [.FIRING: 0, .PENDING: 1, .RESOLVED: 2, .INACTIVE: 3]
        let severity = ["critical": 0, "warning": 1, "info": 2]
        return try await context.readable(APICaches.alertRules, namespace: nil).map(AlertNode.init)
            .filter { arguments.status == nil || $0.status == arguments.status }
            .sorted { ((order[$0.status] ?? 9), severity[$0.severity] ?? 9, $0.id) < ((order[$1.status] ?? 9), severity[$1.severity] ?? 9, $1.id) }
    }

    func audits(context: APIContext, arguments: NamespaceArguments) async throws -> [AuditNode] {
        try await context.readable(APICaches.audits, namespace: arguments.namespace).map(AuditNode.init)
    }

    func workflowRuns(context: APIContext, arguments: NamespaceArguments) async throws -> [WorkflowRunNode] {
        try await context.readable(APICaches.runs, namespace: arguments.namespace).map(WorkflowRunNode.init)
            .sorted { ($0.startedAt ?? "~", $0.id) > ($1.startedAt ?? "~", $1.id) }
    }

    /// The audits the caller may read, with the reports of their latest runs (which the
    /// caller must also be allowed to list).
    private func latestReports(_ context: APIContext, namespace: String?) async throws -> [(audit: JSONValue, reports: [JSONValue])] {
        var result: [(JSONValue, [JSONValue])] = []
        for audit in try await context.readable(APICaches.audits, namespace: namespace) {
            try await context.require("list", APICaches.reports, namespace: audit["metadata"]["namespace"].stringValue)
            result.append((audit, context.caches.latestReports(of: audit)))
        }
        return result
    }

    func vulnerabilities(context: APIContext, arguments: VulnerabilitiesArguments) async throws -> [VulnerabilityNode] {
        let limit = arguments.limit ?? 500
        guard (1...5000).contains(limit) else { throw APIError.invalidArgument(name: "limit", problem: "must be between 1 and 5000") }
        var nodes: [VulnerabilityNode] = []
        for (audit, reports) in try await latestReports(context, namespace: arguments.namespace) {
            let id = "\(audit["metadata"]["namespace"].stringValue ?? "")/\(audit["metadata"]["name"].stringValue ?? "")"
            for report in reports {
                let at = report["report"]["auditedAt"].stringValue ?? ""
                for finding in report["report"]["findings"].arrayValue ?? [] {
                    let node = VulnerabilityNode(finding, audit: id, discoveredAt: at)
                    if arguments.severity == nil || node.severity == arguments.severity { nodes.append(node) }
                }
            }
        }
        let rank: [VulnerabilitySeverity: Int] = [.CRITICAL: 0, .HIGH: 1, .MEDIUM: 2, .LOW: 3]
        nodes.sort { (rank[$0.severity] ?? 9, $0.id) < (rank[$1.severity] ?? 9, $1.id) }
        return Array(nodes.prefix(limit))
    }

    func compliance(context: APIContext, arguments: ComplianceArguments) async throws -> [ComplianceCheckNode] {
        let wanted = try arguments.standard.map { text throws(APIError) -> Framework in
            guard let framework = Framework(parsing: text) else {
                throw .invalidArgument(name: "standard", problem: "'\(text)' is not one of \(Framework.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return framework
        }
        var nodes: [ComplianceCheckNode] = []
        for (_, reports) in try await latestReports(context, namespace: nil) {
            guard let first = reports.first else { continue }
            let at = first["report"]["auditedAt"].stringValue ?? ""
            let findings = reports.flatMap { $0["report"]["findings"].arrayValue ?? [] }
            for summary in first["report"]["frameworks"].arrayValue ?? [] {
                guard let framework = Framework(parsing: summary["framework"].stringValue ?? ""), wanted == nil || wanted == framework else { continue }
                let failed = Set((summary["failedControls"].arrayValue ?? []).compactMap(\.stringValue))
                for control in FrameworkCatalog.controls(of: framework) {
                    let evidence = findings.lazy.filter { control.checkIDs.contains($0["checkID"].stringValue ?? "") }.prefix(10).map { f in
                        let o = f["object"]
                        let ns = o["namespace"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
                        return "\(f["checkID"].stringValue ?? "") \(o["kind"].stringValue ?? "") \(ns.map { "\($0)/" } ?? "")\(o["name"].stringValue ?? "")"
                    }
                    let status = failed.contains(control.id) ? "fail" : control.checkIDs.isEmpty ? "warning" : "pass"
                    nodes.append(ComplianceCheckNode(standard: framework.rawValue, control: control.id, status: status,
                                                     description: control.title, evidence: Array(evidence), lastChecked: at))
                }
            }
        }
        return nodes
    }

    func metrics(context: APIContext, arguments: MetricsArguments) async throws -> [MetricNode] {
        let (source, target) = try await metricsAccess(context, resource: arguments.resource)
        return try await source.range(arguments.resource, target, arguments.timeRange)
    }

    /// Prometheus, once the caller may read the pods the resource names.
    func metricsAccess(_ context: APIContext, resource: String) async throws(APIError) -> (MetricsSource, MetricsSource.Target) {
        guard let source = context.services.metrics else {
            throw .unavailable("metrics need Prometheus: start opsagent api with --prometheus-url URL")
        }
        let target = try MetricsSource.target(resource)
        try await context.require(target.namespace == nil ? "list" : "get", APICaches.pods, namespace: target.namespace)
        return (source, target)
    }
}

extension DeploymentNode {
    /// What the caller may do to this rollout (SubjectAccessReviews, cached briefly).
    func permissions(context: APIContext, arguments: NoArguments) async throws -> PermissionsNode {
        try await Self.permissions(namespace: namespace, context: context)
    }

    static func permissions(namespace: String, context: APIContext) async throws(APIError) -> PermissionsNode {
        PermissionsNode(update: try await context.may("patch", APICaches.deployments, namespace: namespace),
                        delete: try await context.may("delete", APICaches.deployments, namespace: namespace))
    }
}
