import KubeClient

extension FaultRule {
    /// The rule as the admin endpoint shows it.
    public var json: JSONValue {
        var value: JSONValue = ["id": .string(id), "kind": .string(kind.rawValue), "probability": .double(probability)]
        if !verbs.isEmpty { value["verbs"] = .array(verbs.map { .string($0) }) }
        if !resources.isEmpty { value["resources"] = .array(resources.map { .string($0) }) }
        if !namespaces.isEmpty { value["namespaces"] = .array(namespaces.map { .string($0) }) }
        if let code { value["code"] = .int(Int64(code)) }
        if let retryAfterSeconds { value["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        if let latencyMilliseconds { value["latencyMilliseconds"] = .int(Int64(latencyMilliseconds)) }
        if let everySeconds { value["everySeconds"] = .double(everySeconds) }
        if let seconds { value["seconds"] = .double(seconds) }
        if let times { value["times"] = .int(Int64(times)) }
        return value
    }

    /// A rule from its JSON form: `{"kind": "error", "code": 503, "verbs": ["list"], …}`.
    public init(json: JSONValue) throws(FaultRuleError) {
        guard case .object(let fields) = json else { throw FaultRuleError("a fault rule must be a JSON object") }
        let known: Set = ["id", "kind", "verbs", "resources", "namespaces", "probability", "code", "retryAfterSeconds",
                          "latencyMilliseconds", "everySeconds", "seconds", "times"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw FaultRuleError("unknown field \"\(unknown)\"; known fields: \(known.sorted().joined(separator: ", "))")
        }
        guard let kindText = json["kind"].stringValue, let kind = Kind(rawValue: kindText) else {
            throw FaultRuleError("kind must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func strings(_ key: String) throws(FaultRuleError) -> [String] {
            if json[key].isNull { return [] }
            if let one = json[key].stringValue { return [one] }
            guard let list = json[key].arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw FaultRuleError("\(key) must be a list of strings")
            }
            return list.compactMap(\.stringValue)
        }
        func int(_ key: String) throws(FaultRuleError) -> Int? {
            if json[key].isNull { return nil }
            guard let value = json[key].intValue else { throw FaultRuleError("\(key) must be an integer") }
            return value
        }
        func number(_ key: String) throws(FaultRuleError) -> Double? {
            if json[key].isNull { return nil }
            guard let value = json[key].doubleValue else { throw FaultRuleError("\(key) must be a number") }
            return value
        }
        self.init(id: json["id"].stringValue ?? "", kind: kind, verbs: try strings("verbs"),
                  resources: try strings("resources"), namespaces: try strings("namespaces"),
                  probability: try number("probability") ?? 1, code: try int("code"),
                  retryAfterSeconds: try int("retryAfterSeconds"), latencyMilliseconds: try int("latencyMilliseconds"),
                  everySeconds: try number("everySeconds"), seconds: try number("seconds"), times: try int("times"))
        if let problem = problems.first { throw FaultRuleError(problem) }
    }

    /// A rule from the `--fault` flag: `KIND[:KEY=VALUE,…]`, lists joined by `|`.
    ///
    /// ```
    /// --fault 'error:code=503,verbs=list|watch,resources=pods,probability=0.5,retry-after=2'
    /// --fault 'error:code=429,retry-after=1'      --fault 'latency:ms=300,verbs=list'
    /// --fault 'conflict:resources=deployments.apps'  --fault 'close-watches:every=5'
    /// --fault 'compact:every=30'                   --fault 'pause:seconds=10'
    /// ```
    /// Keys: `verbs`, `resources`, `namespaces`, `probability`, `code`, `retry-after`, `ms`,
    /// `every`, `seconds`, `times`, `id`.
    public init(flag: String) throws(FaultRuleError) {
        let parts = flag.split(separator: ":", maxSplits: 1).map(String.init)
        guard let kindText = parts.first, let kind = Kind(rawValue: kindText) else {
            throw FaultRuleError("\"\(flag)\": the fault kind must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var rule = FaultRule(kind: kind)
        if parts.count == 2 {
            for pair in parts[1].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw FaultRuleError("\"\(pair)\" in \"\(flag)\" is not KEY=VALUE") }
                let (key, value) = (kv[0], kv[1])
                func int() throws(FaultRuleError) -> Int {
                    guard let n = Int(value) else { throw FaultRuleError("\(key) must be an integer, not \"\(value)\"") }
                    return n
                }
                func number() throws(FaultRuleError) -> Double {
                    guard let n = Double(value) else { throw FaultRuleError("\(key) must be a number, not \"\(value)\"") }
                    return n
                }
                let list = value.split(separator: "|").map(String.init)
                switch key {
                case "id": rule.id = value
                case "verbs", "verb": rule.verbs = list
                case "resources", "resource": rule.resources = list
                case "namespaces", "namespace": rule.namespaces = list
                case "probability", "p": rule.probability = try number()
                case "code": rule.code = try int()
                case "retry-after", "retryAfter": rule.retryAfterSeconds = try int()
                case "ms", "latency": rule.latencyMilliseconds = try int()
                case "every": rule.everySeconds = try number()
                case "seconds", "for": rule.seconds = try number()
                case "times": rule.times = try int()
                default: throw FaultRuleError("unknown key \"\(key)\" in \"\(flag)\"")
                }
            }
        }
        if let problem = rule.problems.first { throw FaultRuleError("\"\(flag)\": \(problem)") }
        self = rule
    }
}

/// Why a fault rule was refused.
public struct FaultRuleError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
