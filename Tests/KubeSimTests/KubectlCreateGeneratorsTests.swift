import Foundation
import Testing
@testable import KubeSim

/// Every `kubectl create <kind>` generator of kubectl 1.32 against the simulator: kubectl sends
/// most of them as protobuf, and each must be stored as kubectl meant it.
@Suite("kubectl create generators")
struct KubectlCreateGeneratorsTests {
    static let shared = SharedSimulator(.init(port: 0, tls: true, workloads: nil))

    /// A self-signed certificate and key for `kubectl create secret tls`.
    static func certificateFiles() async throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("tls.crt").path, key = directory.appendingPathComponent("tls.key").path
        let made = try await CommandRunner.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                                                    "-out", cert, "-days", "1", "-subj", "/CN=example.com"])
        #expect(made.succeeded, "\(made)")
        return (cert, key)
    }

    @Test("each generator creates what it names, and kubectl reads back its fields")
    func everyGenerator() async throws {
        let sim = try await Self.shared.get()
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        let ns = "gen-\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try await kubectl.run("create", "namespace", ns).succeeded)
        let tls = try await Self.certificateFiles()
        let generators: [(arguments: [String], check: [String], expected: String)] = [
            (["deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80"],
             ["deployment", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}"], "2 80"),
            (["service", "clusterip", "svc-a", "--tcp=80:8080"], ["service", "svc-a", "-o", "jsonpath={.spec.type}"], "ClusterIP"),
            (["service", "nodeport", "svc-b", "--tcp=80:8080"], ["service", "svc-b", "-o", "jsonpath={.spec.type}"], "NodePort"),
            (["service", "loadbalancer", "svc-c", "--tcp=80:8080"], ["service", "svc-c", "-o", "jsonpath={.spec.type}"], "LoadBalancer"),
            (["service", "externalname", "svc-d", "--external-name=example.com"],
             ["service", "svc-d", "-o", "jsonpath={.spec.externalName}"], "example.com"),
            (["job", "once", "--image=busybox:1.37", "--", "echo", "hi"],
             ["job", "once", "-o", "jsonpath={.spec.template.spec.containers[0].image}"], "busybox:1.37"),
            (["cronjob", "tick", "--image=busybox:1.37", "--schedule=*/5 * * * *"],
             ["cronjob", "tick", "-o", "jsonpath={.spec.schedule}"], "*/5 * * * *"),
            (["configmap", "settings", "--from-literal=a=b"], ["configmap", "settings", "-o", "jsonpath={.data.a}"], "b"),
            (["secret", "generic", "creds", "--from-literal=user=admin"],
             ["secret", "creds", "-o", "jsonpath={.data.user}"], Data("admin".utf8).base64EncodedString()),
            (["secret", "tls", "cert", "--cert=\(tls.cert)", "--key=\(tls.key)"],
             ["secret", "cert", "-o", "jsonpath={.type}"], "kubernetes.io/tls"),
            (["secret", "docker-registry", "pull", "--docker-server=registry.example", "--docker-username=u",
              "--docker-password=p"], ["secret", "pull", "-o", "jsonpath={.type}"], "kubernetes.io/dockerconfigjson"),
            (["serviceaccount", "robot"], ["serviceaccount", "robot", "-o", "jsonpath={.metadata.name}"], "robot"),
            (["role", "reader", "--verb=get,list", "--resource=pods"],
             ["role", "reader", "-o", "jsonpath={.rules[0].verbs}"], #"["get","list"]"#),
            (["rolebinding", "reader-binding", "--role=reader", "--user=alice"],
             ["rolebinding", "reader-binding", "-o", "jsonpath={.subjects[0].name}"], "alice"),
            (["quota", "limits", "--hard=pods=3,cpu=2"], ["quota", "limits", "-o", "jsonpath={.spec.hard.pods}"], "3"),
            (["poddisruptionbudget", "keep-one", "--selector=app=web", "--min-available=1"],
             ["pdb", "keep-one", "-o", "jsonpath={.spec.minAvailable} {.spec.selector.matchLabels.app}"], "1 web"),
            (["ingress", "front", "--rule=shop.example/api*=svc-a:80", "--class=nginx"],
             ["ingress", "front", "-o", "jsonpath={.spec.ingressClassName} {.spec.rules[0].host} {.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].backend.service.port.number}"],
             "nginx shop.example Prefix 80"),
        ]
        for generator in generators {
            let created = try await kubectl.run(["create", "-n", ns] + generator.arguments)
            #expect(created.succeeded, "kubectl create \(generator.arguments.joined(separator: " ")): \(created)")
            let read = try await kubectl.run(["get", "-n", ns] + generator.check)
            #expect(read.stdout == generator.expected, "\(generator.arguments[0]): \(read)")
        }
        // Cluster-scoped generators.
        let suffix = ns
        let clusterScoped: [(arguments: [String], check: [String], expected: String)] = [
            (["clusterrole", "viewer-\(suffix)", "--verb=get", "--resource=nodes"],
             ["clusterrole", "viewer-\(suffix)", "-o", "jsonpath={.rules[0].resources}"], #"["nodes"]"#),
            (["clusterrolebinding", "viewer-\(suffix)", "--clusterrole=viewer-\(suffix)", "--group=ops"],
             ["clusterrolebinding", "viewer-\(suffix)", "-o", "jsonpath={.subjects[0].kind}"], "Group"),
            (["priorityclass", "high-\(suffix)", "--value=1000", "--description=important"],
             ["priorityclass", "high-\(suffix)", "-o", "jsonpath={.value} {.description}"], "1000 important"),
        ]
        for generator in clusterScoped {
            let created = try await kubectl.run(["create"] + generator.arguments)
            #expect(created.succeeded, "kubectl create \(generator.arguments.joined(separator: " ")): \(created)")
            let read = try await kubectl.run(["get"] + generator.check)
            #expect(read.stdout == generator.expected, "\(generator.arguments[0]): \(read)")
        }
        let token = try await kubectl.run("create", "token", "robot", "-n", ns)
        #expect(token.succeeded && token.stdout.split(separator: ".").count == 3, "\(token)")
    }
}
