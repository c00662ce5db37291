/// A compliance framework the audit summarises. Raw values are what
/// `AuditPolicy.frameworks` takes (matched case-insensitively).
public enum Framework: String, Sendable, Hashable, CaseIterable, Codable {
    /// CIS Kubernetes Benchmark v1.9, section 5 (policies).
    case cis = "CIS"
    /// NSA/CISA Kubernetes Hardening Guidance v1.2. The guide has sections, not numbered
    /// controls: the `NSA-<chapter>.<n>` IDs are this project's names for its sections.
    case nsaCisa = "NSA-CISA"
    /// Pod Security Standards, Baseline profile.
    case pssBaseline = "PSS-Baseline"
    /// Pod Security Standards, Restricted profile (includes Baseline's controls).
    case pssRestricted = "PSS-Restricted"
    /// NIST SP 800-53 Rev. 5.
    case nist80053 = "NIST-800-53"
    /// ISO/IEC 27001:2022 Annex A.
    case iso27001 = "ISO27001"
    /// AICPA SOC 2 Trust Services Criteria (2017, revised 2022).
    case soc2 = "SOC2"

    public init?(parsing text: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = match
    }

    public var title: String {
        switch self {
        case .cis: "CIS Kubernetes Benchmark v1.9"
        case .nsaCisa: "NSA/CISA Kubernetes Hardening Guidance v1.2"
        case .pssBaseline: "Pod Security Standards: Baseline"
        case .pssRestricted: "Pod Security Standards: Restricted"
        case .nist80053: "NIST SP 800-53 Rev. 5"
        case .iso27001: "ISO/IEC 27001:2022 Annex A"
        case .soc2: "SOC 2 Trust Services Criteria"
        }
    }
}

/// One control of a framework and the checks that evidence it. The control passes when
/// none of its enabled checks has an unwaived finding.
public struct FrameworkControl: Sendable, Hashable {
    public let framework: Framework
    /// The framework's own identifier (`5.2.2`, `AC-6`, `A.8.9`, `CC6.1`).
    public let id: String
    public let title: String
    public let checkIDs: [String]
}

/// A check's link to one framework control.
public struct ControlReference: Sendable, Hashable, Codable {
    public let framework: Framework
    public let controlID: String
}
