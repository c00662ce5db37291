import KubeClient

/// The fields of the built-in kinds users write most (workloads, Pods, Services,
/// ConfigMaps, Secrets, RBAC), as structural schemas, so a field the API does not have
/// is found the way kube-apiserver's strict decoding finds it: `kubectl apply` of a
/// Deployment with `spec.replica: 3` fails with `unknown field "spec.replica"` instead of
/// storing a field nothing reads.
///
/// The structures typos land in are listed field by field (object metadata, workload
/// specs, pod specs, containers, ports, probes, Service specs, RBAC rules); the deeper and
/// rarer ones (volume sources, affinity, security contexts, status) keep whatever they are
/// given. A kind without a schema here is stored as sent.
enum BuiltinSchemas {
    struct GroupKind: Hashable {
        var group: String
        var kind: String
    }

    /// Compiled schemas by group and kind (looked up on every built-in write).
    static let compiled: [GroupKind: StructuralSchema] = {
        var out: [GroupKind: StructuralSchema] = [:]
        for (key, schema) in sources {
            let slash = key.firstIndex(of: "/")!
            do throws(SchemaError) {
                out[GroupKind(group: String(key[..<slash]), kind: String(key[key.index(after: slash)...]))] =
                    try StructuralSchema(openAPIV3Schema: schema)
            } catch {
                // A mistake in the tables below; `BuiltinSchemaTests` fails on it.
                continue
            }
        }
        return out
    }()

    static func schema(group: String, kind: String) -> StructuralSchema? {
        compiled[GroupKind(group: group, kind: kind)]
    }

    // MARK: building blocks

    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let intOrString: JSONValue = ["x-kubernetes-int-or-string": true, "anyOf": [["type": "integer"], ["type": "string"]]]
    /// A structure whose fields are not listed here: kept as sent.
    static let open: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    static let stringMap: JSONValue = ["type": "object", "additionalProperties": ["type": "string"]]
    static let quantities: JSONValue = ["type": "object", "additionalProperties": intOrString]
    static let strings = list(string)

    static func object(_ properties: [String: JSONValue]) -> JSONValue {
        ["type": "object", "properties": .object(properties)]
    }

    static func list(_ item: JSONValue) -> JSONValue {
        ["type": "array", "items": item]
    }

    /// A kind with a spec and a status the server and controllers write. (Every kind's
    /// apiVersion, kind and metadata are known to the pruner at the root of a resource.)
    static func workload(_ spec: JSONValue) -> JSONValue {
        object(["spec": spec, "status": open])
    }

    // MARK: shared structures

    /// Object metadata below the root (pod templates, job templates): the fields the pruner
    /// keeps in a resource's own metadata.
    static let objectMeta = object(Dictionary(uniqueKeysWithValues: SchemaPruning.objectMetaFields.map { ($0, open) }))

    static let labelSelector = object([
        "matchLabels": stringMap,
        "matchExpressions": list(object(["key": string, "operator": string, "values": strings])),
    ])

    static let httpGet = object([
        "path": string, "port": intOrString, "host": string, "scheme": string,
        "httpHeaders": list(object(["name": string, "value": string])),
    ])

    static let probe = object([
        "exec": object(["command": strings]), "httpGet": httpGet,
        "tcpSocket": object(["port": intOrString, "host": string]),
        "grpc": object(["port": integer, "service": string]),
        "initialDelaySeconds": integer, "timeoutSeconds": integer, "periodSeconds": integer,
        "successThreshold": integer, "failureThreshold": integer, "terminationGracePeriodSeconds": integer,
    ])

    static let container = object([
        "name": string, "image": string, "command": strings, "args": strings, "workingDir": string,
        "ports": list(object(["containerPort": integer, "hostPort": integer, "hostIP": string, "name": string, "protocol": string])),
        "envFrom": list(object(["prefix": string, "configMapRef": open, "secretRef": open])),
        "env": list(object(["name": string, "value": string, "valueFrom": open])),
        "resources": object(["limits": quantities, "requests": quantities, "claims": list(open)]),
        "resizePolicy": list(object(["resourceName": string, "restartPolicy": string])),
        "restartPolicy": string,
        "restartPolicyRules": list(open),
        "volumeMounts": list(object([
            "name": string, "readOnly": boolean, "recursiveReadOnly": string, "mountPath": string,
            "subPath": string, "mountPropagation": string, "subPathExpr": string,
        ])),
        "volumeDevices": list(object(["name": string, "devicePath": string])),
        "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe,
        "lifecycle": open,
        "terminationMessagePath": string, "terminationMessagePolicy": string, "imagePullPolicy": string,
        "securityContext": open, "stdin": boolean, "stdinOnce": boolean, "tty": boolean,
    ])

    static let podSpec = object([
        "activeDeadlineSeconds": integer, "affinity": open, "automountServiceAccountToken": boolean,
        "containers": list(container), "dnsConfig": open, "dnsPolicy": string, "enableServiceLinks": boolean,
        "ephemeralContainers": list(open), "hostAliases": list(object(["ip": string, "hostnames": strings])),
        "hostIPC": boolean, "hostNetwork": boolean, "hostPID": boolean, "hostUsers": boolean, "hostname": string,
        "hostnameOverride": string,
        "imagePullSecrets": list(object(["name": string])), "initContainers": list(container), "nodeName": string,
        "nodeSelector": stringMap, "os": object(["name": string]), "overhead": quantities, "preemptionPolicy": string,
        "priority": integer, "priorityClassName": string, "readinessGates": list(object(["conditionType": string])),
        "resourceClaims": list(open), "resources": open, "restartPolicy": string, "runtimeClassName": string,
        "schedulerName": string, "schedulingGates": list(object(["name": string])), "securityContext": open,
        "serviceAccount": string, "serviceAccountName": string, "setHostnameAsFQDN": boolean,
        "shareProcessNamespace": boolean, "subdomain": string, "terminationGracePeriodSeconds": integer,
        "tolerations": list(object(["key": string, "operator": string, "value": string, "effect": string, "tolerationSeconds": integer])),
        "topologySpreadConstraints": list(open), "volumes": list(open),
    ])

    static let podTemplate = object(["metadata": objectMeta, "spec": podSpec])

    static let jobSpec = object([
        "parallelism": integer, "completions": integer, "activeDeadlineSeconds": integer, "podFailurePolicy": open,
        "successPolicy": open, "backoffLimit": integer, "backoffLimitPerIndex": integer, "maxFailedIndexes": integer,
        "selector": labelSelector, "manualSelector": boolean, "template": podTemplate, "ttlSecondsAfterFinished": integer,
        "completionMode": string, "suspend": boolean, "podReplacementPolicy": string, "managedBy": string,
    ])

    static let policyRule = object([
        "verbs": strings, "apiGroups": strings, "resources": strings, "resourceNames": strings, "nonResourceURLs": strings,
    ])

    static let subject = object(["kind": string, "apiGroup": string, "name": string, "namespace": string])
    static let roleRef = object(["apiGroup": string, "kind": string, "name": string])

    // MARK: the kinds

    static let sources: [String: JSONValue] = [
        "/Pod": workload(podSpec),
        "/PodTemplate": object(["template": podTemplate]),
        "/Service": workload(object([
            "ports": list(object([
                "name": string, "protocol": string, "appProtocol": string, "port": integer,
                "targetPort": intOrString, "nodePort": integer,
            ])),
            "selector": stringMap, "clusterIP": string, "clusterIPs": strings, "type": string, "externalIPs": strings,
            "sessionAffinity": string, "loadBalancerIP": string, "loadBalancerSourceRanges": strings,
            "externalName": string, "externalTrafficPolicy": string, "healthCheckNodePort": integer,
            "publishNotReadyAddresses": boolean, "sessionAffinityConfig": open, "ipFamilies": strings,
            "ipFamilyPolicy": string, "allocateLoadBalancerNodePorts": boolean, "loadBalancerClass": string,
            "internalTrafficPolicy": string, "trafficDistribution": string,
        ])),
        "/ConfigMap": object(["data": stringMap, "binaryData": stringMap, "immutable": boolean]),
        "/Secret": object(["data": stringMap, "stringData": stringMap, "type": string, "immutable": boolean]),
        "/ServiceAccount": object([
            "secrets": list(open), "imagePullSecrets": list(object(["name": string])), "automountServiceAccountToken": boolean,
        ]),
        "/Namespace": object(["spec": object(["finalizers": strings]), "status": open]),
        "apps/Deployment": workload(object([
            "replicas": integer, "selector": labelSelector, "template": podTemplate,
            "strategy": object(["type": string, "rollingUpdate": object(["maxUnavailable": intOrString, "maxSurge": intOrString])]),
            "minReadySeconds": integer, "revisionHistoryLimit": integer, "paused": boolean, "progressDeadlineSeconds": integer,
        ])),
        "apps/ReplicaSet": workload(object([
            "replicas": integer, "minReadySeconds": integer, "selector": labelSelector, "template": podTemplate,
        ])),
        "apps/StatefulSet": workload(object([
            "replicas": integer, "selector": labelSelector, "template": podTemplate, "volumeClaimTemplates": list(open),
            "serviceName": string, "podManagementPolicy": string,
            "updateStrategy": object(["type": string, "rollingUpdate": object(["partition": integer, "maxUnavailable": intOrString])]),
            "revisionHistoryLimit": integer, "minReadySeconds": integer,
            "persistentVolumeClaimRetentionPolicy": object(["whenDeleted": string, "whenScaled": string]),
            "ordinals": object(["start": integer]),
        ])),
        "apps/DaemonSet": workload(object([
            "selector": labelSelector, "template": podTemplate,
            "updateStrategy": object(["type": string, "rollingUpdate": object(["maxUnavailable": intOrString, "maxSurge": intOrString])]),
            "minReadySeconds": integer, "revisionHistoryLimit": integer,
        ])),
        "batch/Job": workload(jobSpec),
        "batch/CronJob": workload(object([
            "schedule": string, "timeZone": string, "startingDeadlineSeconds": integer, "concurrencyPolicy": string,
            "suspend": boolean, "jobTemplate": object(["metadata": objectMeta, "spec": jobSpec]),
            "successfulJobsHistoryLimit": integer, "failedJobsHistoryLimit": integer,
        ])),
        "autoscaling/HorizontalPodAutoscaler": workload(object([
            "scaleTargetRef": object(["apiVersion": string, "kind": string, "name": string]),
            "minReplicas": integer, "maxReplicas": integer, "metrics": list(open), "behavior": open,
        ])),
        "policy/PodDisruptionBudget": workload(object([
            "minAvailable": intOrString, "maxUnavailable": intOrString, "selector": labelSelector,
            "unhealthyPodEvictionPolicy": string,
        ])),
        "networking.k8s.io/Ingress": workload(object([
            "ingressClassName": string, "defaultBackend": open,
            "tls": list(object(["hosts": strings, "secretName": string])),
            "rules": list(object([
                "host": string,
                "http": object(["paths": list(object(["path": string, "pathType": string, "backend": open]))]),
            ])),
        ])),
        "networking.k8s.io/IngressClass": object(["spec": object(["controller": string, "parameters": open])]),
        "networking.k8s.io/NetworkPolicy": object(["spec": object([
            "podSelector": labelSelector, "ingress": list(open), "egress": list(open), "policyTypes": strings,
        ])]),
        "/PersistentVolumeClaim": workload(object([
            "accessModes": strings, "dataSource": open, "dataSourceRef": open,
            "resources": object(["limits": quantities, "requests": quantities]), "selector": labelSelector,
            "storageClassName": string, "volumeAttributesClassName": string, "volumeMode": string, "volumeName": string,
        ])),
        "/ResourceQuota": workload(object(["hard": quantities, "scopes": strings, "scopeSelector": open])),
        "/LimitRange": object(["spec": object(["limits": list(open)])]),
        "coordination.k8s.io/Lease": object(["spec": object([
            "acquireTime": string, "holderIdentity": string, "leaseDurationSeconds": integer, "leaseTransitions": integer,
            "preferredHolder": string, "renewTime": string, "strategy": string,
        ])]),
        "scheduling.k8s.io/PriorityClass": object([
            "value": integer, "globalDefault": boolean, "description": string, "preemptionPolicy": string,
        ]),
        "storage.k8s.io/StorageClass": object([
            "provisioner": string, "parameters": stringMap, "reclaimPolicy": string, "mountOptions": strings,
            "allowVolumeExpansion": boolean, "volumeBindingMode": string, "allowedTopologies": list(open),
        ]),
        "rbac.authorization.k8s.io/Role": object(["rules": list(policyRule)]),
        "rbac.authorization.k8s.io/ClusterRole": object(["rules": list(policyRule), "aggregationRule": open]),
        "rbac.authorization.k8s.io/RoleBinding": object(["subjects": list(subject), "roleRef": roleRef]),
        "rbac.authorization.k8s.io/ClusterRoleBinding": object(["subjects": list(subject), "roleRef": roleRef]),
    ]
}

/// Unknown fields in built-in kinds (and keys the body repeated), handled as `fieldValidation` asks: `Strict` refuses
/// the write with kube-apiserver's strict-decoding message, `Warn` (the default) answers
/// with a warning per field, `Ignore` says nothing. The fields are dropped in the last two
/// cases, as decoding into the typed object drops them on a real server.
public struct BuiltinFieldValidation: AdmissionPlugin {
    public init() {}

    public func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError) {
        guard !request.type.isCustom, request.subresource == nil else { return }
        // Kinds without a table are checked for repeated keys only.
        let (pruned, unknown) = BuiltinSchemas.schema(group: request.type.group, kind: request.type.kind)?.pruneUnknown(object) ?? (object, [])
        let duplicates = request.options.duplicateFields
        guard !unknown.isEmpty || !duplicates.isEmpty else { return }
        let version = object["apiVersion"].stringValue?.split(separator: "/").last.map(String.init) ?? request.type.storageVersion
        try UnknownFields.handle(unknown, duplicates: duplicates, kind: request.type.kind, version: version,
                                 validation: request.options.fieldValidation, warnings: &warnings)
        object = pruned
    }
}
