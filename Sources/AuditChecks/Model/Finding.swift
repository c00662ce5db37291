/// One failed check on one object (and container, where the check looks at containers).
///
/// Messages name fields, containers and environment variable *names*; they never quote a
/// value read from an environment variable, so a finding can be written to a status, a
/// report, an event, a log or an LLM prompt as it is.
public struct Finding: Sendable, Hashable, Codable {
    public var checkID: String
    public var category: CheckCategory
    public var severity: Severity
    public var title: String
    public var object: AuditObject
    /// The container the finding is about, when the check looks at containers.
    public var container: String?
    public var message: String
    /// Vulnerability findings only: the CVE (or GHSA…) identifier.
    public var cveId: String?
    /// Vulnerability findings only: the package and version, with the fixed version when known.
    public var affectedResource: String?

    public init(
        checkID: String, category: CheckCategory, severity: Severity, title: String, object: AuditObject,
        container: String? = nil, message: String, cveId: String? = nil, affectedResource: String? = nil
    ) {
        self.checkID = checkID
        self.category = category
        self.severity = severity
        self.title = title
        self.object = object
        self.container = container
        self.message = message
        self.cveId = cveId
        self.affectedResource = affectedResource
    }
}

extension Finding {
    /// The report order: most severe first, then check ID, object, container, CVE and
    /// message, so two audits of the same inventory list findings identically.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.checkID != b.checkID { return a.checkID < b.checkID }
        if a.object != b.object { return a.object < b.object }
        if a.container != b.container { return (a.container ?? "") < (b.container ?? "") }
        if a.cveId != b.cveId { return (a.cveId ?? "") < (b.cveId ?? "") }
        return a.message < b.message
    }
}

extension Array where Element == Finding {
    /// Sorts the findings into ``Finding/reportOrder(_:_:)`` in place: the cheap fields
    /// first, without copying a finding to compare it.
    mutating func sortForReport() {
        sort { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.checkID != b.checkID { return a.checkID < b.checkID }
            if a.object.namespace != b.object.namespace { return a.object.namespace < b.object.namespace }
            if a.object.kind != b.object.kind { return a.object.kind < b.object.kind }
            if a.object.name != b.object.name { return a.object.name < b.object.name }
            return Finding.reportOrder(a, b)
        }
    }
}
