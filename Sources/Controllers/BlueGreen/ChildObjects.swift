import KubeClient
import OperatorKit
import OpsAPI

/// The objects a rollout owns, as the controller wants them.
struct ChildObjects {
    let rollout: BlueGreenDeployment
    /// The rollout as read from the API (for its owner reference).
    let owner: JSONValue

    var name: String { rollout.metadata.name ?? "" }
    var namespace: String { rollout.metadata.namespace ?? "default" }

    func deploymentName(_ color: Color) -> String { Self.deploymentName(name, color) }

    /// The Deployment of `rollout`'s `color`: `web-blue`.
    static func deploymentName(_ rollout: String, _ color: Color) -> String { "\(rollout)-\(color.rawValue)" }

    var ownerReference: JSONValue { (try? OwnerReferences.controllerReference(to: owner)) ?? .null }

    /// The pod template of `color` at `revision`: the user's template plus the color and
    /// revision labels, so a Service and the analysis can select one revision's pods.
    func podTemplate(_ template: JSONValue, color: Color, revision: String) -> JSONValue {
        var t = template
        t[path: ["metadata", "labels", BlueGreenLabels.color]] = .string(color.rawValue)
        t[path: ["metadata", "labels", BlueGreenLabels.revision]] = .string(revision)
        return t
    }

    /// The rollout's pod labels (its selector's matchLabels, else the template's).
    var podLabels: [String: String] { (try? rollout.spec.effectiveSelector().matchLabels) ?? [:] }

    /// The selector of one color's pods: the rollout's selector plus the color. A
    /// Deployment's selector cannot change, so the revision is not part of it.
    func selector(_ color: Color) throws -> JSONValue {
        var selector: JSONValue
        if let given = rollout.spec.selector, !given.isNull {
            selector = given
        } else {
            selector = ["matchLabels": .object(rollout.spec.templateLabels.mapValues { .string($0) })]
        }
        selector[path: ["matchLabels", BlueGreenLabels.color]] = .string(color.rawValue)
        return selector
    }

    /// The labels of one revision's pods on one color (of the color's pods when `revision`
    /// is nil: pods deployed before revisions were labelled).
    func revisionLabels(_ color: Color, _ revision: String?) -> [String: String] {
        var labels = podLabels
        labels[BlueGreenLabels.color] = color.rawValue
        if let revision { labels[BlueGreenLabels.revision] = revision }
        return labels
    }

    /// A Deployment running `template` as `color`.
    func deployment(color: Color, template: JSONValue, revision: String, replicas: Int) throws -> JSONValue {
        [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": [
                "name": .string(deploymentName(color)),
                "namespace": .string(namespace),
                "labels": .object(commonLabels.merging([BlueGreenLabels.color: .string(color.rawValue)]) { $1 }),
                "annotations": [
                    .init(stringLiteral: BlueGreenLabels.revision): .string(revision),
                    .init(stringLiteral: BlueGreenLabels.template): .string(template.serialized()),
                ],
                "ownerReferences": [ownerReference],
            ],
            "spec": [
                "replicas": .int(Int64(replicas)),
                "selector": try selector(color),
                "template": podTemplate(template, color: color, revision: revision),
                // The rollout keeps history itself; the Deployment only needs its current ReplicaSet.
                "revisionHistoryLimit": 1,
                "progressDeadlineSeconds": .int(Int64(rollout.spec.effectiveProgressDeadlineSeconds)),
            ],
        ]
    }

    var commonLabels: [String: JSONValue] {
        ["app.kubernetes.io/managed-by": "opsagent", .init(stringLiteral: BlueGreenLabels.managedBy): .string(name)]
    }

    /// A Service routing to the pods of `revision` on `color`.
    func service(_ ref: ServiceRef, role: String, color: Color, revision: String?) -> JSONValue {
        [
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": [
                "name": .string(ref.name),
                "namespace": .string(namespace),
                "labels": .object(commonLabels.merging([BlueGreenLabels.role: .string(role)]) { $1 }),
                "ownerReferences": [ownerReference],
            ],
            "spec": [
                "selector": .object(revisionLabels(color, revision).mapValues { .string($0) }),
                "ports": .array(servicePorts(ref)),
            ],
        ]
    }

    /// The ports the user listed, or the template's first container port.
    func servicePorts(_ ref: ServiceRef) -> [JSONValue] {
        if let ports = ref.ports, !ports.isEmpty {
            return ports.map { p in
                var o: JSONValue = ["port": .int(Int64(p.port)), "protocol": .string(p.protocol ?? "TCP")]
                if let name = p.name { o["name"] = .string(name) }
                switch p.targetPort {
                case .int(let i)?: o["targetPort"] = .int(Int64(i))
                case .string(let s)?: o["targetPort"] = .string(s)
                case nil: o["targetPort"] = .int(Int64(p.port))
                }
                return o
            }
        }
        let first = rollout.spec.template["spec"]["containers"][0]["ports"][0]
        let port = first["containerPort"].intValue ?? 80
        var o: JSONValue = ["name": "http", "port": .int(Int64(port)), "targetPort": .int(Int64(port)), "protocol": "TCP"]
        if let name = first["name"].stringValue { o["name"] = .string(name) }
        return [o]
    }
}
