import KubeClient

/// One fault the simulated API server injects, scoped by verb, resource, namespace and
/// probability. Switched on and off at run time (``FaultInjector``, the `/admin/faults`
/// endpoint, `opsagent sim --fault`).
public struct FaultRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Answer with `code` (500, 502, 503, 504, or 429), with `Retry-After` when given.
        case error
        /// Delay matching requests by `latencyMilliseconds`.
        case latency
        /// Answer updates and patches with 409 Conflict, as when another writer got there first.
        case conflict
        /// End matching watches every `everySeconds` (clients must resume from their last resourceVersion).
        case closeWatches = "close-watches"
        /// Compact the watch history (now, and every `everySeconds` when given), so resuming
        /// from an older resourceVersion gets 410 Gone.
        case compact
        /// Hold every matching request until `seconds` after the rule was added.
        case pause
    }

    /// Assigned when the rule is added (`fault-1`, …) unless given.
    public var id: String
    public var kind: Kind
    /// Verbs it applies to (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`); empty: all.
    public var verbs: [String]
    /// Resources it applies to, as `pods` or `deployments.apps`; empty: all.
    public var resources: [String]
    /// Namespaces it applies to; empty: all.
    public var namespaces: [String]
    /// Chance (0…1) that a matching request (or, for close-watches, a matching watch at each tick) is affected.
    public var probability: Double
    public var code: Int?
    public var retryAfterSeconds: Int?
    public var latencyMilliseconds: Int?
    public var everySeconds: Double?
    public var seconds: Double?
    /// Apply at most this many times, then remove the rule.
    public var times: Int?

    public init(id: String = "", kind: Kind, verbs: [String] = [], resources: [String] = [], namespaces: [String] = [],
                probability: Double = 1, code: Int? = nil, retryAfterSeconds: Int? = nil,
                latencyMilliseconds: Int? = nil, everySeconds: Double? = nil, seconds: Double? = nil, times: Int? = nil) {
        self.id = id
        self.kind = kind
        self.verbs = verbs
        self.resources = resources
        self.namespaces = namespaces
        self.probability = probability
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
        self.latencyMilliseconds = latencyMilliseconds
        self.everySeconds = everySeconds
        self.seconds = seconds
        self.times = times
    }

    /// What is wrong with the rule, if anything.
    public var problems: [String] {
        var out: [String] = []
        if !(0...1).contains(probability) { out.append("probability must be between 0 and 1") }
        let knownVerbs: Set = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
        for verb in verbs where !knownVerbs.contains(verb) { out.append("unknown verb \"\(verb)\"") }
        if let times, times < 1 { out.append("times must be at least 1") }
        switch kind {
        case .error:
            guard let code else { out.append("an error fault needs a code (500, 502, 503, 504 or 429)"); break }
            if !(code == 429 || (500...599).contains(code)) { out.append("code must be 429 or 5xx, not \(code)") }
        case .latency:
            if (latencyMilliseconds ?? 0) <= 0 { out.append("a latency fault needs ms > 0") }
        case .closeWatches:
            if (everySeconds ?? 0) <= 0 { out.append("a close-watches fault needs every > 0 seconds") }
        case .pause:
            if (seconds ?? 0) <= 0 { out.append("a pause fault needs seconds > 0") }
        case .compact:
            if let every = everySeconds, every <= 0 { out.append("every must be > 0 seconds") }
        case .conflict:
            break
        }
        if let retry = retryAfterSeconds, retry < 0 { out.append("retry-after must not be negative") }
        return out
    }

    /// Whether the rule's scope covers a request.
    func covers(_ request: FaultRequest) -> Bool {
        if !verbs.isEmpty && !verbs.contains(request.verb) { return false }
        if !resources.isEmpty && !resources.contains(where: { request.matches(resource: $0) }) { return false }
        if !namespaces.isEmpty && !namespaces.contains(request.namespace) { return false }
        return true
    }
}

/// A request as fault rules see it.
public struct FaultRequest: Sendable, Equatable {
    public var verb: String
    public var resource: GroupResource
    public var namespace: String

    public init(verb: String, resource: GroupResource, namespace: String) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
    }

    /// `pods` matches core pods; `deployments.apps` or `deployments` match apps deployments.
    func matches(resource name: String) -> Bool {
        if name == resource.description { return true }
        if name == resource.resource { return true }
        if let dot = name.firstIndex(of: "."), name[..<dot] == resource.resource,
           name[name.index(after: dot)...] == resource.group { return true }
        return false
    }

    /// The verb kube-apiserver derives from a method and path.
    public static func verb(method: String, hasName: Bool, isWatch: Bool) -> String {
        switch method.uppercased() {
        case "GET", "HEAD": return isWatch ? "watch" : (hasName ? "get" : "list")
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return hasName ? "delete" : "deletecollection"
        default: return method.lowercased()
        }
    }
}
