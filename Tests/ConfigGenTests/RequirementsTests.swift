import KubeClient
import Testing

@testable import ConfigGen

/// Bad requirements are refused with the field path, what is wrong and a hint; every
/// problem of a document is reported at once.
@Suite("generate: refused requirements")
struct RequirementsTests {
    @Test("The minimal requirements are accepted")
    func minimalIsAccepted() {
        #expect(issues(minimal).isEmpty)
    }

    @Test("Each mistake names its field", arguments: [
        ("replica: 3", "replica", "did you mean `replicas`?"),
        ("exposure: {type: ingress, host: shop.example.com, tlsSecrets: x}", "exposure.tlsSecrets", "did you mean `tlsSecret`?"),
        ("resources: {requests: {cpu: lots}}", "resources.requests.cpu", "not a Kubernetes quantity"),
        ("resources: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}", "resources.limits.memory", "below the request"),
        ("resources: {size: huge}", "resources.size", "not one of small, medium, large"),
        ("storage: {size: ten}", "storage.size", "not a Kubernetes quantity"),
        ("storage: {size: 1Gi, accessMode: ReadWriteOnce}\nreplicas: 3", "storage.accessMode", "more than one pod"),
        ("scaling: {min: 5, max: 2}", "scaling.max", "below min"),
        ("environment: production", "environment", "did you mean `prod`?"),
        ("exposure: ingress", "exposure.host", "required for an Ingress"),
        ("exposure: {type: ingress, host: shop.example.com}", "exposure.tlsSecret", "plain HTTP is not generated"),
        ("exposure: {type: cluster, host: shop.example.com}", "exposure.host", "ingress only"),
        ("health: {port: grpc}", "health.port", "not a declared TCP port"),
        ("env: {9LIVES: x}", "env.9LIVES", "not a valid variable name"),
        ("env: {DB_PASSWORD: hunter2-secret}", "env.DB_PASSWORD", "store it in a Secret"),
        ("config: {'bad/name': x}", "config.bad/name", "file name"),
        ("secrets: [{name: Bad_Name}]", "secrets[0]", "not a Secret name"),
        ("rollout: {strategy: canary}", "rollout.strategy", "not one of rolling, blue-green"),
        ("rollout: {autoPromote: false}", "rollout.autoPromote", "blue-green rollouts only"),
        ("egress: [{port: 5432, cidr: 10.0.0.0/99}]", "egress[0].cidr", "not a CIDR"),
        ("runAsUser: 0", "runAsUser", "non-zero UID"),
        ("namespace: Shop", "namespace", "DNS-1123"),
    ])
    func mistakeNamesItsField(extra: String, field: String, words: String) {
        let found = issues(minimal + extra + "\n")
        #expect(found.contains { $0.field == field && "\($0.problem); \($0.hint)".contains(words) },
                "\(extra) → \(found.map(\.description))")
    }

    @Test("Names, images and ports are checked as Kubernetes checks them")
    func namesImagesPorts() {
        let cases: [(String, String, String)] = [
            ("name: Web_App\nimage: registry.example/app:1.0", "name", "DNS-1123"),
            ("name: \(String(repeating: "a", count: 48))\nimage: registry.example/app:1.0", "name", "at most 47"),
            ("name: app\nimage: nginx:latest", "image", "names no version"),
            ("name: app\nimage: nginx", "image", "names no version"),
            ("name: app\nimage: nginx@sha256:abc", "image", "malformed digest"),
            ("name: app\nimage: Registry/App:1.0", "image", "lowercase"),
            ("image: registry.example/app:1.0", "name", "is required"),
            ("name: app\nimage: registry.example/app:1.0\nports: [{port: 70000}]", "ports[0].port", "outside 1…65535"),
            ("name: app\nimage: registry.example/app:1.0\nports: [{name: 'http_port', port: 80}]", "ports[0].name", "not a port name"),
            ("name: app\nimage: registry.example/app:1.0\nports: [{port: 80}, {name: web, port: 80}]", "ports[1].port", "declared twice"),
            ("name: app\nimage: registry.example/app:1.0\nports: [{port: 80, protocol: tcp}]", "ports[0].protocol", "did you mean `TCP`?"),
        ]
        for (text, field, words) in cases {
            let found = issues(text)
            #expect(found.contains { $0.field == field && $0.description.contains(words) }, "\(text) → \(found.map(\.description))")
        }
    }

    @Test("All problems of a document are reported together")
    func everyProblemAtOnce() {
        let found = issues("name: Web_App\nimage: nginx:latest\nreplica: 3\nports: [{port: 0}]\nresources: {size: huge}\n")
        #expect(Set(found.map(\.field)) == ["name", "image", "replica", "ports[0].port", "resources.size"])
    }

    @Test("A worker without a port must say how it is probed")
    func workerNeedsAProbe() {
        let worker = "name: w\nimage: registry.example/w:1.0\ntype: worker\n"
        #expect(issues(worker).contains { $0.field == "health" && $0.hint.contains("health.command") })
        #expect(issues(worker + "health: {command: [/bin/check]}\n").isEmpty)
    }

    @Test("A credential-shaped literal is refused by field, and its value is never repeated")
    func plantedCredentialsNeverEcho() {
        let aws = "AKIAIOSFODNN7EXAMPLE"
        let pem = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA7bq\\n-----END RSA PRIVATE KEY-----\\n"
        let cases: [(String, String, String)] = [
            ("env: {DB_PASSWORD: s3cr3t-Planted-Value}", "env.DB_PASSWORD", "s3cr3t-Planted-Value"),
            ("env: {UPSTREAM: \"\(aws)\"}", "env.UPSTREAM", aws),
            ("config: {key.pem: \"\(pem)\"}", "config.key.pem", "MIIEowIBAAKCAQEA7bq"),
        ]
        for (extra, field, planted) in cases {
            let found = issues(minimal + extra + "\n")
            #expect(found.map(\.field) == [field], "\(extra) → \(found.map(\.field))")
            #expect(!found.description.contains(planted))
            #expect(!InvalidRequirements(issues: found).description.contains(planted))
        }
    }

    @Test("A document that is not a mapping, or not YAML, is refused")
    func notAMapping() {
        #expect(issues("- a\n- b\n").map(\.field) == ["(document)"])
        #expect(issues("name: [unclosed\n").map(\.field) == ["(document)"])
    }
}
