import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Secrets in literal env vars are found and never copied")
struct SecretRedactionTests {
    /// Planted values: short, long, base64, JSON with a password, and shapes found
    /// whatever the variable is called.
    static let planted: [(name: String, value: String)] = [
        ("DB_PASSWORD", "hunter22"),
        ("API_TOKEN", "9f8e7d6c5b4a39281706f5e4d3c2b1a0Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0"),
        ("SIGNING_KEY", "c3VwZXItc2VjcmV0LXNpZ25pbmcta2V5LTIwMjQ="),
        ("APP_CONFIG", #"{"user":"svc","password":"Tr0ub4dor&3"}"#),
        ("UPSTREAM", "postgres://svc:s3cr3t-pw@db.internal:5432/shop"),
        ("SESSION_BLOB", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLWJ5dGVz"),
        ("AWS_ACCESS", "AKIAIOSFODNN7EXAMPLE"),
    ]

    func plantedWorkload() -> JSONValue {
        var spec = Fixtures.podSpec()
        spec.editContainer { container in
            container["env"] = .array(Self.planted.map { ["name": .string($0.name), "value": .string($0.value)] } + [
                ["name": "LOG_LEVEL", "value": "debug"], ["name": "TOKEN_TTL", "value": "3600"],
                ["name": "GIT_SHA", "value": "0123456789abcdef0123456789abcdef01234567"],
            ])
        }
        return Fixtures.deployment(spec: spec)
    }

    @Test("Each planted credential is reported by variable name, and only those")
    func reportsEveryPlantedCredential() throws {
        let report = try Fixtures.audit([plantedWorkload()])
        let flagged = report.findings(of: "OPS-SEC-001").map(\.message)
        for (name, _) in Self.planted {
            #expect(flagged.contains { $0.contains("env var \(name) ") }, "\(name) not reported")
        }
        #expect(flagged.count == Self.planted.count, "\(flagged)")
    }

    @Test("No planted value appears in findings, messages or the encoded report")
    func valuesNeverLeak() throws {
        let policy = AuditPolicy(
            exceptions: [Waiver(check: "OPS-POD-005", reason: "scratch space")],
            imagePolicy: Fixtures.policy.imagePolicy, failOn: .high)
        let report = try Fixtures.audit([plantedWorkload()], policy: policy)
        let encoded = try JSONValue(encoding: report).serialized()
        let texts = report.findings.flatMap { [$0.message, $0.title, $0.affectedResource ?? "", $0.container ?? ""] }
            + report.topFindings().map(\.message)
        for (_, value) in Self.planted {
            #expect(!encoded.contains(value))
            #expect(!texts.contains { $0.contains(value) })
            // nor a recognisable piece of it
            let piece = String(value.prefix(6))
            #expect(!encoded.contains(piece), "a prefix of a planted value leaked")
        }
        let bounded = ReportBudget.truncate(report.findings, toBytes: 4096)
        let boundedText = try JSONValue(encoding: bounded.kept).serialized()
        for (_, value) in Self.planted { #expect(!boundedText.contains(value)) }
    }

    @Test("Credentials in command-line arguments are found by flag name or shape, and never copied")
    func arguments() throws {
        let planted = ["--db-password=hunter22", "--api-key=c3VwZXItc2VjcmV0LXNpZ25pbmcta2V5LTIwMjQ=", "postgres://svc:s3cr3t-pw@db/shop"]
        var spec = Fixtures.podSpec()
        spec.editContainer { $0["args"] = .array((["serve", "--port=8080"] + planted).map { .string($0) }) }
        let report = try Fixtures.audit([Fixtures.deployment(spec: spec)])
        let messages = report.findings(of: "OPS-SEC-006").map(\.message)
        #expect(messages.count == 3)
        #expect(messages.contains { $0.hasPrefix("args[2] ") && $0.contains("flag --db-password") })
        let encoded = try JSONValue(encoding: report).serialized()
        for value in ["hunter22", "c3VwZXItc2VjcmV0", "s3cr3t-pw"] { #expect(!encoded.contains(value)) }
    }

    @Test("Names alone do not make a secret: paths, references, booleans and metadata are left alone")
    func notSecrets() {
        #expect(SecretLiteralDetector.reason(name: "DB_PASSWORD_FILE", value: "/run/secrets/db") == nil)
        #expect(SecretLiteralDetector.reason(name: "TOKEN_TTL", value: "3600") == nil)
        #expect(SecretLiteralDetector.reason(name: "AUTH_ENABLED", value: "true") == nil)
        #expect(SecretLiteralDetector.reason(name: "SECRET_NAME", value: "db-credentials") == nil)
        #expect(SecretLiteralDetector.reason(name: "PASSWORD", value: "$(DB_PASSWORD)") == nil)
        #expect(SecretLiteralDetector.reason(name: "GIT_SHA", value: "0123456789abcdef0123456789abcdef01234567") == nil)
        #expect(SecretLiteralDetector.reason(name: "KEY", value: "value") == nil)
        #expect(SecretLiteralDetector.reason(name: "STRIPE_KEY", value: "rk_live_abcdef") != nil)
    }
}
