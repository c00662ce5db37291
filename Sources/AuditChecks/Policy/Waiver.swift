import Foundation
import KubeClient

/// An exception: findings of one check (or category) on matching objects are waived,
/// for a stated reason, until an expiry.
///
/// `name` and `namespace` are patterns where `*` matches any run of characters
/// (`web-*`, `*`); an absent pattern matches everything. Once `expires` has passed the
/// waiver stops applying and the report lists it as expired, with the findings it would
/// have hidden left in place.
public struct Waiver: Sendable, Hashable, Codable {
    /// A check ID (`OPS-POD-001`) or a category (`PodSecurity`).
    public var check: String
    public var name: String?
    public var namespace: String?
    /// Limits the waiver to one kind (`Deployment`).
    public var kind: String?
    public var reason: String
    /// RFC 3339 time after which the waiver no longer applies; nil never expires.
    public var expires: KubeTime?

    public init(
        check: String, name: String? = nil, namespace: String? = nil, kind: String? = nil, reason: String,
        expires: KubeTime? = nil
    ) {
        self.check = check
        self.name = name
        self.namespace = namespace
        self.kind = kind
        self.reason = reason
        self.expires = expires
    }

    /// Whether the waiver has expired at `now` (an expiry equal to `now` has).
    public func isExpired(at now: Date) -> Bool {
        guard let expires else { return false }
        return expires.date <= now
    }

    /// Whether the waiver covers `finding`, expiry aside.
    func covers(_ finding: Finding) -> Bool { WaiverMatcher(self).covers(finding) }
}

/// A waiver with its patterns parsed once, for matching against many findings.
struct WaiverMatcher: Sendable {
    private let check: String
    private let category: CheckCategory?
    private let kind: String?
    private let namespace: GlobPattern?
    private let name: GlobPattern?

    init(_ waiver: Waiver) {
        check = waiver.check.uppercased()
        category = CheckCategory(parsing: waiver.check)
        kind = waiver.kind
        namespace = waiver.namespace.map(GlobPattern.init)
        name = waiver.name.map(GlobPattern.init)
    }

    func covers(_ finding: Finding) -> Bool {
        guard check == finding.checkID || category == finding.category else { return false }
        if let kind, kind != finding.object.kind { return false }
        if let namespace, !namespace.matches(finding.object.namespace) { return false }
        if let name, !name.matches(finding.object.name) { return false }
        return true
    }
}

/// What became of one waiver in an audit.
public struct WaiverStatus: Sendable, Hashable, Codable {
    /// The waiver's index in `exceptions`.
    public var index: Int
    public var check: String
    public var reason: String
    public var expires: KubeTime?
    /// Whether the waiver had expired at the audit's time and so did not apply.
    public var expired: Bool
    /// Findings the waiver hid, or, when expired, would have hidden.
    public var matchedFindings: Int
}
