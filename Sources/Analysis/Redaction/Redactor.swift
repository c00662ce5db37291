import Foundation

/// Removes secrets from text before it leaves the cluster.
///
/// A `Redactor` is the compiled configuration; each analysis opens a
/// ``RedactionSession`` that hands out placeholders and remembers what they stand for.
/// What is removed:
/// - the request's ``AnalysisRequest/sensitiveValues`` (and their base64 forms);
/// - values of environment variables whose names look secret (`*TOKEN*`, `*PASSWORD*`,
///   `*KEY*`, `*SECRET*`, …);
/// - bearer and basic credentials, AWS access key IDs, well-known API tokens, PEM private
///   keys, JWTs, passwords in URLs, `password=…`-style fields in free text, and lines that
///   are nothing but a long base64 blob;
/// - matches of the user's ``RedactionRule``s.
public struct Redactor: Sendable {
    struct CompiledRule: Sendable {
        let category: String
        let regex: NSRegularExpression
        let group: Int
        let restorable: Bool
        /// Tested first: when it rejects a text, the expression cannot match it. User rules have none.
        var hint: LiteralHint? = nil
    }

    let rules: [CompiledRule]
    let secretName: NSRegularExpression

    /// The placeholder prefix; text carrying it is never redacted again.
    static let placeholderPrefix = "[REDACTED:"
    static let placeholderPattern = try! NSRegularExpression(pattern: #"\[REDACTED:[^\]\s]*\]"#)

    /// - Throws: ``AnalysisConfigurationError/invalidRedactionPattern(name:pattern:reason:)``
    ///   for a user pattern that does not compile.
    public init(rules userRules: [RedactionRule] = []) throws(AnalysisConfigurationError) {
        var compiled: [CompiledRule] = []
        for detector in SecretDetectors.all {
            // The built-in patterns are constants covered by tests; a failure here is a bug.
            let regex = try! NSRegularExpression(pattern: detector.pattern)
            compiled.append(CompiledRule(category: detector.category, regex: regex, group: detector.group, restorable: false,
                                         hint: detector.hint))
        }
        for rule in userRules {
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: rule.pattern)
            } catch {
                throw .invalidRedactionPattern(name: rule.name, pattern: rule.pattern, reason: "\(error)")
            }
            let category = rule.name.isEmpty ? "custom" : rule.name
            compiled.append(CompiledRule(category: category, regex: regex,
                                         group: regex.numberOfCaptureGroups > 0 ? 1 : 0,
                                         restorable: rule.restoreInResult))
        }
        self.rules = compiled
        self.secretName = try! NSRegularExpression(pattern: SecretDetectors.secretNamePattern)
    }

    /// A redactor with only the built-in detectors.
    public static let builtin: Redactor = try! Redactor()

    /// A new session for one analysis.
    public func session(sensitiveValues: Set<String> = []) -> RedactionSession {
        RedactionSession(redactor: self, sensitiveValues: sensitiveValues)
    }

    /// Whether a variable or field name marks its value as secret.
    public func isSecretName(_ name: String) -> Bool {
        let range = NSRange(name.startIndex..., in: name)
        return secretName.firstMatch(in: name, range: range) != nil
    }
}
