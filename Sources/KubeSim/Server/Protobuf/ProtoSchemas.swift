/// Field tables of the Kubernetes protobuf messages this server reads (from `k8s.io/api`
/// and `k8s.io/apimachinery` `generated.proto`): what kubectl's typed clients send —
/// `create namespace|configmap|secret|serviceaccount|deployment|role|rolebinding|…`,
/// `auth can-i`, `create token`.
enum ProtoSchemas {
    typealias F = ProtoField

    // MARK: apimachinery

    static let time = ProtoMessage("Time", [.int64(1, "seconds"), .int32(2, "nanos")])
    static let intOrString = ProtoMessage("IntOrString", [.int64(1, "type"), .int32(2, "intVal"), .string(3, "strVal")])
    static let quantity = ProtoMessage("Quantity", [.string(1, "string")])
    static let typeMeta = ProtoMessage("TypeMeta", [.string(1, "apiVersion"), .string(2, "kind")])
    static let unknown = ProtoMessage("Unknown", [
        .message(1, "typeMeta", typeMeta), F(number: 2, name: "raw", type: .bytes),
        .string(3, "contentEncoding"), .string(4, "contentType"),
    ])
    static let ownerReference = ProtoMessage("OwnerReference", [
        .string(1, "kind"), .string(3, "name"), .string(4, "uid"), .string(5, "apiVersion"),
        .bool(6, "controller", pointer: true), .bool(7, "blockOwnerDeletion", pointer: true),
    ])
    static let objectMeta = ProtoMessage("ObjectMeta", [
        .string(1, "name"), .string(2, "generateName"), .string(3, "namespace"), .string(4, "selfLink"),
        .string(5, "uid"), .string(6, "resourceVersion"), .int64(7, "generation"), .time(8, "creationTimestamp"),
        .time(9, "deletionTimestamp"), .int64(10, "deletionGracePeriodSeconds", pointer: true),
        .map(11, "labels"), .map(12, "annotations"), .messages(13, "ownerReferences", ownerReference),
        .strings(14, "finalizers"),
    ])
    static let labelSelectorRequirement = ProtoMessage("LabelSelectorRequirement", [
        .string(1, "key"), .string(2, "operator"), .strings(3, "values"),
    ])
    static let labelSelector = ProtoMessage("LabelSelector", [
        .map(1, "matchLabels"), .messages(2, "matchExpressions", labelSelectorRequirement),
    ])

    // MARK: core/v1

    static let namespaceSpec = ProtoMessage("NamespaceSpec", [.strings(1, "finalizers")])
    static let namespace = ProtoMessage("Namespace", [.message(1, "metadata", objectMeta), .message(2, "spec", namespaceSpec)])
    static let configMap = ProtoMessage("ConfigMap", [
        .message(1, "metadata", objectMeta), .map(2, "data"), .map(3, "binaryData", value: .bytes),
        .bool(4, "immutable", pointer: true),
    ])
    static let secret = ProtoMessage("Secret", [
        .message(1, "metadata", objectMeta), .map(2, "data", value: .bytes), .string(3, "type"),
        .map(4, "stringData"), .bool(5, "immutable", pointer: true),
    ])
    static let objectReference = ProtoMessage("ObjectReference", [
        .string(1, "kind"), .string(2, "namespace"), .string(3, "name"), .string(4, "uid"), .string(5, "apiVersion"),
        .string(6, "resourceVersion"), .string(7, "fieldPath"),
    ])
    static let localObjectReference = ProtoMessage("LocalObjectReference", [.string(1, "name")])
    static let serviceAccount = ProtoMessage("ServiceAccount", [
        .message(1, "metadata", objectMeta), .messages(2, "secrets", objectReference),
        .messages(3, "imagePullSecrets", localObjectReference), .bool(4, "automountServiceAccountToken", pointer: true),
    ])
    static let containerPort = ProtoMessage("ContainerPort", [
        .string(1, "name"), .int32(2, "hostPort"), .int32(3, "containerPort"), .string(4, "protocol"), .string(5, "hostIP"),
    ])
    static let resourceRequirements = ProtoMessage("ResourceRequirements", [
        .map(1, "limits", value: .quantity), .map(2, "requests", value: .quantity),
    ])
    static let envVar = ProtoMessage("EnvVar", [.string(1, "name"), .string(2, "value")])
    static let container = ProtoMessage("Container", [
        .string(1, "name"), .string(2, "image"), .strings(3, "command"), .strings(4, "args"), .string(5, "workingDir"),
        .messages(6, "ports", containerPort), .messages(7, "env", envVar), .message(8, "resources", resourceRequirements),
        .string(13, "terminationMessagePath"), .string(14, "imagePullPolicy"), .string(20, "terminationMessagePolicy"),
        .bool(16, "stdin"), .bool(17, "stdinOnce"), .bool(18, "tty"),
    ])
    static let podSpec = ProtoMessage("PodSpec", [
        .messages(2, "containers", container), .string(3, "restartPolicy"),
        .int64(4, "terminationGracePeriodSeconds", pointer: true), .int64(5, "activeDeadlineSeconds", pointer: true),
        .string(6, "dnsPolicy"), .map(7, "nodeSelector"), .string(8, "serviceAccountName"), .string(9, "serviceAccount"),
        .string(10, "nodeName"), .bool(11, "hostNetwork"), .messages(15, "imagePullSecrets", localObjectReference),
        .string(16, "hostname"), .string(17, "subdomain"), .string(19, "schedulerName"),
        .messages(20, "initContainers", container), .bool(21, "automountServiceAccountToken", pointer: true),
        .string(24, "priorityClassName"), .int32(25, "priority", pointer: true),
        .bool(30, "enableServiceLinks", pointer: true),
    ])
    static let podTemplateSpec = ProtoMessage("PodTemplateSpec", [.message(1, "metadata", objectMeta), .message(2, "spec", podSpec)])

    // MARK: apps/v1

    static let rollingUpdateDeployment = ProtoMessage("RollingUpdateDeployment", [
        F(number: 1, name: "maxUnavailable", type: .intOrString), F(number: 2, name: "maxSurge", type: .intOrString),
    ])
    static let deploymentStrategy = ProtoMessage("DeploymentStrategy", [
        .string(1, "type"), .message(2, "rollingUpdate", rollingUpdateDeployment),
    ])
    static let deploymentSpec = ProtoMessage("DeploymentSpec", [
        .int32(1, "replicas", pointer: true), .message(2, "selector", labelSelector), .message(3, "template", podTemplateSpec),
        .message(4, "strategy", deploymentStrategy), .int32(5, "minReadySeconds"),
        .int32(6, "revisionHistoryLimit", pointer: true), .bool(7, "paused"), .int32(9, "progressDeadlineSeconds", pointer: true),
    ])
    static let deploymentStatus = ProtoMessage("DeploymentStatus", [])
    static let deployment = ProtoMessage("Deployment", [
        .message(1, "metadata", objectMeta), .message(2, "spec", deploymentSpec), .message(3, "status", deploymentStatus),
    ])

    static let servicePort = ProtoMessage("ServicePort", [
        .string(1, "name"), .string(2, "protocol"), .int32(3, "port"), F(number: 4, name: "targetPort", type: .intOrString),
        .int32(5, "nodePort"), .string(6, "appProtocol"),
    ])
    static let serviceSpec = ProtoMessage("ServiceSpec", [
        .messages(1, "ports", servicePort), .map(2, "selector"), .string(3, "clusterIP"), .string(4, "type"),
        .strings(5, "externalIPs"), .string(7, "sessionAffinity"), .string(10, "externalName"),
        .string(11, "externalTrafficPolicy"), .bool(13, "publishNotReadyAddresses"),
        .string(17, "ipFamilyPolicy", keepsZero: false), .strings(18, "clusterIPs"), .strings(19, "ipFamilies"),
        .string(21, "loadBalancerClass"), .string(22, "internalTrafficPolicy"),
    ])
    static let service = ProtoMessage("Service", [.message(1, "metadata", objectMeta), .message(2, "spec", serviceSpec)])

    // MARK: batch/v1

    static let jobSpec = ProtoMessage("JobSpec", [
        .int32(1, "parallelism", pointer: true), .int32(2, "completions", pointer: true),
        .int64(3, "activeDeadlineSeconds", pointer: true), .message(4, "selector", labelSelector),
        .bool(5, "manualSelector", pointer: true), .message(6, "template", podTemplateSpec),
        .int32(7, "backoffLimit", pointer: true), .int32(8, "ttlSecondsAfterFinished", pointer: true),
        .string(9, "completionMode"), .bool(10, "suspend", pointer: true),
    ])
    static let job = ProtoMessage("Job", [.message(1, "metadata", objectMeta), .message(2, "spec", jobSpec)])
    static let cronJob = ProtoMessage("CronJob", [
        .message(1, "metadata", objectMeta),
        .message(2, "spec", ProtoMessage("CronJobSpec", [
            .string(1, "schedule"), .int64(2, "startingDeadlineSeconds", pointer: true), .string(3, "concurrencyPolicy"),
            .bool(4, "suspend", pointer: true),
            .message(5, "jobTemplate", ProtoMessage("JobTemplateSpec", [.message(1, "metadata", objectMeta), .message(2, "spec", jobSpec)])),
            .int32(6, "successfulJobsHistoryLimit", pointer: true), .int32(7, "failedJobsHistoryLimit", pointer: true),
            .string(8, "timeZone"),
        ])),
    ])

    // MARK: rbac/v1

    static let policyRule = ProtoMessage("PolicyRule", [
        .strings(1, "verbs"), .strings(2, "apiGroups"), .strings(3, "resources"), .strings(4, "resourceNames"),
        .strings(5, "nonResourceURLs"),
    ])
    static let subject = ProtoMessage("Subject", [.string(1, "kind"), .string(2, "apiGroup"), .string(3, "name"), .string(4, "namespace")])
    static let roleRef = ProtoMessage("RoleRef", [.string(1, "apiGroup"), .string(2, "kind"), .string(3, "name")])
    static let role = ProtoMessage("Role", [.message(1, "metadata", objectMeta), .messages(2, "rules", policyRule)])
    static let roleBinding = ProtoMessage("RoleBinding", [
        .message(1, "metadata", objectMeta), .messages(2, "subjects", subject), .message(3, "roleRef", roleRef),
    ])

    // MARK: authorization/v1, authentication/v1

    static let resourceAttributes = ProtoMessage("ResourceAttributes", [
        .string(1, "namespace"), .string(2, "verb"), .string(3, "group"), .string(4, "version"), .string(5, "resource"),
        .string(6, "subresource"), .string(7, "name"),
    ])
    static let nonResourceAttributes = ProtoMessage("NonResourceAttributes", [.string(1, "path"), .string(2, "verb")])
    static let extraValue = ProtoMessage("ExtraValue", [.strings(1, "items")])
    static let subjectAccessReviewSpec = ProtoMessage("SubjectAccessReviewSpec", [
        .message(1, "resourceAttributes", resourceAttributes), .message(2, "nonResourceAttributes", nonResourceAttributes),
        .string(3, "user"), .strings(4, "groups"), .string(6, "uid"),
    ])
    static let selfSubjectAccessReviewSpec = ProtoMessage("SelfSubjectAccessReviewSpec", [
        .message(1, "resourceAttributes", resourceAttributes), .message(2, "nonResourceAttributes", nonResourceAttributes),
    ])
    static let accessReviewStatus = ProtoMessage("SubjectAccessReviewStatus", [
        .bool(1, "allowed"), .string(2, "reason"), .string(3, "evaluationError"), .bool(4, "denied"),
    ])
    static let selfSubjectAccessReview = ProtoMessage("SelfSubjectAccessReview", [
        .message(1, "metadata", objectMeta), .message(2, "spec", selfSubjectAccessReviewSpec),
        .message(3, "status", accessReviewStatus),
    ])
    static let subjectAccessReview = ProtoMessage("SubjectAccessReview", [
        .message(1, "metadata", objectMeta), .message(2, "spec", subjectAccessReviewSpec),
        .message(3, "status", accessReviewStatus),
    ])
    static let selfSubjectRulesReview = ProtoMessage("SelfSubjectRulesReview", [
        .message(1, "metadata", objectMeta),
        .message(2, "spec", ProtoMessage("SelfSubjectRulesReviewSpec", [.string(1, "namespace")])),
    ])
    static let boundObjectReference = ProtoMessage("BoundObjectReference", [
        .string(1, "kind"), .string(2, "apiVersion"), .string(3, "name"), .string(4, "uid"),
    ])
    static let tokenRequest = ProtoMessage("TokenRequest", [
        .message(1, "metadata", objectMeta),
        .message(2, "spec", ProtoMessage("TokenRequestSpec", [
            .strings(1, "audiences"), .message(3, "boundObjectRef", boundObjectReference),
            .int64(4, "expirationSeconds", pointer: true),
        ])),
    ])
    static let selfSubjectReview = ProtoMessage("SelfSubjectReview", [.message(1, "metadata", objectMeta)])

    // MARK: what the other `kubectl create` generators send

    static let serviceBackendPort = ProtoMessage("ServiceBackendPort", [.string(1, "name"), .int32(2, "number")])
    static let ingressBackend = ProtoMessage("IngressBackend", [
        .message(4, "service", ProtoMessage("IngressServiceBackend", [.string(1, "name"), .message(2, "port", serviceBackendPort)])),
        .message(3, "resource", ProtoMessage("TypedLocalObjectReference", [
            .string(1, "apiGroup", keepsZero: true), .string(2, "kind"), .string(3, "name"),
        ])),
    ])
    static let httpIngressPath = ProtoMessage("HTTPIngressPath", [
        .string(1, "path"), .string(3, "pathType", keepsZero: true), .message(2, "backend", ingressBackend),
    ])
    static let ingressRule = ProtoMessage("IngressRule", [
        .string(1, "host"),
        // IngressRuleValue is inlined in JSON: `http` sits in the rule itself.
        .message(2, "", ProtoMessage("IngressRuleValue", [
            .message(1, "http", ProtoMessage("HTTPIngressRuleValue", [.messages(1, "paths", httpIngressPath)])),
        ])),
    ])
    static let ingress = ProtoMessage("Ingress", [
        .message(1, "metadata", objectMeta),
        .message(2, "spec", ProtoMessage("IngressSpec", [
            .string(4, "ingressClassName", keepsZero: true), .message(1, "defaultBackend", ingressBackend),
            .messages(2, "tls", ProtoMessage("IngressTLS", [.strings(1, "hosts"), .string(2, "secretName")])),
            .messages(3, "rules", ingressRule),
        ])),
    ])
    static let resourceQuota = ProtoMessage("ResourceQuota", [
        .message(1, "metadata", objectMeta),
        .message(2, "spec", ProtoMessage("ResourceQuotaSpec", [
            .map(1, "hard", value: .quantity), .strings(2, "scopes"),
            .message(3, "scopeSelector", ProtoMessage("ScopeSelector", [
                .messages(1, "matchExpressions", ProtoMessage("ScopedResourceSelectorRequirement", [
                    .string(1, "scopeName"), .string(2, "operator"), .strings(3, "values"),
                ])),
            ])),
        ])),
    ])
    static let priorityClass = ProtoMessage("PriorityClass", [
        .message(1, "metadata", objectMeta), .int32(2, "value", pointer: true), .bool(3, "globalDefault"),
        .string(4, "description"), .string(5, "preemptionPolicy", keepsZero: true),
    ])
    static let podDisruptionBudget = ProtoMessage("PodDisruptionBudget", [
        .message(1, "metadata", objectMeta),
        .message(2, "spec", ProtoMessage("PodDisruptionBudgetSpec", [
            F(number: 1, name: "minAvailable", type: .intOrString), .message(2, "selector", labelSelector),
            F(number: 3, name: "maxUnavailable", type: .intOrString), .string(4, "unhealthyPodEvictionPolicy", keepsZero: true),
        ])),
    ])

    /// The message of each `apiVersion/kind` this server reads.
    static let byKind: [String: ProtoMessage] = [
        "v1/Namespace": namespace, "v1/ConfigMap": configMap, "v1/Secret": secret, "v1/ServiceAccount": serviceAccount,
        "apps/v1/Deployment": deployment, "v1/Service": service, "batch/v1/Job": job, "batch/v1/CronJob": cronJob,
        "rbac.authorization.k8s.io/v1/Role": role, "rbac.authorization.k8s.io/v1/ClusterRole": role,
        "rbac.authorization.k8s.io/v1/RoleBinding": roleBinding, "rbac.authorization.k8s.io/v1/ClusterRoleBinding": roleBinding,
        "authorization.k8s.io/v1/SelfSubjectAccessReview": selfSubjectAccessReview,
        "authorization.k8s.io/v1/SubjectAccessReview": subjectAccessReview,
        "authorization.k8s.io/v1/LocalSubjectAccessReview": subjectAccessReview,
        "authorization.k8s.io/v1/SelfSubjectRulesReview": selfSubjectRulesReview,
        "authentication.k8s.io/v1/TokenRequest": tokenRequest,
        "authentication.k8s.io/v1/SelfSubjectReview": selfSubjectReview,
        "networking.k8s.io/v1/Ingress": ingress, "v1/ResourceQuota": resourceQuota,
        "scheduling.k8s.io/v1/PriorityClass": priorityClass, "policy/v1/PodDisruptionBudget": podDisruptionBudget,
    ]
}

/// Reads a `application/vnd.kubernetes.protobuf` body: the `k8s\0` magic, a
/// `runtime.Unknown` envelope naming the type, and the object's own message.
enum KubernetesProtobuf {
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func decode(_ body: [UInt8]) throws(ProtobufError) -> JSONValue {
        guard body.count >= 4, Array(body.prefix(4)) == magic else {
            throw .malformed("missing the k8s protobuf prefix")
        }
        let envelope = try ProtobufDecoder.decode(body, range: 4..<body.count, as: ProtoSchemas.unknown)
        let apiVersion = envelope["typeMeta"]["apiVersion"].stringValue ?? ""
        let kind = envelope["typeMeta"]["kind"].stringValue ?? ""
        guard let message = ProtoSchemas.byKind["\(apiVersion)/\(kind)"] else {
            throw .unsupported("this server does not read \(apiVersion) \(kind) in protobuf; send it as JSON (for example with kubectl apply -f)")
        }
        // `raw` was decoded as base64 text; locate its bytes again for the inner message.
        var reader = ProtobufReader(body, range: 4..<body.count)
        while !reader.atEnd {
            let (number, wireType) = try reader.tag()
            if number == 2, wireType == 2 {
                var object = try ProtobufDecoder.decode(body, range: try reader.lengthDelimited(), as: message)
                object["apiVersion"] = .string(apiVersion)
                object["kind"] = .string(kind)
                return object
            }
            try reader.skip(wireType: wireType)
        }
        throw .malformed("the envelope carries no object")
    }
}

import KubeClient
