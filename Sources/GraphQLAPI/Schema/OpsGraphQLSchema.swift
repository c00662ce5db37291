import Graphiti
import GraphQL

/// The seed's GraphQL schema (§3.2) over the operator's resources, with additions for
/// audits, workflow runs and rollout operations. Its printed form is checked in at
/// `api/schema.graphql` (`opsagent api --print-schema`).
public struct OpsGraphQLAPI: API, Sendable {
    public let resolver = OpsResolver()
    public let schema: Schema<OpsResolver, APIContext>

    public init() throws {
        let builder = SchemaBuilder(OpsResolver.self, APIContext.self)
        builder.add {
            Scalar(JSONScalar.self, as: "JSON").description("Any JSON value.")
            Scalar(NodeID.self, as: "ID").description("An object's namespace/name.")
        }
        builder.add(NodeTypes.deployments).add(NodeTypes.alerts).add(NodeTypes.security).add(NodeTypes.workflows).add(Inputs.all)
        builder.addQuery {
            Field("deployments", at: OpsResolver.deployments) { Argument("namespace", at: \.namespace) }
                .description("BlueGreenDeployments the caller may list, in a namespace or everywhere.")
            Field("deployment", at: OpsResolver.deployment) { Argument("id", at: \.id) }
            Field("metrics", at: OpsResolver.metrics) {
                Argument("resource", at: \.resource)
                    .description("pod/NAMESPACE/NAME, deployment/NAMESPACE/NAME, namespace/NAMESPACE or cluster.")
                Argument("timeRange", at: \.timeRange)
            }
            .description("Container CPU, memory, network and disk of a resource over a time range, from Prometheus.")
            Field("alerts", at: OpsResolver.alerts) { Argument("status", at: \.status) }
                .description("AlertRules the caller may list, firing first.")
            Field("vulnerabilities", at: OpsResolver.vulnerabilities) {
                Argument("severity", at: \.severity)
                Argument("namespace", at: \.namespace)
                Argument("limit", at: \.limit).description("At most this many, most severe first (default 500, at most 5000).")
            }
            .description("The findings of the latest run of each SecurityAudit the caller may read.")
            Field("compliance", at: OpsResolver.compliance) {
                Argument("standard", at: \.standard).description("CIS, NSA-CISA, PSS-Baseline, PSS-Restricted, NIST-800-53, ISO27001 or SOC2.")
            }
            .description("Each control of the audited frameworks, as the latest audits judged it.")
            Field("audits", at: OpsResolver.audits) { Argument("namespace", at: \.namespace) }
            Field("workflowRuns", at: OpsResolver.workflowRuns) { Argument("namespace", at: \.namespace) }
        }
        builder.addMutation {
            Field("createDeployment", at: OpsResolver.createDeployment) { Argument("input", at: \.input) }
            Field("updateDeployment", at: OpsResolver.updateDeployment) {
                Argument("id", at: \.id)
                Argument("input", at: \.input)
            }
            .description("Rolls out a new image (and replica count): a blue-green rollout with analysis.")
            Field("deleteDeployment", at: OpsResolver.deleteDeployment) { Argument("id", at: \.id) }
            Field("executeWorkflow", at: OpsResolver.executeWorkflow) {
                Argument("workflow", at: \.workflow).description("NAMESPACE/NAME (or NAME in default) of an OpsWorkflow.")
                Argument("parameters", at: \.parameters)
            }
            .description("Starts a run of an OpsWorkflow with parameters overriding its defaults.")
            Field("createAlert", at: OpsResolver.createAlert) { Argument("input", at: \.input) }
            Field("updateAlert", at: OpsResolver.updateAlert) {
                Argument("id", at: \.id)
                Argument("input", at: \.input)
            }
            Field("promoteDeployment", at: OpsResolver.promoteDeployment) { Argument("id", at: \.id) }
                .description("Switches traffic to the preview revision (as opsagent promote).")
            Field("abortDeployment", at: OpsResolver.abortDeployment) { Argument("id", at: \.id) }
                .description("Abandons the preview revision (as opsagent abort).")
        }
        builder.addSubscription {
            SubscriptionField("deploymentStatusChanged", as: DeploymentNode.self, atSub: OpsResolver.deploymentStatusChanged)
                .description("A rollout was created, changed status, or was deleted (phase Deleted).")
            SubscriptionField("alertCreated", as: AlertNode.self, atSub: OpsResolver.alertCreated)
                .description("An alert rule started firing.")
            SubscriptionField("metricUpdated", as: MetricNode.self, atSub: OpsResolver.metricUpdated) {
                Argument("resource", at: \.resource).description("As metrics' resource; cluster when not given.")
            }
            .description("The current metrics of a resource, every metrics interval.")
            SubscriptionField("workflowRunUpdated", as: WorkflowRunNode.self, atSub: OpsResolver.workflowRunUpdated)
                .description("A workflow run started or changed.")
        }
        schema = try builder.build()
    }

    /// The schema in SDL, as checked in at `api/schema.graphql`.
    public var sdl: String { printSchema(schema: schema.schema) + "\n" }
}

enum Inputs {
    @TypeComponentBuilder<OpsResolver, APIContext>
    static func all() -> [TypeComponent<OpsResolver, APIContext>] {
        Input(TimeRangeInput.self, as: "TimeRange") {
            InputField("start", at: \.start).description("RFC 3339.")
            InputField("end", at: \.end).description("RFC 3339; now when not given.")
            InputField("last", at: \.last).description("A duration up to end, such as 15m (the default) or 1h.")
            InputField("step", at: \.step).description("A duration between points; a sixtieth of the range by default.")
        }
        Input(DeploymentInput.self) {
            InputField("name", at: \.name)
            InputField("namespace", at: \.namespace).description("default when not given.")
            InputField("image", at: \.image)
            InputField("replicas", at: \.replicas)
            InputField("port", at: \.port)
            InputField("autoPromotion", at: \.autoPromotion)
        }
        Input(AlertInput.self) {
            InputField("name", at: \.name)
            InputField("namespace", at: \.namespace)
            InputField("description", at: \.description)
            InputField("severity", at: \.severity).description("critical, warning or info.")
            InputField("metric", at: \.metric).description("A built-in metric: cpu_usage, memory_usage, error_rate…")
            InputField("operator", at: \.operator)
            InputField("threshold", at: \.threshold)
            InputField("duration", at: \.duration)
            InputField("expr", at: \.expr).description("A PromQL expression, instead of a built-in metric.")
            InputField("target", at: \.target).description("The pods a built-in metric reads, as a selector: app=web.")
        }
    }
}
