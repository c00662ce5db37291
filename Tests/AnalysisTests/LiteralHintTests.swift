import Foundation
import Testing
@testable import Analysis

/// The detectors' literal hints skip the expressions on text they cannot match; a hint that
/// rejected a matching text would let a secret through.
@Suite("Redaction hints")
struct LiteralHintTests {
    static let samples = [
        "password=hunter2hunter2 user=bob", #"{"client_secret":"9f8e7d6c5b4a"}"#, "postgres://app:p4ssw0rd@db.shop.svc:5432/orders",
        "Authorization: Basic dXNlcjpwYXNzd29yZA==", "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "key sk-proj-abcdefghijklmnopqrstuvwxyz012345 rejected", "X-Api-Key = 0123456789abcdef",
        "cloned with github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "slack xoxb-123456789012-1234567890123-AbCdEf",
        "maps AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW used", "git glpat-AbCdEfGhIjKlMnOpQrSt12 push",
        "sts issued ASIAIOSFODNN7EXAMPLE for the session", "aws: using access key AKIAIOSFODNN7EXAMPLE in eu-west-1",
        "calling payments with header Authorization: Bearer eyNotAJwtButAnOpaqueBearer0123456789abcdef",
        "session token \(KnownSecrets.jwt) expired", KnownSecrets.pem, "  \(KnownSecrets.pemBody)  ",
        "SESSION_ID: abc123", "PrivateKey=zzz", "AccessKey: q", "PWD=/home/app", "CREDENTIALS=a,b",
    ]

    /// The samples, their case variants, and random text built from the detectors' pieces.
    static func corpus() -> [String] {
        var corpus = samples.flatMap { [$0, $0.uppercased(), $0.lowercased(), "x\($0)y", String($0.dropFirst(3))] }
        let pieces = ["token", "TOKEN", "passwd", "Pwd", "secret", "api-key", "apikey", "access_key", "private-key", "credential",
                      "session-id", "bearer", "BASIC", "eyJ", "abcd", ".", "-", "_", "://", "@", ":", "=", " ", "\n", "\"", "AKIA",
                      "ABCDEFGHIJKLMNOP", "ghp_", "xoxs-", "sk-", "AIza", "glpat-", "-----BEGIN", " PRIVATE KEY-----",
                      "0123456789", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", "ſ", "é", "true", "false", "x"]
        // A fixed linear congruential sequence: the same corpus every run, so a failure reproduces.
        var state: UInt64 = 0x5EC1_2E7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<20_000 {
            corpus.append((0...next(12)).map { _ in pieces[next(pieces.count)] }.joined())
        }
        return corpus
    }

    @Test func aHintNeverRejectsATextItsDetectorMatches() {
        let rules = Redactor.builtin.rules
        #expect(rules.allSatisfy { $0.hint != nil }, "every built-in detector has a hint")
        var matched = 0
        for text in Self.corpus() {
            for rule in rules {
                guard rule.regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else { continue }
                matched += 1
                #expect(rule.hint?.admits(text) ?? true, "\(rule.category) matches but its hint rejects: \(text.debugDescription)")
            }
        }
        #expect(matched > 5_000, "the corpus exercises the detectors (\(matched) matches)")
    }

    @Test func ordinaryValuesOfAPodListSkipEveryDetector() {
        let rules = Redactor.builtin.rules
        for text in ["checkout-green-7d9f8-abcde", "Running", "CrashLoopBackOff", "10.244.1.17", "2026-12-07T17:31:44Z", "1/1", "node-3"] {
            let admitting = rules.filter { $0.hint?.admits(text) ?? true }.map(\.category)
            #expect(admitting.isEmpty, "\(text) runs \(admitting)")
        }
    }

    @Test func textWithNonASCIILettersIsAlwaysScanned() throws {
        // `ſ` (long s) folds to `s` in case-insensitive matching: ICU reads "paſsword" as
        // "password", so the ASCII literal "passw" must not decide.
        let text = "paſsword=hunter2hunter2"
        let credential = try #require(Redactor.builtin.rules.first { $0.category == "credential" })
        #expect(credential.hint?.admits(text) == true)
        var session = Redactor.builtin.session()
        let redacted = session.redact(text)
        #expect(!redacted.contains("hunter2hunter2") && redacted.contains("[REDACTED:credential:"), "\(redacted)")
    }
}
