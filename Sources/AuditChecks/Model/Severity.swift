/// How bad a finding is, in the four levels Trivy Operator and kubescape users know.
///
/// Severities order from ``low`` to ``critical``, so `severity >= .high` reads as "high or
/// worse". The raw value is the lower-case word a SecurityAudit's `failOn` takes; decoding
/// also accepts Trivy's upper-case spelling (`CRITICAL`).
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case low
    case medium
    case high
    case critical

    /// Parses any capitalisation (`high`, `HIGH`, `High`); Trivy's `UNKNOWN` and other
    /// words give nil.
    public init?(parsing text: String) {
        self.init(rawValue: text.lowercased())
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Severity(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not a severity; use critical, high, medium or low"))
        }
        self = value
    }

    /// 4 for critical down to 1 for low.
    public var rank: Int {
        switch self {
        case .critical: 4
        case .high: 3
        case .medium: 2
        case .low: 1
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// From most to least severe: the order reports list them in.
    public static let descending: [Severity] = [.critical, .high, .medium, .low]
}
