import AuditChecks
import KubeClient
import OpsAPI

/// SecurityAudits: `audit_run` (asks the controller for a run, as `opsagent audit run`
/// does) and `audit_findings` (the last report's findings, by severity and framework).
struct AuditTools: MCPToolGroup {
    static let audits = ResourceRef(SecurityAudit.groupVersionResource, kind: SecurityAudit.kind)
    static let reports = ResourceRef(SecurityReport.groupVersionResource, kind: SecurityReport.kind)

    var tools: [MCPTool] { [run, findings] }

    var run: MCPTool {
        MCPTool(
            name: "audit_run",
            description: "Run a SecurityAudit now, whatever its schedule. The controller runs it once per request and writes a "
                + "SecurityReport; read audit_findings afterwards. Needs --allow-write.",
            inputSchema: InputSchema.object(["name": InputSchema.string("Name of the SecurityAudit."),
                                             "namespace": InputSchema.namespace], required: ["name"]),
            access: .write, idempotent: false
        ) { call in
            let name = try call.arguments.requiredString("name")
            let namespace = try call.namespace()
            let request = OperationRequest(annotation: SecurityAudit.runAnnotation)
            _ = try await call.cluster.patch(Self.audits, name: name, namespace: namespace, type: .merge, body: request.patch)
            return ToolOutput(structured: ["name": .string(name), "namespace": .string(namespace), "token": .string(request.token)],
                              text: "securityaudit.opsagent.dev/\(name) run requested (\(SecurityAudit.runAnnotation)=\(request.token))")
        }
    }

    /// The newest report of an audit, as its status lists them.
    static func latestReport(_ call: ToolCall, audit: String, namespace: String) async throws -> (audit: JSONValue, report: JSONValue?) {
        let object = try await call.cluster.get(audits, name: audit, namespace: namespace)
        guard let reportName = object["status"]["reports"][0]["name"].stringValue else { return (object, nil) }
        return (object, try await call.cluster.get(reports, name: reportName, namespace: namespace))
    }

    var findings: MCPTool {
        MCPTool(
            name: "audit_findings",
            description: "The findings of a SecurityAudit's latest report, most severe first: filter by minimum severity and by "
                + "compliance framework (CIS, NSA-CISA, PSS-Baseline, PSS-Restricted, NIST-800-53, ISO-27001…). Paged by limit and continue (an offset).",
            inputSchema: InputSchema.object([
                "name": InputSchema.string("Name of the SecurityAudit."), "namespace": InputSchema.namespace,
                "severity": InputSchema.string("Minimum severity.", oneOf: Severity.allCases.map(\.rawValue)),
                "framework": InputSchema.string("Only findings mapped to a control of this framework.", oneOf: Framework.allCases.map(\.rawValue)),
                "limit": InputSchema.limit, "continue": InputSchema.continueToken,
            ], required: ["name"])
        ) { call in
            let minimum = try call.arguments.string("severity").flatMap { $0.isEmpty ? nil : $0 }.map { text throws(ToolError) -> Severity in
                guard let severity = Severity(parsing: text) else {
                    throw .invalidArgument(name: "severity", problem: "must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return severity
            }
            let framework = try call.arguments.string("framework").flatMap { $0.isEmpty ? nil : $0 }.map { text throws(ToolError) -> Framework in
                guard let framework = Framework(parsing: text) else {
                    throw .invalidArgument(name: "framework", problem: "must be one of \(Framework.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return framework
            }
            let (limit, token) = try call.arguments.page()
            guard let offset = Int(token ?? "0"), offset >= 0 else {
                throw ToolError.invalidArgument(name: "continue", problem: "not a token this tool returned")
            }
            let name = try call.arguments.requiredString("name")
            let (audit, report) = try await Self.latestReport(call, audit: name, namespace: try call.namespace())
            guard let report else {
                return ToolOutput(structured: ["audit": .string(name), "phase": audit["status"]["phase"], "findings": [], "count": 0],
                                  text: "securityaudit \(name) has no report yet (phase \(audit["status"]["phase"].stringValue ?? "Pending")); run it with audit_run")
            }
            let matching = (report["report"]["findings"].arrayValue ?? []).filter { finding in
                let severity = Severity(parsing: finding["severity"].stringValue ?? "") ?? .low
                if let minimum, severity < minimum { return false }
                if let framework, !FrameworkCatalog.controls(mappedTo: finding["checkID"].stringValue ?? "").contains(where: { $0.framework == framework }) {
                    return false
                }
                return true
            }.sorted { (Severity(parsing: $0["severity"].stringValue ?? "") ?? .low) > (Severity(parsing: $1["severity"].stringValue ?? "") ?? .low) }
            let page = Array(matching.dropFirst(offset).prefix(limit))
            var structured: JSONValue = ["audit": .string(name), "report": report["metadata"]["name"], "runID": report["report"]["runID"],
                                         "riskScore": report["report"]["riskScore"], "counts": report["report"]["counts"],
                                         "findings": .array(page), "count": .int(Int64(page.count)), "total": .int(Int64(matching.count))]
            if offset + page.count < matching.count { structured["continue"] = .string("\(offset + page.count)") }
            let rows = page.map { f in
                [f["severity"].stringValue ?? "", f["checkID"].stringValue ?? "",
                 "\(f["object"]["kind"].stringValue ?? "")/\(f["object"]["namespace"].stringValue ?? "")/\(f["object"]["name"].stringValue ?? "")",
                 f["message"].stringValue ?? ""]
            }
            var text = "report \(report["metadata"]["name"].stringValue ?? ""): risk score \(report["report"]["riskScore"].intValue ?? 0), "
                + "\(matching.count) matching findings\n" + TextTable.render(["SEVERITY", "CHECK", "OBJECT", "MESSAGE"], rows)
            if let next = structured["continue"].stringValue { text += "\n\nMore results: call again with continue=\"\(next)\"." }
            return ToolOutput(structured: structured, text: text)
        }
    }
}
