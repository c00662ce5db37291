import KubeClient
@testable import KubeSim
import Testing

/// The built-in kinds' field lists: every one compiles, and what they keep and drop.
struct BuiltinSchemaTests {
    @Test func everyBuiltinSchemaCompiles() throws {
        for (key, source) in BuiltinSchemas.sources {
            do throws(SchemaError) {
                _ = try StructuralSchema(openAPIV3Schema: source)
            } catch {
                Issue.record("the schema of \(key) does not compile: \(error)")
            }
        }
        #expect(BuiltinSchemas.compiled.count == BuiltinSchemas.sources.count)
    }
}

extension BuiltinSchemaTests {
    /// A Deployment using fields from every level the tables list, and the open parts.
    static let fullDeployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "labels": ["app": "web"], "annotations": ["note": "x"]],
        "spec": [
            "replicas": 3, "minReadySeconds": 5, "revisionHistoryLimit": 4, "paused": false, "progressDeadlineSeconds": 90,
            "selector": ["matchLabels": ["app": "web"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["a"]]]],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "50%", "maxUnavailable": 0]],
            "template": [
                "metadata": ["labels": ["app": "web"], "annotations": ["prometheus.io/scrape": "true"]],
                "spec": [
                    "serviceAccountName": "web", "terminationGracePeriodSeconds": 10, "nodeSelector": ["disk": "ssd"],
                    "affinity": ["podAntiAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [["weight": 1]]]],
                    "securityContext": ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"]],
                    "tolerations": [["key": "k", "operator": "Exists", "effect": "NoSchedule"]],
                    "volumes": [["name": "cfg", "configMap": ["name": "web", "items": [["key": "a", "path": "a"]]]]],
                    "containers": [[
                        "name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent", "args": ["-v"],
                        "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
                        "env": [["name": "A", "value": "1"], ["name": "B", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
                        "envFrom": [["configMapRef": ["name": "web"]]],
                        "resources": ["limits": ["cpu": "500m", "memory": "256Mi"], "requests": ["cpu": 1]],
                        "readinessProbe": ["httpGet": ["path": "/healthz", "port": "http"], "periodSeconds": 5],
                        "livenessProbe": ["tcpSocket": ["port": 8080], "failureThreshold": 3],
                        "volumeMounts": [["name": "cfg", "mountPath": "/etc/web", "readOnly": true]],
                        "securityContext": ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]],
                        "lifecycle": ["preStop": ["exec": ["command": ["sleep", "5"]]]],
                    ]],
                ],
            ],
        ],
        "status": ["replicas": 3, "conditions": [["type": "Available", "status": "True"]]],
    ]

    @Test func aFullDeploymentKeepsEveryField() throws {
        let schema = try #require(BuiltinSchemas.schema(group: "apps", kind: "Deployment"))
        let (pruned, unknown) = schema.prune(Self.fullDeployment)
        #expect(unknown == [])
        #expect(pruned == Self.fullDeployment)
    }

    @Test func misspeltFieldsAreFoundAtEveryListedLevelWithTheirPaths() throws {
        let schema = try #require(BuiltinSchemas.schema(group: "apps", kind: "Deployment"))
        var typo = Self.fullDeployment
        typo["metadata"]["lables"] = ["a": "b"]
        typo["spec"]["replica"] = 2
        typo["spec"]["strategy"]["rollingUpdate"]["maxSurg"] = 1
        var container = typo["spec"]["template"]["spec"]["containers"][0]
        container["imagePullPolcy"] = "Always"
        container["readinessProbe"]["httpGet"]["paht"] = "/"
        typo["spec"]["template"]["spec"]["containers"] = [container]
        typo["spec"]["template"]["spec"]["contianers"] = []
        let (pruned, unknown) = schema.prune(typo)
        #expect(Set(unknown) == [
            "metadata.lables", "spec.replica", "spec.strategy.rollingUpdate.maxSurg",
            "spec.template.spec.containers[0].imagePullPolcy", "spec.template.spec.containers[0].readinessProbe.httpGet.paht",
            "spec.template.spec.contianers",
        ])
        #expect(pruned == Self.fullDeployment, "only the unknown fields are dropped")
    }

    @Test func kindsWithoutATableAreLeftAlone() {
        #expect(BuiltinSchemas.schema(group: "", kind: "Event") == nil)
        #expect(BuiltinSchemas.schema(group: "apps", kind: "Deployment") != nil)
    }
}
