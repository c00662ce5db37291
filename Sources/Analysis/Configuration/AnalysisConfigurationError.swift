/// A problem with the analysis configuration, saying which key to fix.
public enum AnalysisConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A user redaction pattern is not a valid regular expression.
    case invalidRedactionPattern(name: String, pattern: String, reason: String)
    /// A key holds a value of the wrong form.
    case invalidValue(key: String, value: String, expected: String)
    /// A key is not one this operator knows (a typo, most likely).
    case unknownKey(String, suggestion: String?)
    /// The ConfigMap's configuration document could not be parsed.
    case unreadableDocument(key: String, reason: String)
    /// The provider needs a setting that is missing.
    case missing(key: String, reason: String)

    public var description: String {
        switch self {
        case .invalidRedactionPattern(let name, let pattern, let reason):
            return "redaction pattern \(name.isEmpty ? "" : "'\(name)' ")/\(pattern)/ does not compile (\(reason)); fix it under analysis.redaction.patterns"
        case .invalidValue(let key, let value, let expected):
            return "analysis setting \(key)=\(value.debugDescription) is invalid: expected \(expected)"
        case .unknownKey(let key, let suggestion):
            return "unknown analysis setting '\(key)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "; remove it or check the key list in AnalysisConfiguration's documentation")
        case .unreadableDocument(let key, let reason):
            return "the analysis configuration in ConfigMap key '\(key)' cannot be read: \(reason); it must be a JSON or YAML mapping"
        case .missing(let key, let reason):
            return "analysis setting \(key) is required: \(reason)"
        }
    }
}
