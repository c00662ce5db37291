import Graphiti

/// The object types of the schema: the seed's `Deployment`, `Alert`, `Vulnerability`,
/// `ComplianceCheck` and `Metric`, and additions for audits and workflow runs.
enum NodeTypes {
    typealias Components = [TypeComponent<OpsResolver, APIContext>]

    @TypeComponentBuilder<OpsResolver, APIContext>
    static func deployments() -> Components {
        Type(ConditionNode.self, as: "Condition") {
            Field("type", at: \.type)
            Field("status", at: \.status)
            Field("reason", at: \.reason)
            Field("message", at: \.message)
            Field("lastTransitionTime", at: \.lastTransitionTime)
        }
        Type(AnalysisCheckNode.self, as: "AnalysisCheck") {
            Field("name", at: \.name)
            Field("phase", at: \.phase)
            Field("message", at: \.message)
        }
        Type(AnalysisNode.self, as: "Analysis") {
            Field("stage", at: \.stage).description("pre or post (promotion).")
            Field("revision", at: \.revision)
            Field("phase", at: \.phase).description("Running, Successful, Failed or Inconclusive.")
            Field("verdict", at: \.verdict).description("The analyzer's verdict (built-in rules or the LLM).")
            Field("summary", at: \.summary)
            Field("provider", at: \.provider)
            Field("checks", at: \.checks)
        }
        Type(PermissionsNode.self, as: "Permissions") {
            Field("update", at: \.update).description("May patch the object (promote, abort, update).")
            Field("delete", at: \.delete)
        }
        Type(DeploymentNode.self, as: "Deployment") {
            Field("id", at: \.nodeID).description("namespace/name")
            Field("name", at: \.name)
            Field("namespace", at: \.namespace)
            Field("image", at: \.image)
            Field("replicas", at: \.replicas)
            Field("readyReplicas", at: \.readyReplicas)
            Field("phase", at: \.phase).description("Pending, Progressing, Paused, Analyzing, Promoting, Healthy, Degraded, RolledBack, or Deleted.")
            Field("activeColor", at: \.activeColor)
            Field("previewColor", at: \.previewColor)
            Field("activeRevision", at: \.activeRevision)
            Field("previewRevision", at: \.previewRevision)
            Field("stableRevision", at: \.stableRevision)
            Field("message", at: \.message)
            Field("analysis", at: \.analysis)
            Field("conditions", at: \.conditions)
            Field("generation", at: \.generation)
            Field("observedGeneration", at: \.observedGeneration)
            Field("createdAt", at: \.createdAt)
            Field("permissions", at: DeploymentNode.permissions)
        }
        .description("A BlueGreenDeployment: two colored Deployments behind an active and a preview Service, with analysis gating the switch.")
    }

    @TypeComponentBuilder<OpsResolver, APIContext>
    static func alerts() -> Components {
        Enum(AlertStatusValue.self, as: "AlertStatus") {
            Value(.INACTIVE)
            Value(.PENDING).description("The condition holds, for less than its duration.")
            Value(.FIRING)
            Value(.RESOLVED)
        }
        Type(AlertConditionNode.self, as: "AlertCondition") {
            Field("metric", at: \.metric)
            Field("operator", at: \.operator)
            Field("threshold", at: \.threshold)
            Field("duration", at: \.duration)
        }
        Type(AlertActionNode.self, as: "AlertActionInfo") {
            Field("name", at: \.name)
            Field("type", at: \.type).description("webhook, slack, pagerduty, alertmanager, email or workflow.")
        }
        Type(AlertNode.self, as: "Alert") {
            Field("id", at: \.nodeID).description("namespace/name")
            Field("name", at: \.name)
            Field("namespace", at: \.namespace)
            Field("description", at: \.description)
            Field("severity", at: \.severity)
            Field("status", at: \.status)
            Field("value", at: \.value)
            Field("firingSince", at: \.firingSince)
            Field("condition", at: \.condition)
            Field("expr", at: \.expr)
            Field("firingSeries", at: \.firingSeries)
            Field("rootCause", at: \.rootCause).description("The analysis of the firing episode.")
            Field("summary", at: \.summary)
            Field("recommendations", at: \.recommendations)
            Field("actions", at: \.actions)
        }
        .description("An AlertRule and its state.")
    }

    @TypeComponentBuilder<OpsResolver, APIContext>
    static func security() -> Components {
        Enum(VulnerabilitySeverity.self) {
            Value(.CRITICAL)
            Value(.HIGH)
            Value(.MEDIUM)
            Value(.LOW)
        }
        Type(AffectedResourceNode.self, as: "AffectedResource") {
            Field("type", at: \.type)
            Field("name", at: \.name)
            Field("namespace", at: \.namespace)
        }
        Type(VulnerabilityNode.self, as: "Vulnerability") {
            Field("id", at: \.nodeID)
            Field("severity", at: \.severity)
            Field("title", at: \.title)
            Field("description", at: \.description)
            Field("cveId", at: \.cveId)
            Field("affectedResource", at: \.affectedResource)
            Field("remediation", at: \.remediation)
            Field("discoveredAt", at: \.discoveredAt)
            Field("checkID", at: \.checkID)
            Field("audit", at: \.audit).description("The SecurityAudit (namespace/name) whose latest report holds it.")
        }
        .description("A finding of a SecurityAudit's latest run: a failed check on an object, or a CVE from Trivy.")
        Type(ComplianceCheckNode.self, as: "ComplianceCheck") {
            Field("standard", at: \.standard)
            Field("control", at: \.control)
            Field("status", at: \.status).description("fail (a mapped check failed), pass, or warning (no check evaluates it).")
            Field("description", at: \.description)
            Field("evidence", at: \.evidence)
            Field("lastChecked", at: \.lastChecked)
        }
        Type(AuditNode.self, as: "Audit") {
            Field("id", at: \.nodeID)
            Field("name", at: \.name)
            Field("namespace", at: \.namespace)
            Field("phase", at: \.phase)
            Field("riskScore", at: \.riskScore)
            Field("critical", at: \.critical)
            Field("high", at: \.high)
            Field("medium", at: \.medium)
            Field("low", at: \.low)
            Field("lastRun", at: \.lastRun)
            Field("topFindings", at: \.topFindings)
        }
        .description("A SecurityAudit and its latest scores.")
    }

    @TypeComponentBuilder<OpsResolver, APIContext>
    static func workflows() -> Components {
        Type(WorkflowStepNode.self, as: "WorkflowStep") {
            Field("name", at: \.name)
            Field("phase", at: \.phase)
            Field("attempts", at: \.attempts)
            Field("message", at: \.message)
        }
        Type(WorkflowRunNode.self, as: "WorkflowRun") {
            Field("id", at: \.nodeID)
            Field("name", at: \.name)
            Field("namespace", at: \.namespace)
            Field("workflow", at: \.workflow)
            Field("phase", at: \.phase)
            Field("trigger", at: \.trigger)
            Field("startedAt", at: \.startedAt)
            Field("finishedAt", at: \.finishedAt)
            Field("steps", at: \.steps)
        }
        .description("An OpsWorkflowRun: one run of an OpsWorkflow, step by step.")
        Type(WorkflowResultNode.self, as: "WorkflowResult") {
            Field("id", at: \.nodeID)
            Field("status", at: \.status)
            Field("run", at: \.run)
        }
        Type(MetricNode.self, as: "Metric") {
            Field("resource", at: \.resource)
            Field("name", at: \.name)
            Field("timestamp", at: \.timestamp)
            Field("value", at: \.value)
            Field("unit", at: \.unit)
        }
    }
}
