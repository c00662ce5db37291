import ConfigGen
import Foundation
import KubeClient
import Testing

@testable import opsagent

/// `opsagent generate` as parsed from the command line: flags stand for requirement
/// fields and are validated like the file; `-o DIR` writes the kustomize folder.
@Suite("opsagent generate command")
struct GenerateCommandTests {
    func document(_ arguments: [String]) throws -> JSONValue {
        let command = try Generate.parse(arguments)
        var document = try command.readFile()
        try command.applyFlags(to: &document)
        return document
    }

    @Test("Flags give the same manifests as the same requirements in a file")
    func flagsEqualTheFile() throws {
        let fromFlags = try document([
            "--name", "api", "--namespace", "shop", "--image", "registry.example/api:1.0", "--environment", "staging",
            "--port", "http:8080", "--port", "grpc:9090/tcp", "--env", "MODE=fast", "--secret-env", "TOKEN=api-secret/token",
            "--secret", "client-cert", "--cpu", "200m", "--memory", "256Mi", "--memory-limit", "512Mi",
            "--min-replicas", "2", "--max-replicas", "6", "--expose", "ingress", "--host", "api.example.com",
            "--tls-secret", "api-tls", "--liveness", "/healthz", "--readiness", "/readyz",
        ])
        let file = try YAML.decode("""
            name: api
            namespace: shop
            image: registry.example/api:1.0
            environment: staging
            ports: [{name: http, port: 8080}, {name: grpc, port: 9090, protocol: TCP}]
            env: {MODE: fast, TOKEN: {secret: api-secret, key: token}}
            secrets: [{name: client-cert}]
            resources: {requests: {cpu: 200m, memory: 256Mi}, limits: {memory: 512Mi}}
            scaling: {min: 2, max: 6}
            exposure: {type: ingress, host: api.example.com, tlsSecret: api-tls}
            health: {liveness: /healthz, readiness: /readyz}
            """)
        #expect(try ManifestGenerator().generate(document: fromFlags).yaml(explain: true)
            == ManifestGenerator().generate(document: file).yaml(explain: true))
    }

    @Test("Flags override the file's fields, and a bad flag value is refused under the field it stands for")
    func flagsOverrideAndAreValidated() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("req-\(UUID().uuidString.prefix(8)).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("name: web\nimage: registry.example/web:1.0\nports: [{port: 8080}]\nexposure: none\nreplicas: 2\n".utf8).write(to: file)
        let overridden = try document([file.path, "--replicas", "4", "--expose", "cluster"])
        #expect(overridden["replicas"] == 4 && overridden["exposure"] == ["type": "cluster"])
        let refused = try document([file.path, "--cpu", "lots", "--expose", "everywhere"])
        do {
            _ = try ManifestGenerator().generate(document: refused)
            Issue.record("bad flag values were accepted")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["resources.requests.cpu", "exposure.type"])
        }
        #expect(throws: (any Error).self) { try document(["--port", "http:eighty"]) }
        #expect(throws: (any Error).self) { try document(["--secret-env", "TOKEN=no-key"]) }
    }

    @Test("-o DIR writes the objects and a kustomization.yaml that lists them")
    func outputDirectory() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = try Generate.parse([repositoryFile("examples/generate/worker.yaml"), "-o", folder.path, "--explain"])
        try await command.run()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["configmap-invoice-worker-env.yaml", "deployment-invoice-worker.yaml", "kustomization.yaml",
                          "networkpolicy-invoice-worker.yaml", "poddisruptionbudget-invoice-worker.yaml",
                          "serviceaccount-invoice-worker.yaml"])
        let deployment = try String(contentsOf: folder.appendingPathComponent("deployment-invoice-worker.yaml"), encoding: .utf8)
        #expect(deployment.contains("# fixed non-root UID"))
        #expect(deployment.contains("exec:\n"))
    }
}
