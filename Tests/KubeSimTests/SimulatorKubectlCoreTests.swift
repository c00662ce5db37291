import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// kubectl 1.32 against the simulator: the everyday verbs on built-in kinds.
@Suite("Simulator with kubectl: built-in kinds")
struct SimulatorKubectlCoreTests {
    static let shared = SharedSimulator()

    func kubectl() async throws -> Kubectl {
        Kubectl(kubeconfig: try await Self.shared.get().kubeconfigPath)
    }

    @Test("get namespaces lists the system namespaces with their status")
    func getNamespaces() async throws {
        let result = try await kubectl().run("get", "namespaces")
        #expect(result.succeeded, "\(result)")
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            #expect(result.stdout.contains(name), "\(result)")
        }
    }

    @Test("apply creates a ConfigMap, get -o yaml shows it, apply again updates it, delete removes it")
    func configMapLifecycle() async throws {
        let kubectl = try await kubectl()
        let manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: default
              labels: {app: demo}
            data:
              mode: blue
            """
        var result = try await kubectl.run("apply", "-f", "-", input: manifest)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("configmap/settings created"), "\(result)")

        result = try await kubectl.run("get", "configmap", "settings", "-o", "yaml")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("mode: blue"))
        #expect(result.stdout.contains("kubectl.kubernetes.io/last-applied-configuration"))
        #expect(result.stdout.contains("resourceVersion:"))
        #expect(result.stdout.contains("uid:"))

        result = try await kubectl.run("apply", "-f", "-", input: manifest.replacingOccurrences(of: "mode: blue", with: "mode: green"))
        #expect(result.stdout.contains("configmap/settings configured"), "\(result)")
        result = try await kubectl.run("get", "configmap", "settings", "-o", "jsonpath={.data.mode}")
        #expect(result.stdout == "green", "\(result)")

        result = try await kubectl.run("get", "configmaps", "-l", "app=demo", "-o", "name")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "configmap/settings", "\(result)")

        result = try await kubectl.run("delete", "configmap", "settings")
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("get", "configmap", "settings")
        #expect(!result.succeeded)
        #expect(result.stderr.contains("configmaps \"settings\" not found"), "\(result)")
    }

    @Test("creating into a missing namespace fails with namespaces \"x\" not found")
    func missingNamespace() async throws {
        let result = try await kubectl().run("create", "configmap", "orphan", "-n", "does-not-exist")
        #expect(!result.succeeded)
        #expect(result.stderr.contains("namespaces \"does-not-exist\" not found"), "\(result)")
    }

    @Test("deleting a namespace deletes what is in it and then the namespace")
    func namespaceCascade() async throws {
        let kubectl = try await kubectl()
        #expect(try await kubectl.run("create", "namespace", "doomed").succeeded)
        #expect(try await kubectl.run("create", "configmap", "inside", "-n", "doomed", "--from-literal=a=b").succeeded)
        let sim = try await Self.shared.get()
        // The namespace gets its default ServiceAccount from the controller.
        #expect(await eventually {
            sim.store.get(GroupResource(group: "", resource: "serviceaccounts"), ObjectKey(namespace: "doomed", name: "default")) != nil
        })
        let result = try await kubectl.run("delete", "namespace", "doomed", "--timeout=20s")
        #expect(result.succeeded, "\(result)")
        let after = try await kubectl.run("get", "namespace", "doomed")
        #expect(after.stderr.contains("not found"), "\(after)")
        #expect(sim.store.count(GroupResource(group: "", resource: "configmaps"), namespace: "doomed") == 0)
    }

    @Test("a Deployment can be created, scaled and its generation tracks spec changes")
    func deploymentScale() async throws {
        let kubectl = try await kubectl()
        var result = try await kubectl.run("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("scale", "deployment/web", "--replicas=5")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("deployment.apps/web scaled"), "\(result)")
        result = try await kubectl.run("get", "deployment", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation} {.spec.strategy.type}")
        #expect(result.stdout == "5 2 RollingUpdate", "\(result)")
        result = try await kubectl.run("delete", "deployment", "web")
        #expect(result.succeeded, "\(result)")
    }

    @Test("a misspelt field in a built-in kind: refused by apply, warned and dropped with --validate=warn")
    func unknownFieldsInBuiltins() async throws {
        let kubectl = try await kubectl()
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: typo}
            spec:
              replica: 3
              selector: {matchLabels: {app: typo}}
              template:
                metadata: {labels: {app: typo}}
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                    imagePullPolcy: Always
                    ports: [{containerPort: 80, protocl: TCP}]
            """
        var result = try await kubectl.run("apply", "-f", "-", input: manifest)
        #expect(!result.succeeded)
        #expect(result.stderr.contains(#"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolcy", unknown field "spec.template.spec.containers[0].ports[0].protocl""#), "\(result)")
        #expect(try await kubectl.run("get", "deployment", "typo").succeeded == false, "nothing is stored")

        result = try await kubectl.run("apply", "--validate=warn", "-f", "-", input: manifest)
        #expect(result.succeeded, "\(result)")
        #expect(result.stderr.contains(#"Warning: unknown field "spec.replica""#), "\(result)")
        result = try await kubectl.run("get", "deployment", "typo", "-o", "json")
        let stored = try JSONValue(parsing: result.stdout)
        #expect(stored["spec"]["replica"].isNull && stored["spec"]["replicas"] == 1, "the unknown field is dropped, the default applies")
        #expect(stored["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"].isNull)
        #expect(stored["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP")
        #expect(try await kubectl.run("delete", "deployment", "typo").succeeded)
    }

    @Test("a kind the server does not serve is reported as a missing mapping, as by a real cluster, not as a validation failure")
    func unservedKind() async throws {
        let kubectl = try await kubectl()
        let result = try await kubectl.run("apply", "-f", "-", input: """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources: [deployment.yaml]
            """)
        #expect(!result.succeeded)
        #expect(result.stderr.contains(#"no matches for kind "Kustomization" in version "kustomize.config.k8s.io/v1beta1""#), "\(result)")
        #expect(!result.stderr.contains("error validating"), "\(result)")
    }

    @Test("kubectl's typed creates (sent as protobuf) store what kubectl asked for")
    func protobufCreates() async throws {
        let kubectl = try await kubectl()
        #expect(try await kubectl.run("create", "service", "clusterip", "typed-svc", "--tcp=80:8080").succeeded)
        #expect(try await kubectl.run("create", "job", "typed-job", "--image=busybox:1.36", "--", "echo", "hi").succeeded)
        #expect(try await kubectl.run("create", "secret", "generic", "typed-secret", "--from-literal=password=s3cret").succeeded)
        var result = try await kubectl.run("get", "service", "typed-svc", "-o", "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.type}")
        #expect(result.stdout == "80 8080 ClusterIP", "\(result)")
        result = try await kubectl.run("get", "job", "typed-job", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
        #expect(result.stdout == #"["echo","hi"]"#, "\(result)")
        result = try await kubectl.run("get", "secret", "typed-secret", "-o", "jsonpath={.data.password}")
        #expect(result.stdout == Data("s3cret".utf8).base64EncodedString(), "\(result)")
        result = try await kubectl.run("create", "quota", "typed-quota", "--hard=pods=2")
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("get", "quota", "typed-quota", "-o", "jsonpath={.spec.hard.pods}")
        #expect(result.stdout == "2", "\(result)")
    }
}
