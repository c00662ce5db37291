import KubeClient

/// Strategic-merge and apply metadata of core/v1 types, taken from the `patchStrategy`,
/// `patchMergeKey`, `listType` and `listMapKey` tags of k8s.io/api/core/v1.
enum BuiltinPatchSchemas {
    typealias Node = StrategicSchema.Node
    typealias Rule = StrategicSchema.ListRule

    static let objectMeta: Node = .object([
        "finalizers": .list(.set),
        "ownerReferences": .list(.keyed(["uid"]), of: atomicObject),
    ])

    /// A struct server-side apply treats as one value (`+structType=atomic`), e.g. LabelSelector.
    static let atomicObject: Node = Node(isAtomic: true)

    static let conditions: Node = .list(.keyed(["type"]))

    static let container: Node = .object([
        "ports": .list(.keyed(["containerPort", "protocol"], mergeKey: "containerPort", defaults: ["protocol": "TCP"])),
        "env": .list(.keyed(["name"])),
        "volumeMounts": .list(.keyed(["mountPath"])),
        "volumeDevices": .list(.keyed(["devicePath"])),
        "resources": .object([
            "claims": .list(Rule(type: .map(keys: ["name"]), patchMerge: false, patchMergeKey: nil)),
        ]),
    ])

    static let podSpec: Node = .object([
        "volumes": .list(.keyed(["name"])),
        "initContainers": .list(.keyed(["name"]), of: container),
        "containers": .list(.keyed(["name"]), of: container),
        "ephemeralContainers": .list(.keyed(["name"]), of: container),
        "imagePullSecrets": .list(.keyed(["name"])),
        "hostAliases": .list(.keyed(["ip"])),
        "topologySpreadConstraints": .list(.keyed(["topologyKey", "whenUnsatisfiable"], mergeKey: "topologyKey")),
        "schedulingGates": .list(.keyed(["name"])),
        "resourceClaims": .list(.keyed(["name"])),
    ])

    static let podStatus: Node = .object([
        "conditions": conditions,
        "podIPs": .list(.keyed(["ip"])),
        "hostIPs": .list(Rule(type: .atomic, patchMerge: true, patchMergeKey: "ip")),
        "resourceClaimStatuses": .list(.keyed(["name"])),
    ])

    static let podTemplateSpec: Node = .object(["metadata": objectMeta, "spec": podSpec])

    static func resource(spec: Node = .unknown, status: Node = .unknown, extra: [String: Node] = [:]) -> Node {
        var fields: [String: Node] = ["metadata": objectMeta, "spec": spec, "status": status]
        fields.merge(extra) { _, new in new }
        return .object(fields)
    }

    static let pod = resource(spec: podSpec, status: podStatus)
    static let podTemplate = resource(extra: ["template": podTemplateSpec])
    static let replicationController = resource(
        spec: .object(["template": podTemplateSpec]),
        status: .object(["conditions": conditions]))
    static let service = resource(
        spec: .object([
            "ports": .list(.keyed(["port", "protocol"], mergeKey: "port", defaults: ["protocol": "TCP"])),
        ]),
        status: .object(["conditions": conditions]))
    static let node = resource(
        spec: .object(["podCIDRs": .list(.set)]),
        status: .object([
            "conditions": conditions,
            "addresses": .list(.keyed(["type"])),
        ]))
    static let namespace = resource(status: .object(["conditions": conditions]))
    static let serviceAccount = resource(extra: ["secrets": .list(.keyed(["name"]))])
    static let persistentVolumeClaim = resource(status: .object(["conditions": conditions]))
    static let plainResource: Node = resource()
}
