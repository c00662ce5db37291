import Foundation
import KubeClient

@testable import AuditChecks

/// Builders for the objects the tests audit. The base workload is hardened: it passes
/// every check, so a test changes one thing and sees one check fail.
enum Fixtures {
    static let namespace = "shop"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let image = "ghcr.io/acme/app:1.2.3@" + digest

    /// The policy the fixture tests use: every check on, including the image checks that
    /// need an image policy.
    static let policy = AuditPolicy(
        imagePolicy: ImagePolicy(allowedRegistries: ["ghcr.io/acme"], requireDigest: true, forbidLatest: true))

    static func container(_ name: String = "app") -> JSONValue {
        [
            "name": .string(name), "image": .string(image), "imagePullPolicy": "IfNotPresent",
            "ports": [["containerPort": 8080]],
            "env": [["name": "LOG_LEVEL", "value": "info"]],
            "resources": [
                "limits": ["cpu": "500m", "memory": "256Mi"], "requests": ["cpu": "100m", "memory": "128Mi"],
            ],
            "livenessProbe": ["httpGet": ["path": "/healthz", "port": 8080]],
            "readinessProbe": ["httpGet": ["path": "/ready", "port": 8080]],
            "securityContext": [
                "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
                "runAsUser": 10001, "capabilities": ["drop": ["ALL"]],
            ],
        ]
    }

    static func podSpec() -> JSONValue {
        [
            "serviceAccountName": "app", "automountServiceAccountToken": false,
            "securityContext": ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"], "fsGroup": 10001],
            "containers": [container()],
        ]
    }

    static func meta(_ name: String, namespace: String? = Fixtures.namespace, labels: [String: String] = [:]) -> JSONValue {
        var meta: JSONValue = ["name": .string(name)]
        if let namespace { meta["namespace"] = .string(namespace) }
        if !labels.isEmpty { meta["labels"] = .object(labels.mapValues { .string($0) }) }
        return meta
    }

    static func deployment(_ name: String = "web", namespace: String = Fixtures.namespace, spec: JSONValue = podSpec()) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, namespace: namespace, labels: ["app": name]),
            "spec": ["replicas": 2, "template": ["metadata": ["labels": ["app": .string(name)]], "spec": spec]],
        ]
    }

    static func pod(_ name: String = "solo", namespace: String = Fixtures.namespace, spec: JSONValue = podSpec(), owner: (kind: String, name: String)? = nil) -> JSONValue {
        var metadata = meta(name, namespace: namespace, labels: ["app": name])
        if let owner {
            metadata["ownerReferences"] = [[
                "apiVersion": "apps/v1", "kind": .string(owner.kind), "name": .string(owner.name), "uid": "u-1",
                "controller": true,
            ]]
        }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec]
    }

    static func namespaceObject(_ name: String = Fixtures.namespace, labels: [String: String] = ["pod-security.kubernetes.io/enforce": "restricted"]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, namespace: nil, labels: labels)]
    }

    static func networkPolicy(namespace: String = Fixtures.namespace) -> JSONValue {
        [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("default-deny", namespace: namespace),
            "spec": ["podSelector": [:], "policyTypes": ["Ingress"]],
        ]
    }

    static func serviceAccount(_ name: String = "app", namespace: String = Fixtures.namespace, automount: Bool? = false) -> JSONValue {
        var object: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, namespace: namespace)]
        if let automount { object["automountServiceAccountToken"] = .bool(automount) }
        return object
    }

    static func service(_ name: String = "web", spec: JSONValue) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": meta(name), "spec": spec]
    }

    static func ingress(_ name: String = "web", spec: JSONValue) -> JSONValue {
        ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(name), "spec": spec]
    }

    static func rule(_ verbs: [String], _ resources: [String], groups: [String] = [""]) -> JSONValue {
        ["apiGroups": .array(groups.map { .string($0) }), "resources": .array(resources.map { .string($0) }), "verbs": .array(verbs.map { .string($0) })]
    }

    static func role(_ name: String = "app-role", cluster: Bool = false, rules: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(cluster ? "ClusterRole" : "Role"),
            "metadata": meta(name, namespace: cluster ? nil : namespace), "rules": .array(rules),
        ]
    }

    static func subject(_ kind: String, _ name: String, namespace: String? = nil) -> JSONValue {
        var subject: JSONValue = ["kind": .string(kind), "name": .string(name)]
        if let namespace { subject["namespace"] = .string(namespace) } else { subject["apiGroup"] = "rbac.authorization.k8s.io" }
        return subject
    }

    static func binding(
        _ name: String = "app-binding", cluster: Bool = false, role: String = "app-role", roleKind: String? = nil,
        subjects: [JSONValue]
    ) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(cluster ? "ClusterRoleBinding" : "RoleBinding"),
            "metadata": meta(name, namespace: cluster ? nil : namespace), "subjects": .array(subjects),
            "roleRef": [
                "apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind ?? (cluster ? "ClusterRole" : "Role")),
                "name": .string(role),
            ],
        ]
    }

    static func vulnerabilityReport(_ vulnerabilities: [JSONValue], workload: String = "web") -> JSONValue {
        [
            "apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport",
            "metadata": meta("replicaset-\(workload)-app", labels: [
                "trivy-operator.resource.kind": "Deployment", "trivy-operator.resource.name": workload,
                "trivy-operator.resource.namespace": namespace, "trivy-operator.container.name": "app",
            ]),
            "report": [
                "artifact": ["repository": "acme/app", "tag": "1.2.3"], "registry": ["server": "ghcr.io"],
                "vulnerabilities": .array(vulnerabilities),
            ],
        ]
    }

    static func cve(_ id: String, _ severity: String, package: String = "openssl", installed: String = "3.0.1", fixed: String = "3.0.8") -> JSONValue {
        ["vulnerabilityID": .string(id), "severity": .string(severity), "resource": .string(package), "installedVersion": .string(installed), "fixedVersion": .string(fixed)]
    }

    /// The surroundings every fixture is audited in: its namespace, labelled and with a
    /// NetworkPolicy, and its ServiceAccount.
    static func baseline() -> [JSONValue] {
        [namespaceObject(), networkPolicy(), serviceAccount()]
    }

    static func audit(_ objects: [JSONValue], policy: AuditPolicy = Fixtures.policy, now: Date = Date()) throws -> AuditReport {
        try AuditEngine().audit(AuditInventory(objects: baseline() + objects), policy: policy, now: now)
    }
}

extension JSONValue {
    /// Changes the first container of a pod spec.
    mutating func editContainer(_ index: Int = 0, _ edit: (inout JSONValue) -> Void) {
        var containers = self["containers"].arrayValue ?? []
        edit(&containers[index])
        self["containers"] = .array(containers)
    }
}

extension AuditReport {
    func findings(of checkID: String) -> [Finding] { findings.filter { $0.checkID == checkID } }
    var checkIDs: Set<String> { Set(findings.map(\.checkID)) }
}
