import Foundation

/// The audit's risk score, 0 to 100.
///
/// Every distinct problem — a check ID, or for vulnerabilities a check ID and CVE ID —
/// with unwaived findings counts once, at its severity, however many objects have it.
/// Each problem independently "survives" with probability `1 − w`, where `w` is 0.25 for
/// critical, 0.10 for high, 0.04 for medium and 0.01 for low, and the score is the chance
/// that at least one does, as a percentage:
///
/// ```
/// riskScore = round(100 × (1 − (0.75^critical × 0.90^high × 0.96^medium × 0.99^low)))
/// ```
///
/// No problems score 0; one critical scores 25, one high 10, four criticals 68. The score
/// grows with each new kind of problem and saturates towards 100, and it does not grow
/// with the size of the cluster: fixing a problem everywhere lowers it, fixing it on one
/// of many objects does not.
public enum RiskScore {
    public static func weight(of severity: Severity) -> Double {
        switch severity {
        case .critical: 0.25
        case .high: 0.10
        case .medium: 0.04
        case .low: 0.01
        }
    }

    /// The score of a set of unwaived findings.
    public static func score(_ findings: [Finding]) -> Int {
        var problems: [String: Severity] = [:]
        for finding in findings {
            let key = finding.cveId.map { finding.checkID + "/" + $0 } ?? finding.checkID
            if let known = problems[key], known >= finding.severity { continue }
            problems[key] = finding.severity
        }
        // Counted per severity and multiplied in a fixed order, so the result never
        // depends on dictionary order.
        var counts: [Severity: Int] = [:]
        for severity in problems.values { counts[severity, default: 0] += 1 }
        var survival = 1.0
        for severity in Severity.descending {
            survival *= pow(1 - weight(of: severity), Double(counts[severity] ?? 0))
        }
        return Int((100 * (1 - survival)).rounded())
    }
}
