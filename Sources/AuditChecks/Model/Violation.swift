/// What a check's rule reports: where on the object it failed and why. The engine turns
/// it into a ``Finding`` by adding the check's identity and the object.
struct Violation: Sendable, Hashable {
    var container: String?
    var message: String
    /// Overrides the check's severity (vulnerabilities carry their own).
    var severity: Severity?
    var cveId: String?
    var affectedResource: String?
    /// Overrides the object the finding is about (vulnerability reports name their workload).
    var object: AuditObject?

    init(
        container: String? = nil, _ message: String, severity: Severity? = nil, cveId: String? = nil,
        affectedResource: String? = nil, object: AuditObject? = nil
    ) {
        self.container = container
        self.message = message
        self.severity = severity
        self.cveId = cveId
        self.affectedResource = affectedResource
        self.object = object
    }
}
