import Foundation
import Testing
@testable import KubeClient

@Suite struct ModelViewTests {
    let deploymentJSON = #"""
    {"apiVersion":"apps/v1","kind":"Deployment",
     "metadata":{"name":"web","namespace":"shop","uid":"u-1","resourceVersion":"42","generation":3,
       "creationTimestamp":"2024-05-01T10:00:00Z","labels":{"app":"web","team":"a"},
       "annotations":{"deployment.kubernetes.io/revision":"2"},
       "managedFields":[{"manager":"kubectl","operation":"Apply"}],
       "x-future-meta":true},
     "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
       "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},
       "template":{"metadata":{"labels":{"app":"web"}},
         "spec":{"containers":[{"name":"web","image":"nginx:1.26",
             "resources":{"requests":{"cpu":"250m","memory":"128Mi"},"limits":{"memory":"1Gi"}},
             "readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":5},
             "ports":[{"name":"http","containerPort":8080}],
             "env":[{"name":"MODE","value":"prod"},{"name":"PW","valueFrom":{"secretKeyRef":{"name":"s","key":"pw"}}}],
             "securityContext":{"runAsNonRoot":true,"seLinuxOptions":{"level":"s0"}},
             "terminationMessagePath":"/dev/termination-log"},
           {"name":"sidecar","image":"envoy:1","x-unknown-container-field":{"keep":1}}],
           "dnsConfig":{"nameservers":["1.1.1.1"]},
           "restartPolicy":"Always"}},
       "revisionHistoryLimit":10,"someFutureSpecField":"keep"},
     "status":{"observedGeneration":3,"replicas":3,"updatedReplicas":3,"readyReplicas":3,"availableReplicas":3,
       "conditions":[{"type":"Available","status":"True","lastUpdateTime":"2024-05-01T10:00:00Z",
         "lastTransitionTime":"2024-05-01T10:00:00Z","reason":"MinimumReplicasAvailable","message":"ok"}]}}
    """#

    @Test func deploymentViewReadsWhatOperatorsNeed() throws {
        let raw = try JSONValue(parsing: deploymentJSON)
        let d = try Deployment(json: raw)
        #expect(d.metadata.name == "web")
        #expect(d.metadata.generation == 3)
        #expect(d.metadata.creationTimestamp == KubeTime("2024-05-01T10:00:00Z"))
        #expect(d.spec.replicas == 3)
        #expect(d.spec.selector?.matches(["app": "web"]) == true)
        #expect(d.spec.strategy?.rollingUpdate?.maxSurge == .string("25%"))
        let web = d.spec.template.spec.containers[0]
        #expect(web.resources?.requests?["cpu"]?.milliValue == 250)
        #expect(web.resources?.limits?["memory"] == Quantity(bytes: 1 << 30))
        #expect(web.readinessProbe?.httpGet?.port == .string("http"))
        #expect(web.envValue("MODE") == "prod")
        #expect(web.securityContext?.runAsNonRoot == true)
        #expect(d.status.conditions?.isTrue("Available") == true)
        #expect(d.isRolloutComplete)
        #expect(d.key == "shop/web")
        #expect(Deployment.groupVersionResource.path(namespace: "shop", name: "web", subresource: "scale")
            == "/apis/apps/v1/namespaces/shop/deployments/web/scale")
    }

    @Test func unknownFieldsSurviveViewAndMerge() throws {
        let raw = try JSONValue(parsing: deploymentJSON)
        var d = try Deployment(json: raw)
        d.spec.replicas = 5
        d.spec.template.spec.containers[0].image = "nginx:1.27"
        d.metadata.labels?["team"] = nil
        d.metadata.labels?["tier"] = "front"
        d.status.conditions?.set(Condition(type: "Progressing", status: .true, reason: "NewReplicaSetAvailable"))
        let merged = try d.merged(into: raw)

        #expect(merged["spec"]["replicas"] == 5)
        #expect(merged["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27")
        #expect(merged["metadata"]["labels"] == ["app": "web", "tier": "front"], "a label removed in the view is removed")
        // Fields the view does not declare are kept, at every depth.
        #expect(merged["metadata"]["x-future-meta"] == true)
        #expect(merged["metadata"]["managedFields"] == raw["metadata"]["managedFields"])
        #expect(merged["spec"]["someFutureSpecField"] == "keep")
        #expect(merged["spec"]["template"]["spec"]["dnsConfig"] == ["nameservers": ["1.1.1.1"]])
        #expect(merged["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] == "/dev/termination-log")
        #expect(merged["spec"]["template"]["spec"]["containers"][0]["securityContext"]["seLinuxOptions"] == ["level": "s0"])
        #expect(merged["spec"]["template"]["spec"]["containers"][1]["x-unknown-container-field"] == ["keep": 1])
        #expect(merged["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "250m")
        #expect(merged["status"]["conditions"][0]["lastUpdateTime"] == "2024-05-01T10:00:00Z")
        #expect(merged["status"]["conditions"][1]["type"] == "Progressing")
        #expect(merged["status"]["conditions"][1]["lastTransitionTime"].stringValue != nil)
        // Nothing else changed.
        var expected = raw
        expected[path: ["spec", "replicas"]] = 5
        #expect(JSONValue.mergePatch(from: expected, to: merged)["metadata"] == ["labels": ["team": nil, "tier": "front"]])

        // An untouched view merges back to exactly the original.
        #expect(try Deployment(json: raw).merged(into: raw) == raw)
    }

    @Test func podStatusStates() throws {
        let raw: JSONValue = try JSONValue(yaml: """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: shop}
            spec:
              containers:
              - name: web
                image: web:1
                livenessProbe: {tcpSocket: {port: 8080}, failureThreshold: 3}
                startupProbe: {exec: {command: [cat, /tmp/ready]}}
            status:
              phase: Running
              podIP: 10.0.0.7
              startTime: "2024-05-01T10:00:00Z"
              conditions:
              - {type: Ready, status: "False", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:01:00Z"}
              containerStatuses:
              - name: web
                ready: false
                restartCount: 4
                image: web:1
                state: {waiting: {reason: CrashLoopBackOff, message: back-off 40s}}
                lastState: {terminated: {exitCode: 137, reason: OOMKilled, finishedAt: "2024-05-01T10:00:50Z"}}
              - name: init
                ready: true
                restartCount: 0
                state: {running: {startedAt: "2024-05-01T10:00:01Z"}}
            """)
        let pod = try Pod(json: raw)
        #expect(pod.status.phase == "Running")
        #expect(!pod.isReady)
        #expect(pod.restartCount == 4)
        let web = try #require(pod.status.containerStatuses?.first)
        #expect(web.state?.waiting?.reason == "CrashLoopBackOff")
        #expect(web.lastState?.terminated?.reason == "OOMKilled")
        #expect(web.lastState?.terminated?.exitCode == 137)
        #expect(web.problemReason == "CrashLoopBackOff")
        #expect(pod.status.containerStatuses?[1].state?.running?.startedAt == KubeTime("2024-05-01T10:00:01Z"))
        #expect(pod.spec.containers[0].livenessProbe?.tcpSocket?.port == .int(8080))
        #expect(pod.spec.containers[0].startupProbe?.exec?.command == ["cat", "/tmp/ready"])
        #expect(Pod.groupVersionResource.path(namespace: "shop", name: "web-1", subresource: "log") == "/api/v1/namespaces/shop/pods/web-1/log")
    }

    @Test func leaseMicroTimeRoundTrip() throws {
        let raw: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "opsagent-leader", "namespace": "opsagent-system"],
            "spec": [
                "holderIdentity": "pod-a", "leaseDurationSeconds": 15,
                "acquireTime": "2024-05-01T10:00:00.000000Z", "renewTime": "2024-05-01T10:00:07.123456Z",
                "leaseTransitions": 2,
            ],
        ]
        var lease = try Lease(json: raw)
        #expect(lease.spec.renewTime == MicroTime("2024-05-01T10:00:07.123456Z"))
        #expect(try lease.merged(into: raw) == raw)
        lease.spec.renewTime = MicroTime(Date(timeIntervalSince1970: 1_714_557_612.5))
        #expect(try lease.json()["spec"]["renewTime"] == "2024-05-01T10:00:12.500000Z")
    }

    @Test func everyKindHasItsCoordinates() throws {
        let kinds: [(any KubeObject.Type, String, String, Bool, String)] = [
            (Deployment.self, "apps/v1", "deployments", true, "/apis/apps/v1/namespaces/ns/deployments/x"),
            (ReplicaSet.self, "apps/v1", "replicasets", true, "/apis/apps/v1/namespaces/ns/replicasets/x"),
            (Pod.self, "v1", "pods", true, "/api/v1/namespaces/ns/pods/x"),
            (Service.self, "v1", "services", true, "/api/v1/namespaces/ns/services/x"),
            (Endpoints.self, "v1", "endpoints", true, "/api/v1/namespaces/ns/endpoints/x"),
            (Event.self, "v1", "events", true, "/api/v1/namespaces/ns/events/x"),
            (Lease.self, "coordination.k8s.io/v1", "leases", true, "/apis/coordination.k8s.io/v1/namespaces/ns/leases/x"),
            (ConfigMap.self, "v1", "configmaps", true, "/api/v1/namespaces/ns/configmaps/x"),
            (Secret.self, "v1", "secrets", true, "/api/v1/namespaces/ns/secrets/x"),
            (Namespace.self, "v1", "namespaces", false, "/api/v1/namespaces/x"),
            (Node.self, "v1", "nodes", false, "/api/v1/nodes/x"),
            (NetworkPolicy.self, "networking.k8s.io/v1", "networkpolicies", true, "/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/x"),
            (Role.self, "rbac.authorization.k8s.io/v1", "roles", true, "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/roles/x"),
            (ClusterRole.self, "rbac.authorization.k8s.io/v1", "clusterroles", false, "/apis/rbac.authorization.k8s.io/v1/clusterroles/x"),
            (RoleBinding.self, "rbac.authorization.k8s.io/v1", "rolebindings", true, "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings/x"),
            (ClusterRoleBinding.self, "rbac.authorization.k8s.io/v1", "clusterrolebindings", false, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/x"),
            (ServiceAccount.self, "v1", "serviceaccounts", true, "/api/v1/namespaces/ns/serviceaccounts/x"),
            (HorizontalPodAutoscaler.self, "autoscaling/v2", "horizontalpodautoscalers", true, "/apis/autoscaling/v2/namespaces/ns/horizontalpodautoscalers/x"),
            (PodDisruptionBudget.self, "policy/v1", "poddisruptionbudgets", true, "/apis/policy/v1/namespaces/ns/poddisruptionbudgets/x"),
            (Ingress.self, "networking.k8s.io/v1", "ingresses", true, "/apis/networking.k8s.io/v1/namespaces/ns/ingresses/x"),
            (Job.self, "batch/v1", "jobs", true, "/apis/batch/v1/namespaces/ns/jobs/x"),
            (CronJob.self, "batch/v1", "cronjobs", true, "/apis/batch/v1/namespaces/ns/cronjobs/x"),
        ]
        for (type, apiVersion, plural, namespaced, path) in kinds {
            #expect(type.apiVersion == apiVersion)
            #expect(type.plural == plural)
            #expect(type.namespaced == namespaced)
            #expect(type.groupVersionResource.path(namespace: namespaced ? "ns" : nil, name: "x") == path)
            // Every view decodes from an object with only apiVersion/kind/metadata.
            let minimal: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(type.kind), "metadata": ["name": "x"]]
            if type != RoleBinding.self && type != ClusterRoleBinding.self {
                let view = try minimal.decode(type)
                #expect(view.metadata.name == "x")
            }
        }
        let fresh = try Deployment(metadata: ObjectMeta(name: "x", namespace: "ns")).json()
        #expect(fresh["apiVersion"] == "apps/v1")
        #expect(fresh["kind"] == "Deployment")
        #expect(fresh.objectValue?["status"] == nil, "an empty status is left out")
        #expect(GroupVersionResource(group: "", version: "v1", resource: "pods").path() == "/api/v1/pods")
        #expect(GroupVersionResource(group: "apps", version: "v1", resource: "deployments").path(namespace: "a b", name: "x/y")
            == "/apis/apps/v1/namespaces/a%20b/deployments/x%2Fy")
        #expect(GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment").groupKind == "Deployment.apps")
    }

    @Test func viewsOfOtherKinds() throws {
        let hpa = try JSONValue(yaml: """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 2
              maxReplicas: 10
              metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
            """).decode(HorizontalPodAutoscaler.self)
        #expect(hpa.spec.scaleTargetRef.name == "web")
        #expect(hpa.spec.metrics == [.resource("cpu", averageUtilization: 70)])

        let pdb = try JSONValue(yaml: "metadata: {name: p}\nspec: {minAvailable: 50%, selector: {matchLabels: {app: web}}}")
            .decode(PodDisruptionBudget.self)
        #expect(pdb.spec.minAvailable?.scaledValue(total: 5, roundUp: true) == 3)

        let secret = try JSONValue(yaml: "metadata: {name: s}\ntype: Opaque\ndata: {password: aHVudGVyMg==}").decode(Secret.self)
        #expect(secret.string(forKey: "password") == "hunter2")

        let role = try JSONValue(yaml: """
            metadata: {name: r}
            rules:
            - {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
            - {apiGroups: ["apps"], resources: ["*"], verbs: ["*"]}
            """).decode(Role.self)
        #expect(role.rules?[0].allows(verb: "list", group: "", resource: "pods") == true)
        #expect(role.rules?[0].allows(verb: "delete", group: "", resource: "pods") == false)
        #expect(role.rules?[1].allows(verb: "patch", group: "apps", resource: "deployments") == true)

        let np = try JSONValue(yaml: """
            metadata: {name: deny}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress:
              - from: [{namespaceSelector: {matchLabels: {team: a}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
                ports: [{protocol: TCP, port: 443}]
            """).decode(NetworkPolicy.self)
        #expect(np.spec.podSelector.isEverything)
        #expect(np.spec.ingress?[0].from?[1].ipBlock?.cidr == "10.0.0.0/8")

        let ingress = try JSONValue(yaml: """
            metadata: {name: web}
            spec:
              ingressClassName: nginx
              tls: [{hosts: [shop.example.com], secretName: tls}]
              rules:
              - host: shop.example.com
                http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
            """).decode(Ingress.self)
        #expect(ingress.spec.rules?[0].http?.paths[0].backend.service?.port?.number == 80)

        let cron = try JSONValue(yaml: """
            metadata: {name: audit}
            spec:
              schedule: "0 * * * *"
              concurrencyPolicy: Forbid
              jobTemplate: {spec: {backoffLimit: 2, template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}
            status: {lastScheduleTime: "2024-05-01T10:00:00Z"}
            """).decode(CronJob.self)
        #expect(cron.spec.schedule == "0 * * * *")
        #expect(cron.spec.jobTemplate.spec.backoffLimit == 2)

        let node = try JSONValue(yaml: """
            metadata: {name: n1}
            spec: {taints: [{key: dedicated, value: ops, effect: NoSchedule}]}
            status:
              capacity: {cpu: "4", memory: 16Gi, pods: "110"}
              conditions: [{type: Ready, status: "True", lastHeartbeatTime: "2024-05-01T10:00:00Z"}]
              nodeInfo: {kubeletVersion: v1.32.0}
            """).decode(Node.self)
        #expect(node.isReady)
        #expect(node.status.capacity?["memory"] == Quantity(bytes: 16 << 30))

        let event = try JSONValue(yaml: """
            metadata: {name: web.17c, namespace: shop}
            involvedObject: {kind: Pod, name: web-1, namespace: shop}
            reason: BackOff
            type: Warning
            count: 7
            firstTimestamp: "2024-05-01T10:00:00Z"
            source: {component: kubelet}
            """).decode(Event.self)
        #expect(event.involvedObject.name == "web-1")
        #expect(event.count == 7)
    }

    @Test func conditionsSetLikeKubernetes() {
        var conditions: [Condition] = []
        let t0 = KubeTime(Date(timeIntervalSince1970: 1_000))
        let t1 = KubeTime(Date(timeIntervalSince1970: 2_000))
        let changed1 = conditions.set(Condition(type: "Ready", status: .false, reason: "Starting"), now: t0)
        #expect(changed1)
        let changed2 = conditions.set(Condition(type: "Ready", status: .false, reason: "Starting"), now: t1)
        #expect(!changed2, "no change")
        let changed3 = conditions.set(Condition(type: "Ready", status: .false, reason: "Waiting"), now: t1)
        #expect(changed3)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == t0, "same status keeps the transition time")
        let changed4 = conditions.set(Condition(type: "Ready", status: .true, reason: "Done"), now: t1)
        #expect(changed4)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == t1)
        let changed5 = conditions.remove(type: "Ready")
        #expect(changed5)
        #expect(conditions.isEmpty)

        var meta = ObjectMeta(name: "x")
        let changed6 = meta.addFinalizer("opsagent.dev/cleanup")
        #expect(changed6)
        let changed7 = meta.addFinalizer("opsagent.dev/cleanup")
        #expect(!changed7)
        let changed8 = meta.removeFinalizer("opsagent.dev/cleanup")
        #expect(changed8)
        #expect(meta.finalizers == [])
    }
}
