import KubeClient

/// A pod template as the checks see it: the typed ``PodSpec`` for the fields it declares,
/// the raw spec for those it does not (`sysctls`, `procMount`, `appArmorProfile`,
/// `seLinuxOptions`, `windowsOptions`), and the object that carries it.
///
/// A Deployment, StatefulSet, DaemonSet, ReplicaSet or Job is checked through
/// `spec.template`, a CronJob through `spec.jobTemplate.spec.template`, a bare Pod
/// through its own spec.
public struct AuditedWorkload: Sendable {
    public let object: AuditObject
    /// The workload's own labels (what `scope.labelSelector` matches).
    public let labels: [String: String]
    /// Whether a controller (`ownerReferences[].controller: true`) manages the object.
    public let hasController: Bool
    /// The pod template's annotations (AppArmor's beta annotations live here).
    public let podAnnotations: [String: String]
    public let spec: PodSpec
    let rawSpec: JSONValue
    /// Init containers, then containers, then ephemeral containers.
    public let containers: [AuditedContainer]

    /// Reads the pod template of `object` (of kind `kind`).
    ///
    /// - Throws: when the template does not decode as a pod spec.
    init(kind: String, object raw: JSONValue) throws {
        let template: JSONValue
        switch kind {
        case "Pod": template = raw
        case "CronJob": template = raw["spec"]["jobTemplate"]["spec"]["template"]
        default: template = raw["spec"]["template"]
        }
        let meta = raw["metadata"]
        object = AuditObject(
            kind: kind, namespace: meta["namespace"].stringValue ?? "", name: meta["name"].stringValue ?? "")
        labels = Self.strings(meta["labels"])
        hasController = (meta["ownerReferences"].arrayValue ?? []).contains { $0["controller"].boolValue == true }
        podAnnotations = Self.strings(template["metadata"]["annotations"])
        rawSpec = template["spec"]
        spec = try rawSpec.decode(PodSpec.self)
        var containers: [AuditedContainer] = []
        for (field, typed) in [("initContainers", spec.initContainers ?? []), ("containers", spec.containers)] {
            let raws = rawSpec[field].arrayValue ?? []
            for (index, container) in typed.enumerated() {
                containers.append(AuditedContainer(
                    container: container, raw: index < raws.count ? raws[index] : .null, isInit: field == "initContainers"))
            }
        }
        for raw in rawSpec["ephemeralContainers"].arrayValue ?? [] {
            if let container = try? raw.decode(Container.self) {
                containers.append(AuditedContainer(container: container, raw: raw, isInit: false, isEphemeral: true))
            }
        }
        self.containers = containers
    }

    static func strings(_ value: JSONValue) -> [String: String] {
        guard case .object(let members) = value else { return [:] }
        var result: [String: String] = [:]
        result.reserveCapacity(members.count)
        for (key, value) in members { if let text = value.stringValue { result[key] = text } }
        return result
    }

    /// The pod-level `securityContext`.
    var podSecurityContext: JSONValue { rawSpec["securityContext"] }

    /// Whether the pod runs to completion (Job, CronJob, or a pod that never restarts),
    /// where liveness and readiness probes do not apply.
    var runsToCompletion: Bool {
        object.kind == "Job" || object.kind == "CronJob" || spec.restartPolicy == "Never"
            || spec.restartPolicy == "OnFailure"
    }
}

/// One container of a pod template, with its effective security settings (the
/// container's own, else the pod's).
public struct AuditedContainer: Sendable {
    public let container: Container
    let raw: JSONValue
    public let isInit: Bool
    public let isEphemeral: Bool

    init(container: Container, raw: JSONValue, isInit: Bool, isEphemeral: Bool = false) {
        self.container = container
        self.raw = raw
        self.isInit = isInit
        self.isEphemeral = isEphemeral
    }

    public var name: String { container.name }
    var securityContext: SecurityContext { container.securityContext ?? SecurityContext() }
    var rawSecurityContext: JSONValue { raw["securityContext"] }

    /// A `securityContext` field of the container, else of the pod.
    func effective(_ field: String, in workload: AuditedWorkload) -> JSONValue {
        let own = rawSecurityContext[field]
        return own.isNull ? workload.podSecurityContext[field] : own
    }

    /// Added capabilities, upper-cased, with any `CAP_` prefix removed.
    var addedCapabilities: [String] { (securityContext.capabilities?.add ?? []).map(Self.normalise) }
    var droppedCapabilities: [String] { (securityContext.capabilities?.drop ?? []).map(Self.normalise) }

    static func normalise(_ capability: String) -> String {
        let upper = capability.uppercased()
        return upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
    }
}
