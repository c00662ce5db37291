import KubeClient

/// The actions a step may name (`agent` + `action`), each with its typed parameters and the
/// outputs later conditions may read. Written-time validation checks a step against this;
/// the controller's action registry implements exactly these.
///
/// Every action also reads `name` (its target object) and `namespace` from its parameters,
/// falling back to the run's parameters of the same names, so a workflow written once (the
/// seed's) is pointed at a target by the run: `opsagent workflow run deployment --param name=web --param image=…`.
public enum WorkflowActionCatalog {
    public struct Parameter: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case number(min: Double?, max: Double?), integer(min: Int?), boolean, string, oneOf([String]), object }
        public var name: String
        public var kind: Kind
        public var required = false

        func check(_ value: JSONValue, field: String) -> SpecError? {
            switch kind {
            case .number(let min, let max):
                guard let d = value.doubleValue else { return SpecError(field: field, message: "must be a number") }
                if let min, d < min { return SpecError(field: field, message: "must be at least \(min)") }
                if let max, d > max { return SpecError(field: field, message: "must be at most \(max)") }
            case .integer(let min):
                guard let i = value.intValue else { return SpecError(field: field, message: "must be an integer") }
                if let min, i < min { return SpecError(field: field, message: "must be at least \(min)") }
            case .boolean:
                if value.boolValue == nil { return SpecError(field: field, message: "must be true or false") }
            case .string:
                if value.stringValue == nil { return SpecError(field: field, message: "must be a string") }
            case .oneOf(let values):
                guard let s = value.stringValue, values.contains(s) else {
                    return SpecError(field: field, message: "must be one of \(values.joined(separator: ", "))")
                }
            case .object:
                if value.objectValue == nil { return SpecError(field: field, message: "must be an object") }
            }
            return nil
        }
    }

    public struct Action: Sendable, Hashable {
        public var id: String
        public var summary: String
        public var parameters: [Parameter]
        public var outputs: [String]
    }

    static func p(_ name: String, _ kind: Parameter.Kind, required: Bool = false) -> Parameter {
        Parameter(name: name, kind: kind, required: required)
    }

    static let target = [p("name", .string), p("namespace", .string)]
    static let scanOutputs = ["passed", "critical", "high", "medium", "low", "riskScore", "audit"]
    static let kindParameter = p("kind", .oneOf(["Deployment", "BlueGreenDeployment"]))

    public static let actions: [Action] = [
        Action(id: "monitoring.check-system-health", summary: "Ready ratio of pods and nodes (in the namespace, or the target's pods), from the cache.",
               parameters: target + [p("threshold", .number(min: 0, max: 1))], outputs: ["healthy", "ratio", "ready", "total"]),
        Action(id: "security.scan-deployment", summary: "Runs a SecurityAudit scoped to the target's namespace and waits for its report.",
               parameters: target + [p("scanType", .oneOf(["quick", "standard", "comprehensive"])), p("failOn", .oneOf(["critical", "high", "medium", "low"]))],
               outputs: scanOutputs),
        Action(id: "security.check-security-impact", summary: "Runs a SecurityAudit of the incident's namespace and waits for its report.",
               parameters: target + [p("failOn", .oneOf(["critical", "high", "medium", "low"]))], outputs: scanOutputs),
        Action(id: "deployment.blue-green-deploy", summary: "Creates or updates a BlueGreenDeployment and waits for Healthy or RolledBack.",
               parameters: target + [p("strategy", .oneOf(["blue-green"])), p("healthCheck", .boolean), p("image", .string),
                                     p("template", .object), p("replicas", .integer(min: 0)), p("timeoutSeconds", .integer(min: 1))],
               outputs: ["outcome", "promoted", "revision", "activeColor", "image"]),
        Action(id: "monitoring.validate-deployment", summary: "Checks the live revision of a BlueGreenDeployment: Healthy, serving the revision deployed, its pods ready and not restarting.",
               parameters: target + [p("maxRestarts", .integer(min: 0))], outputs: ["passed", "revision", "ready", "restarts"]),
        Action(id: "deployment.rollback", summary: "Undoes the rollout: the BlueGreenDeployment goes back to its stable revision.",
               parameters: target, outputs: ["revision", "activeColor"]),
        Action(id: "monitoring.assess-severity", summary: "The analysis step over the incident's facts: severity low, medium or high, and a summary.",
               parameters: target + [p("selector", .string)], outputs: ["severity", "summary", "provider"]),
        Action(id: "incident.auto-recovery", summary: "Restarts crash-looping pods, scales, or rolls back the target, as `mode` says.",
               parameters: target + [kindParameter, p("mode", .oneOf(["restart", "scale", "rollback"])), p("replicas", .integer(min: 0))],
               outputs: ["recovered", "mode", "restarted"]),
        Action(id: "incident.escalate", summary: "Notifies through the AlertRule's notifiers (the rule that started the run, or `alertRule`).",
               parameters: target + [p("alertRule", .string), p("message", .string)], outputs: ["notified"]),
        Action(id: "kubernetes.scale", summary: "Sets a workload's replicas.",
               parameters: target + [kindParameter, p("replicas", .integer(min: 0), required: true)], outputs: ["replicas"]),
        Action(id: "kubernetes.restart", summary: "Rolls a workload's pods (kubectl rollout restart).",
               parameters: target + [kindParameter], outputs: ["restartedAt"]),
        Action(id: "kubernetes.wait", summary: "Waits until a workload's pods are all ready.",
               parameters: target + [kindParameter], outputs: ["ready"]),
        Action(id: "kubernetes.apply", summary: "Server-side applies a manifest (its namespace defaults to the run's).",
               parameters: [p("manifest", .object, required: true)], outputs: ["kind", "name"]),
        Action(id: "kubernetes.patch", summary: "Merge-patches an object named by apiVersion, kind and name.",
               parameters: target + [p("apiVersion", .string, required: true), p("kind", .string, required: true), p("patch", .object, required: true)],
               outputs: ["resourceVersion"]),
        Action(id: "http.request", summary: "Sends an HTTP request (libcurl); fails on a status outside expectStatus.",
               parameters: [p("url", .string, required: true), p("method", .oneOf(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])),
                            p("body", .string), p("expectStatus", .integer(min: 100))], outputs: ["status", "body"]),
        Action(id: "llm.analyze", summary: "Asks the analyzer a question about the run's facts (the target's pods, Events and logs).",
               parameters: target + [p("question", .string, required: true)], outputs: ["verdict", "summary", "provider"]),
    ]

    public static let byID: [String: Action] = Dictionary(uniqueKeysWithValues: actions.map { ($0.id, $0) })

    /// Problems of a step's action and parameters, with field paths under `path`.
    public static func problems(of step: WorkflowStep, path: String) -> [SpecError] {
        guard let id = step.actionID else { return [] }
        guard let action = byID[id] else {
            return [SpecError(field: "\(path).action", message: "\"\(id)\" is not a known agent.action; known: \(actions.map(\.id).joined(separator: ", "))")]
        }
        var errors: [SpecError] = []
        let given = step.parameters ?? [:]
        for name in given.keys.sorted() {
            guard let parameter = action.parameters.first(where: { $0.name == name }) else {
                errors.append(SpecError(field: "\(path).parameters.\(name)", message: "is not a parameter of \(id); it takes \(action.parameters.map(\.name).joined(separator: ", "))"))
                continue
            }
            if let error = parameter.check(given[name]!, field: "\(path).parameters.\(name)") { errors.append(error) }
        }
        for parameter in action.parameters where parameter.required && given[parameter.name] == nil {
            errors.append(SpecError(field: "\(path).parameters.\(parameter.name)", message: "is required by \(id)"))
        }
        return errors
    }
}
