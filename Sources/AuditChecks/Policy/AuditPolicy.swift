import KubeClient

/// What a SecurityAudit asks of the engine: which objects, which checks, which waivers,
/// which image rules, which frameworks to summarise and what severity fails the audit.
///
/// The shape follows the SecurityAudit spec, so a controller can decode its spec into it
/// (or build it field by field). Every field has a default that audits everything with
/// every check. Check it with ``AuditEngine/validate(_:fieldPath:)`` first: unknown check
/// IDs, categories, frameworks and kinds come back as ``PolicyIssue``s naming the field.
public struct AuditPolicy: Sendable, Hashable, Codable {
    public var scope: AuditScope
    public var checks: CheckSelection
    /// Waivers; see ``Waiver``.
    public var exceptions: [Waiver]
    public var imagePolicy: ImagePolicy
    /// Framework IDs (``Framework/rawValue``) to summarise; empty means all.
    public var frameworks: [String]
    /// The severity at or above which an unwaived finding fails the audit
    /// (``AuditReport/failed``, which a controller turns into `Ready=False`); nil, the
    /// default, never fails.
    public var failOn: Severity?

    public init(
        scope: AuditScope = AuditScope(), checks: CheckSelection = CheckSelection(), exceptions: [Waiver] = [],
        imagePolicy: ImagePolicy = ImagePolicy(), frameworks: [String] = [], failOn: Severity? = nil
    ) {
        self.scope = scope
        self.checks = checks
        self.exceptions = exceptions
        self.imagePolicy = imagePolicy
        self.frameworks = frameworks
        self.failOn = failOn
    }

    enum CodingKeys: String, CodingKey { case scope, checks, exceptions, imagePolicy, frameworks, failOn }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            scope: try c.decodeIfPresent(AuditScope.self, forKey: .scope) ?? AuditScope(),
            checks: try c.decodeIfPresent(CheckSelection.self, forKey: .checks) ?? CheckSelection(),
            exceptions: try c.decodeIfPresent([Waiver].self, forKey: .exceptions) ?? [],
            imagePolicy: try c.decodeIfPresent(ImagePolicy.self, forKey: .imagePolicy) ?? ImagePolicy(),
            frameworks: try c.decodeIfPresent([String].self, forKey: .frameworks) ?? [],
            failOn: try c.decodeIfPresent(Severity.self, forKey: .failOn))
    }
}

/// Which objects an audit reads.
public struct AuditScope: Sendable, Hashable, Codable {
    /// Namespaces to audit; empty means all.
    public var namespaces: [String]
    /// Matched against the labels of workloads, pods, Services and Ingresses; nil matches all.
    public var labelSelector: LabelSelector?
    /// Kinds to audit (``AuditInventory/supportedKinds``); empty means all.
    public var kinds: [String]
    /// Whether ClusterRoles and ClusterRoleBindings are audited. Namespaces are audited when
    /// they are in ``namespaces`` either way, since they are what the namespace list names.
    public var includeClusterScoped: Bool

    public init(
        namespaces: [String] = [], labelSelector: LabelSelector? = nil, kinds: [String] = [],
        includeClusterScoped: Bool = true
    ) {
        self.namespaces = namespaces
        self.labelSelector = labelSelector
        self.kinds = kinds
        self.includeClusterScoped = includeClusterScoped
    }

    enum CodingKeys: String, CodingKey { case namespaces, labelSelector, kinds, includeClusterScoped }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            namespaces: try c.decodeIfPresent([String].self, forKey: .namespaces) ?? [],
            labelSelector: try c.decodeIfPresent(LabelSelector.self, forKey: .labelSelector),
            kinds: try c.decodeIfPresent([String].self, forKey: .kinds) ?? [],
            includeClusterScoped: try c.decodeIfPresent(Bool.self, forKey: .includeClusterScoped) ?? true)
    }

    func includes(kind: String) -> Bool { kinds.isEmpty || kinds.contains(kind) }
    func includes(namespace: String) -> Bool { namespaces.isEmpty || namespaces.contains(namespace) }
    func matches(labels: [String: String]) -> Bool { labelSelector?.matches(labels) ?? true }
}

/// `checks.include` and `checks.exclude`: check IDs or category names.
///
/// With an empty `include` every check is selected; otherwise only those named (by ID
/// or category). `exclude` then removes checks by ID or category.
public struct CheckSelection: Sendable, Hashable, Codable {
    public var include: [String]
    public var exclude: [String]

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
    }

    enum CodingKeys: String, CodingKey { case include, exclude }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            include: try c.decodeIfPresent([String].self, forKey: .include) ?? [],
            exclude: try c.decodeIfPresent([String].self, forKey: .exclude) ?? [])
    }

    func selects(_ check: AuditCheck) -> Bool {
        func names(_ entry: String) -> Bool {
            entry.caseInsensitiveCompare(check.id) == .orderedSame || CheckCategory(parsing: entry) == check.category
        }
        if !include.isEmpty && !include.contains(where: names) { return false }
        return !exclude.contains(where: names)
    }
}
