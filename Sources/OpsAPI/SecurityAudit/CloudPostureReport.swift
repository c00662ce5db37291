/// The cloud part of a SecurityReport: what the cloud posture checks examined and found.
public struct CloudPostureReport: Codable, Sendable, Hashable {
    /// Resources examined, by kind (EKSCluster, GKECluster, EC2Instance).
    public var examined: [String: Int]
    public var findings: [CloudPostureFinding]
    /// The cloud APIs that could not be read, with the cloud's message.
    public var errors: [String]

    public init(examined: [String: Int], findings: [CloudPostureFinding], errors: [String]) {
        self.examined = examined
        self.findings = findings
        self.errors = errors
    }
}

/// One failed cloud posture check on one cloud resource.
public struct CloudPostureFinding: Codable, Sendable, Hashable {
    public var checkID: String
    public var severity: String
    public var title: String
    public var kind: String
    public var name: String
    public var location: String
    public var message: String
    public var remediation: String

    public init(checkID: String, severity: String, title: String, kind: String, name: String, location: String,
                message: String, remediation: String) {
        self.checkID = checkID
        self.severity = severity
        self.title = title
        self.kind = kind
        self.name = name
        self.location = location
        self.message = message
        self.remediation = remediation
    }
}
