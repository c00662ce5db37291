/// A pattern whose matches never leave the cluster, as a user configures it.
///
/// The whole match is replaced, or only the first capture group when the pattern has one
/// (`customer=(\w+)` keeps `customer=` readable). Patterns use ICU syntax, as
/// `NSRegularExpression` does.
public struct RedactionRule: Sendable, Hashable, Codable {
    /// A name for the placeholder: matches become `[REDACTED:<name>:<n>]`.
    public var name: String
    public var pattern: String
    /// Whether placeholders of this rule are mapped back to the original text in the
    /// analysis result (fine for host or customer names the operator's own status may show;
    /// never done for credentials, which the built-in rules cover).
    public var restoreInResult: Bool

    public init(name: String, pattern: String, restoreInResult: Bool = true) {
        self.name = name
        self.pattern = pattern
        self.restoreInResult = restoreInResult
    }
}
