import Foundation
import Testing
@testable import Analysis

/// Known secrets in the shapes they leak in: what every redaction test feeds through.
enum KnownSecrets {
    static let secretValue = "s3cr3t-Secret-Value-42"          // a value from a mounted Secret
    static let dbPassword = "Tr0ub4dor&3-horse"                // env DB_PASSWORD
    static let bearer = "eyNotAJwtButAnOpaqueBearer0123456789abcdef"
    static let awsAccessKey = "AKIAIOSFODNN7EXAMPLE"
    static let pemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        \(pemBody)
        MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4x6SxAGRp7dXDyX7gJ2ib0oTf
        -----END PRIVATE KEY-----
        """
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

    /// Every secret, as the strings that must never be seen on the wire.
    static var all: [String] { [secretValue, dbPassword, bearer, awsAccessKey, pemBody, jwt] }

    /// Facts that carry each secret somewhere a reconciler would put it.
    static var facts: AnalysisFacts {
        var facts = FactSets.crashLoop
        facts.pods[0].containers[0].environment = ["DB_PASSWORD": dbPassword, "LOG_LEVEL": "debug"]
        facts.logs = [LogTail(pod: "checkout-green-7d9f8-abcde", container: "app", previous: true, lines: [
            "starting with config secret=\(secretValue)",
            "calling payments with header Authorization: Bearer \(bearer)",
            "aws: using access key \(awsAccessKey) in eu-west-1",
            "loaded signing key:",
        ] + pem.components(separatedBy: "\n") + [
            "session token \(jwt) expired",
            "panic: connect to db failed",
        ])]
        facts.events.append(EventFact(type: "Warning", reason: "Failed", message: "probe sent token \(jwt)", object: "Pod/checkout-green-7d9f8-abcde"))
        facts.checks = [CheckResult(name: "db-login", outcome: .failed, detail: "login with password=\(dbPassword) refused")]
        return facts
    }

    static var request: AnalysisRequest { FactSets.request(facts, sensitive: [secretValue]) }

    /// The secrets that appear in `bytes`, raw or JSON-escaped.
    static func leaked(in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let unescaped = text.replacingOccurrences(of: "\\/", with: "/").replacingOccurrences(of: "\\u0026", with: "&")
        return all.filter { text.contains($0) || unescaped.contains($0) }
            + (text.contains(Data(secretValue.utf8).base64EncodedString()) ? ["base64(secretValue)"] : [])
    }
}

@Suite("Redaction")
struct RedactionTests {
    @Test func everyKnownSecretIsReplacedInTheFactsDocument() {
        var session = Redactor.builtin.session(sensitiveValues: [KnownSecrets.secretValue])
        let document = FactsDocument.render(KnownSecrets.request, as: .prompt, redacting: &session)
        let bytes = document.serializedBytes()
        #expect(KnownSecrets.leaked(in: bytes).isEmpty)
        let text = String(decoding: bytes, as: UTF8.self)
        for category in ["secret", "env", "bearer-token", "aws-access-key", "private-key", "jwt"] {
            #expect(text.contains("[REDACTED:\(category):"), "no \(category) placeholder in \(text)")
        }
        // What is not secret stays readable.
        #expect(text.contains("LOG_LEVEL"))
        #expect(text.contains("\"debug\""))
        #expect(text.contains("panic: connect to db failed"))
    }

    @Test func theSameSecretGetsTheSamePlaceholderAndEqualInputsRedactEqually() throws {
        var session = Redactor.builtin.session()
        let first = session.redact("Authorization: Bearer abcdef0123456789")
        let second = session.redact("retrying with Bearer abcdef0123456789")
        let placeholder = try #require(first.components(separatedBy: " ").last)
        #expect(placeholder.hasPrefix("[REDACTED:bearer-token:"))
        #expect(second.hasSuffix(placeholder))
        #expect(session.redactedCount == 1)

        var again = Redactor.builtin.session()
        #expect(again.redact("Authorization: Bearer abcdef0123456789") == first)
    }

    @Test func base64FormsOfKnownValuesAreRemovedToo() {
        var session = Redactor.builtin.session(sensitiveValues: ["correct-horse-battery"])
        let encoded = Data("correct-horse-battery".utf8).base64EncodedString()
        let text = session.redact("data: {password: \(encoded)} and raw correct-horse-battery")
        #expect(!text.contains(encoded))
        #expect(!text.contains("correct-horse-battery"))
    }

    @Test func shortKnownValuesAreHiddenOnlyWhenTheyAreTheWholeValue() {
        var session = Redactor.builtin.session(sensitiveValues: ["abc"])
        #expect(session.redact("abc").hasPrefix("[REDACTED:secret:"))
        #expect(session.redact("abcdef is a word") == "abcdef is a word")
    }

    @Test func secretLookingEnvironmentNamesHideTheirValues() {
        var session = Redactor.builtin.session()
        let env = session.redact(environment: [
            "API_TOKEN": "t-123", "STRIPE_SECRET": "x", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "DB_PASSWORD": "pw", "PORT": "8080", "GREETING": "hello",
        ])
        #expect(env["PORT"] == "8080")
        #expect(env["GREETING"] == "hello")
        for name in ["API_TOKEN", "STRIPE_SECRET", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD"] {
            #expect(env[name]?.hasPrefix("[REDACTED:env:") == true, "\(name) kept \(env[name] ?? "")")
        }
    }

    @Test(arguments: [
        ("password=hunter2hunter2 user=bob", "hunter2hunter2"),
        (#"{"client_secret":"9f8e7d6c5b4a"}"#, "9f8e7d6c5b4a"),
        ("postgres://app:p4ssw0rd@db.shop.svc:5432/orders", "p4ssw0rd"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("token: ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("key sk-proj-abcdefghijklmnopqrstuvwxyz012345 rejected", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"),
        ("X-Api-Key = 0123456789abcdef", "0123456789abcdef"),
        // The token shapes providers issue, found in free text without a field name.
        ("calling with sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 now", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("cloned with github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
        ("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
        ("slack xoxp-123456789012-abcdefabcdef", "xoxp-123456789012-abcdefabcdef"),
        ("slack xoxa-2-123456789012-abcdefabcd", "xoxa-2-123456789012-abcdefabcd"),
        ("slack xoxr-123456789012-abcdefabcd", "xoxr-123456789012-abcdefabcd"),
        ("maps AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW used", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"),
        ("git glpat-AbCdEfGhIjKlMnOpQrSt12 push", "glpat-AbCdEfGhIjKlMnOpQrSt12"),
        ("sts issued ASIAIOSFODNN7EXAMPLE for the session", "ASIAIOSFODNN7EXAMPLE"),
    ])
    func freeTextCredentialsAreRedacted(line: String, secret: String) {
        var session = Redactor.builtin.session()
        let redacted = session.redact(line)
        #expect(!redacted.contains(secret), "\(redacted)")
        #expect(redacted.contains("[REDACTED:"))
    }

    @Test func settingsNamedLikeCredentialsKeepTheirBooleans() {
        var session = Redactor.builtin.session()
        let yaml = "automountServiceAccountToken: false\nenableTokenAuth=true\npassword: null\ntoken: falsehood-9f8e7d"
        let text = session.redact(yaml)
        #expect(text.contains("automountServiceAccountToken: false"), "\(text)")
        #expect(text.contains("enableTokenAuth=true"), "\(text)")
        #expect(text.contains("password: null"), "\(text)")
        #expect(!text.contains("falsehood-9f8e7d"), "a value that only starts like a boolean is still hidden: \(text)")
    }

    @Test(arguments: ["RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"])
    func privateKeysOfEveryPEMKindAreRemoved(kind: String) {
        var session = Redactor.builtin.session()
        let body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
        let text = session.redact("loaded key:\n-----BEGIN \(kind)-----\n\(body)\n-----END \(kind)-----\ndone")
        #expect(!text.contains(body), "\(kind): \(text)")
        #expect(text.hasSuffix("done"))
    }

    @Test func anUnpaddedBase64FormOfAKnownValueIsRemoved() {
        let value = "the-service-password-17"  // base64 ends in "=" when padded
        let unpadded = Data(value.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        var session = Redactor.builtin.session(sensitiveValues: [value])
        let text = session.redact("header x-auth: \(unpadded) (unpadded)")
        #expect(!text.contains(unpadded), "\(text)")
    }

    @Test func aPrivateKeyCutByTheLogTailIsStillRemoved() {
        var session = Redactor.builtin.session()
        let lines = session.redact(lines: [
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
            "-----END PRIVATE KEY-----",
            "server started",
        ])
        #expect(!lines.joined().contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"))
        #expect(lines.last == "server started")
    }

    @Test func userPatternsAreRedactedAndMappedBackOnlyWhenRestorable() throws {
        let redactor = try Redactor(rules: [
            RedactionRule(name: "host", pattern: #"[a-z0-9-]+\.corp\.example\.com"#),
            RedactionRule(name: "customer", pattern: #"customer=(\w+)"#, restoreInResult: false),
        ])
        var session = redactor.session()
        let text = session.redact("db1.corp.example.com slow for customer=acme; token=abcdef123456")
        #expect(!text.contains("db1.corp.example.com"))
        #expect(!text.contains("acme"))
        #expect(text.contains("customer=[REDACTED:customer:"))
        let host = try #require(text.components(separatedBy: " ").first)
        let restored = session.restore("\(host) is the bottleneck; customer=[REDACTED:customer:2]; \(text)")
        #expect(restored.hasPrefix("db1.corp.example.com is the bottleneck"))
        #expect(!restored.contains("acme"))
        #expect(!restored.contains("abcdef123456"))
    }

    @Test func anInvalidUserPatternIsAConfigurationErrorNamingIt() {
        #expect(throws: AnalysisConfigurationError.self) { try Redactor(rules: [RedactionRule(name: "broken", pattern: "([a-z")]) }
        do {
            _ = try Redactor(rules: [RedactionRule(name: "broken", pattern: "([a-z")])
        } catch {
            #expect(error.description.contains("'broken'"))
            #expect(error.description.contains("analysis.redaction.patterns"))
        }
    }
}
