import AuditChecks
import KubeClient
import OpsAPI

/// Severities as GraphQL enum values.
public enum VulnerabilitySeverity: String, Sendable, Codable, CaseIterable {
    case CRITICAL, HIGH, MEDIUM, LOW

    init(_ severity: Severity) {
        switch severity {
        case .critical: self = .CRITICAL
        case .high: self = .HIGH
        case .medium: self = .MEDIUM
        case .low: self = .LOW
        }
    }
}

/// A finding of a SecurityAudit's latest report, in the seed's `Vulnerability` shape:
/// misconfigurations and RBAC findings carry their check, Trivy CVEs also `cveId`.
/// Finding messages never quote a Secret's value (see ``Finding``).
public struct VulnerabilityNode: Sendable, Hashable, Encodable {
    public var id: String
    public var severity: VulnerabilitySeverity
    public var title: String
    public var description: String
    public var cveId: String?
    public var affectedResource: AffectedResourceNode
    public var remediation: String
    public var discoveredAt: String
    public var checkID: String
    /// The SecurityAudit (`namespace/name`) whose report holds it.
    public var audit: String

    init(_ finding: JSONValue, audit: String, discoveredAt: String) {
        let object = finding["object"]
        checkID = finding["checkID"].stringValue ?? ""
        let kind = object["kind"].stringValue ?? ""
        let namespace = object["namespace"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let name = object["name"].stringValue ?? ""
        affectedResource = AffectedResourceNode(type: kind.lowercased(), name: name, namespace: namespace)
        let container = finding["container"].stringValue
        cveId = finding["cveId"].stringValue
        id = [audit, checkID, kind, namespace ?? "", name, container ?? "", cveId ?? ""].joined(separator: "/")
        severity = VulnerabilitySeverity(Severity(parsing: finding["severity"].stringValue ?? "") ?? .low)
        title = finding["title"].stringValue ?? checkID
        description = finding["message"].stringValue ?? ""
        remediation = CheckCatalog.standard.check(id: checkID)?.remediation
            ?? (cveId != nil ? "Update the affected package to the fixed version (\(finding["affectedResource"].stringValue ?? "see the report"))." : "")
        self.discoveredAt = discoveredAt
        self.audit = audit
    }
}

public struct AffectedResourceNode: Sendable, Hashable, Encodable {
    /// The object's kind in lower case: pod, deployment, clusterrolebinding, namespace…
    public var type: String
    public var name: String
    public var namespace: String?
}

/// One control of a compliance framework as the latest audit judged it (the seed's
/// `ComplianceCheck`): `fail` when a mapped check failed, `pass` when its checks ran and
/// passed, `warning` when none of its checks ran (excluded or not applicable).
public struct ComplianceCheckNode: Sendable, Hashable, Encodable {
    public var standard: String
    public var control: String
    public var status: String
    public var description: String
    /// The failed checks on objects (`CHECK Kind namespace/name`), at most ten.
    public var evidence: [String]
    public var lastChecked: String
}

/// A SecurityAudit and its latest scores.
public struct AuditNode: Sendable, Hashable, Encodable {
    public var id: String
    public var name: String
    public var namespace: String
    public var phase: String
    public var riskScore: Int?
    public var critical: Int
    public var high: Int
    public var medium: Int
    public var low: Int
    public var lastRun: String?
    public var topFindings: [VulnerabilityNode]

    init(_ object: JSONValue) {
        let meta = object["metadata"], status = object["status"]
        name = meta["name"].stringValue ?? ""
        namespace = meta["namespace"].stringValue ?? ""
        id = "\(namespace)/\(name)"
        phase = status["phase"].stringValue ?? "Pending"
        riskScore = status["riskScore"].intValue
        critical = status["counts"]["critical"].intValue ?? 0
        high = status["counts"]["high"].intValue ?? 0
        medium = status["counts"]["medium"].intValue ?? 0
        low = status["counts"]["low"].intValue ?? 0
        lastRun = status["lastRun"].stringValue
        let audit = id, at = lastRun ?? ""
        topFindings = (status["topFindings"].arrayValue ?? []).map { summary in
            // The status keeps a flat summary; shape it as a report finding.
            let finding: JSONValue = [
                "checkID": summary["checkID"], "severity": summary["severity"], "title": summary["title"], "message": summary["message"],
                "container": summary["container"],
                "object": ["kind": summary["kind"], "namespace": summary["namespace"], "name": summary["name"]],
            ]
            return VulnerabilityNode(finding, audit: audit, discoveredAt: at)
        }
    }
}
