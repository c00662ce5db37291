/// A label selector, in both of its Kubernetes forms:
///
/// - the query string (`app=web,tier!=db,env in (prod,staging),!legacy,replicas>2`),
///   parsed with ``init(parsing:)`` and printed with ``description``;
/// - `metav1.LabelSelector` JSON (`matchLabels` + `matchExpressions`), through `Codable`.
///
/// Requirements are ANDed. An empty selector matches everything.
public struct LabelSelector: Sendable, Hashable, Codable, CustomStringConvertible {
    public var requirements: [LabelRequirement]

    public init(_ requirements: [LabelRequirement] = []) { self.requirements = requirements }

    /// The selector that matches every object.
    public static let everything = LabelSelector()

    /// `matchLabels` as equality requirements, then `matchExpressions`.
    public init(matchLabels: [String: String] = [:], matchExpressions: [LabelRequirement] = []) {
        let equalities = matchLabels.sorted { $0.key < $1.key }.map {
            LabelRequirement(key: $0.key, operator: .equals, values: [$0.value])
        }
        self.requirements = equalities + matchExpressions
    }

    /// Parses the query-string form; see ``LabelSelectorParseError`` for what is rejected.
    public init(parsing text: String) throws {
        var parser = LabelSelectorParser(text)
        requirements = try parser.parse()
    }

    public var isEverything: Bool { requirements.isEmpty }

    /// Whether a set of labels satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        for requirement in requirements where !requirement.matches(labels) { return false }
        return true
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    public func matches(object: JSONValue) -> Bool {
        if requirements.isEmpty { return true }
        var labels: [String: String] = [:]
        if case .object(let raw) = object["metadata"]["labels"] {
            for (k, v) in raw { if let s = v.stringValue { labels[k] = s } }
        }
        return matches(labels)
    }

    /// The query-string form, requirements sorted by key as kube-apiserver prints them.
    public var description: String {
        requirements.enumerated()
            .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map { $0.element.description }
            .joined(separator: ",")
    }

    /// `matchLabels` and `matchExpressions` for the JSON form: equalities become
    /// `matchLabels`, the rest expressions.
    public var matchLabels: [String: String] {
        var labels: [String: String] = [:]
        for r in requirements where r.operator == .equals && r.values.count == 1 { labels[r.key] = r.values[0] }
        return labels
    }

    public var matchExpressions: [LabelRequirement] {
        requirements.filter { !($0.operator == .equals && $0.values.count == 1) }
    }

    // MARK: Codable (metav1.LabelSelector)

    enum CodingKeys: String, CodingKey { case matchLabels, matchExpressions }

    struct Expression: Codable {
        var key: String
        var `operator`: String
        var values: [String]?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let labels = try container.decodeIfPresent([String: String].self, forKey: .matchLabels) ?? [:]
        let expressions = try container.decodeIfPresent([Expression].self, forKey: .matchExpressions) ?? []
        var requirements: [LabelRequirement] = []
        for (index, e) in expressions.enumerated() {
            let values = e.values ?? []
            let op: LabelRequirement.Operator
            switch e.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [CodingKeys.matchExpressions],
                    debugDescription: "matchExpressions[\(index)].operator \"\(e.operator)\" is not a valid selector "
                        + "operator; use In, NotIn, Exists or DoesNotExist"))
            }
            if (op == .in || op == .notIn) && values.isEmpty {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [CodingKeys.matchExpressions],
                    debugDescription: "matchExpressions[\(index)].values must be non-empty for operator \(e.operator)"))
            }
            if (op == .exists || op == .doesNotExist) && !values.isEmpty {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [CodingKeys.matchExpressions],
                    debugDescription: "matchExpressions[\(index)].values must be empty for operator \(e.operator)"))
            }
            requirements.append(LabelRequirement(key: e.key, operator: op, values: values))
        }
        self.init(matchLabels: labels, matchExpressions: requirements)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let labels = matchLabels
        if !labels.isEmpty { try container.encode(labels, forKey: .matchLabels) }
        var expressions: [Expression] = []
        for r in matchExpressions {
            let op: String
            var values: [String]? = r.values
            switch r.operator {
            case .equals, .in: op = "In"
            case .notEquals, .notIn: op = "NotIn"
            case .exists: op = "Exists"; values = nil
            case .doesNotExist: op = "DoesNotExist"; values = nil
            case .greaterThan, .lessThan:
                throw EncodingError.invalidValue(
                    r.description,
                    .init(
                        codingPath: encoder.codingPath,
                        debugDescription: "the requirement \(r) uses > or <, which metav1.LabelSelector cannot express"))
            }
            expressions.append(Expression(key: r.key, operator: op, values: values))
        }
        if !expressions.isEmpty { try container.encode(expressions, forKey: .matchExpressions) }
    }
}

/// One requirement of a label selector.
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        /// `k=v` or `k==v` (and `matchLabels`).
        case equals = "="
        /// `k!=v`: also matches objects without the label.
        case notEquals = "!="
        /// `k in (a,b)`.
        case `in` = "in"
        /// `k notin (a,b)`: also matches objects without the label.
        case notIn = "notin"
        /// `k`.
        case exists = "exists"
        /// `!k`.
        case doesNotExist = "!"
        /// `k>N`: the label is an integer greater than N.
        case greaterThan = ">"
        /// `k<N`: the label is an integer less than N.
        case lessThan = "<"
    }

    public var key: String
    public var `operator`: Operator
    public var values: [String]

    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    public static func equals(_ key: String, _ value: String) -> LabelRequirement {
        LabelRequirement(key: key, operator: .equals, values: [value])
    }
    public static func notEquals(_ key: String, _ value: String) -> LabelRequirement {
        LabelRequirement(key: key, operator: .notEquals, values: [value])
    }
    public static func `in`(_ key: String, _ values: [String]) -> LabelRequirement {
        LabelRequirement(key: key, operator: .in, values: values)
    }
    public static func notIn(_ key: String, _ values: [String]) -> LabelRequirement {
        LabelRequirement(key: key, operator: .notIn, values: values)
    }
    public static func exists(_ key: String) -> LabelRequirement { LabelRequirement(key: key, operator: .exists) }
    public static func doesNotExist(_ key: String) -> LabelRequirement {
        LabelRequirement(key: key, operator: .doesNotExist)
    }

    public func matches(_ labels: [String: String]) -> Bool {
        switch self.operator {
        case .equals, .in:
            guard let value = labels[key] else { return false }
            return values.contains(value)
        case .notEquals, .notIn:
            guard let value = labels[key] else { return true }
            return !values.contains(value)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        case .greaterThan, .lessThan:
            guard let text = labels[key], let have = Int64(text), let limitText = values.first,
                  let limit = Int64(limitText)
            else { return false }
            return self.operator == .greaterThan ? have > limit : have < limit
        }
    }

    public var description: String {
        switch self.operator {
        case .equals, .notEquals, .greaterThan, .lessThan:
            return key + self.operator.rawValue + (values.first ?? "")
        case .in, .notIn:
            return key + " " + self.operator.rawValue + " (" + values.sorted().joined(separator: ",") + ")"
        case .exists:
            return key
        case .doesNotExist:
            return "!" + key
        }
    }
}

/// A malformed label selector: what is wrong and where.
public struct LabelSelectorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var selector: String
    /// Position in characters (UTF-8 bytes) where the problem is.
    public var position: Int
    public var problem: String

    public var description: String {
        "invalid label selector \"\(selector)\": \(problem) (at position \(position))"
    }
}

// MARK: - Parser

struct LabelSelectorParser {
    enum Token: Equatable {
        case identifier(String)
        case equals, doubleEquals, notEquals, bang, greater, less
        case openParen, closeParen, comma
        case keywordIn, keywordNotIn
        case end
    }

    let text: String
    let bytes: [UInt8]
    var index = 0
    var tokenStart = 0

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    func fail(_ problem: String, at position: Int? = nil) -> LabelSelectorParseError {
        LabelSelectorParseError(selector: text, position: position ?? tokenStart, problem: problem)
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
    static func isSpecial(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "!"), UInt8(ascii: "="), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
            UInt8(ascii: ">"), UInt8(ascii: "<"):
            return true
        default:
            return isSpace(c)
        }
    }

    /// Reads the next token. Keywords are recognised only where `allowKeywords` says so.
    mutating func next(allowKeywords: Bool = false) -> Token {
        while index < bytes.count, LabelSelectorParser.isSpace(bytes[index]) { index += 1 }
        tokenStart = index
        guard index < bytes.count else { return .end }
        let c = bytes[index]
        switch c {
        case UInt8(ascii: "("): index += 1; return .openParen
        case UInt8(ascii: ")"): index += 1; return .closeParen
        case UInt8(ascii: ","): index += 1; return .comma
        case UInt8(ascii: ">"): index += 1; return .greater
        case UInt8(ascii: "<"): index += 1; return .less
        case UInt8(ascii: "="):
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") { index += 1; return .doubleEquals }
            return .equals
        case UInt8(ascii: "!"):
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") { index += 1; return .notEquals }
            return .bang
        default:
            let start = index
            while index < bytes.count, !LabelSelectorParser.isSpecial(bytes[index]) { index += 1 }
            let word = String(decoding: bytes[start..<index], as: UTF8.self)
            if allowKeywords {
                if word == "in" { return .keywordIn }
                if word == "notin" { return .keywordNotIn }
            }
            return .identifier(word)
        }
    }

    mutating func peek(allowKeywords: Bool = false) -> Token {
        let saved = (index, tokenStart)
        let token = next(allowKeywords: allowKeywords)
        (index, tokenStart) = saved
        return token
    }

    static func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let s): return "\"\(s)\""
        case .equals: return "\"=\""
        case .doubleEquals: return "\"==\""
        case .notEquals: return "\"!=\""
        case .bang: return "\"!\""
        case .greater: return "\">\""
        case .less: return "\"<\""
        case .openParen: return "\"(\""
        case .closeParen: return "\")\""
        case .comma: return "\",\""
        case .keywordIn: return "\"in\""
        case .keywordNotIn: return "\"notin\""
        case .end: return "the end of the selector"
        }
    }

    mutating func parse() throws -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        if peek() == .end { return [] }
        while true {
            requirements.append(try parseRequirement())
            let token = next()
            switch token {
            case .end:
                return requirements
            case .comma:
                if peek() == .end { throw fail("a comma must be followed by another requirement", at: index) }
            default:
                throw fail("expected \",\" or the end of the selector after a requirement, found \(LabelSelectorParser.describe(token))")
            }
        }
    }

    mutating func parseRequirement() throws -> LabelRequirement {
        var token = next()
        if token == .bang {
            token = next()
            guard case .identifier(let key) = token else {
                throw fail("expected a label key after \"!\", found \(LabelSelectorParser.describe(token))")
            }
            try validateKey(key)
            let after = peek()
            guard after == .comma || after == .end else {
                _ = next()
                throw fail("\"!\(key)\" takes no operator or value; found \(LabelSelectorParser.describe(after))")
            }
            return LabelRequirement(key: key, operator: .doesNotExist)
        }
        guard case .identifier(let key) = token else {
            throw fail("expected a label key, found \(LabelSelectorParser.describe(token))")
        }
        try validateKey(key)
        let keyEnd = index
        let opToken = next(allowKeywords: true)
        switch opToken {
        case .end, .comma:
            // `k` alone: the label exists. Put the comma back for the caller.
            if opToken == .comma { index = tokenStart }
            return LabelRequirement(key: key, operator: .exists)
        case .equals, .doubleEquals, .notEquals:
            let op: LabelRequirement.Operator = opToken == .notEquals ? .notEquals : .equals
            let value = try parseSingleValue(after: LabelSelectorParser.describe(opToken))
            try validateValue(value)
            return LabelRequirement(key: key, operator: op, values: [value])
        case .greater, .less:
            let value = try parseSingleValue(after: LabelSelectorParser.describe(opToken))
            guard Int64(value) != nil else {
                throw fail("the value of \(key)\(opToken == .greater ? ">" : "<")\(value) must be an integer")
            }
            return LabelRequirement(key: key, operator: opToken == .greater ? .greaterThan : .lessThan, values: [value])
        case .keywordIn, .keywordNotIn:
            let values = try parseValueSet(operatorName: opToken == .keywordIn ? "in" : "notin")
            return LabelRequirement(key: key, operator: opToken == .keywordIn ? .in : .notIn, values: values)
        default:
            throw fail(
                "expected an operator (=, ==, !=, in, notin, >, <), a comma or the end after the key \"\(key)\", "
                    + "found \(LabelSelectorParser.describe(opToken))",
                at: opToken == .end ? keyEnd : tokenStart)
        }
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`; empty when the requirement ends there.
    mutating func parseSingleValue(after op: String) throws -> String {
        let token = peek()
        switch token {
        case .identifier(let value):
            _ = next()
            return value
        case .end, .comma:
            return ""
        default:
            _ = next()
            throw fail("expected a value after \(op), found \(LabelSelectorParser.describe(token))")
        }
    }

    mutating func parseValueSet(operatorName: String) throws -> [String] {
        var token = next()
        guard token == .openParen else {
            throw fail("expected \"(\" after \"\(operatorName)\", found \(LabelSelectorParser.describe(token))")
        }
        var values: [String] = []
        var expectValue = true
        while true {
            token = next()
            switch token {
            case .identifier(let value) where expectValue:
                try validateValue(value)
                values.append(value)
                expectValue = false
            case .comma where !expectValue:
                expectValue = true
            case .comma where expectValue:
                // An empty value between commas, as Kubernetes allows: `k in (a,,b)`.
                values.append("")
            case .closeParen:
                if expectValue && !values.isEmpty { values.append("") }
                guard !values.isEmpty else {
                    throw fail("the value set of \"\(operatorName)\" is empty; give at least one value, as in \(operatorName) (a,b)")
                }
                return values
            case .end:
                throw fail("the value set of \"\(operatorName)\" is not closed with \")\"", at: bytes.count)
            default:
                throw fail("expected a value, \",\" or \")\" in the value set of \"\(operatorName)\", found \(LabelSelectorParser.describe(token))")
            }
        }
    }

    func validateKey(_ key: String) throws {
        if let problem = LabelValidation.keyProblem(key) { throw fail("invalid label key \"\(key)\": \(problem)") }
    }

    func validateValue(_ value: String) throws {
        if let problem = LabelValidation.valueProblem(value) { throw fail("invalid label value \"\(value)\": \(problem)") }
    }
}

/// Label key and value rules (`k8s.io/apimachinery/pkg/util/validation`).
public enum LabelValidation {
    /// Why a label key is invalid, nil when it is valid: `[prefix/]name`, the name at most 63
    /// characters of alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric; the
    /// prefix a DNS subdomain of at most 253 characters.
    public static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return nameProblem(Substring(key))
        case 2:
            let prefix = parts[0]
            if prefix.isEmpty { return "the prefix before \"/\" must not be empty" }
            if let problem = dnsSubdomainProblem(prefix) { return "prefix part " + problem }
            return nameProblem(parts[1])
        default:
            return "a qualified name must consist of an optional DNS-subdomain prefix and a name, separated by one \"/\""
        }
    }

    static func nameProblem(_ name: Substring) -> String? {
        if name.isEmpty { return "name part must be non-empty" }
        if name.utf8.count > 63 { return "name part must be no more than 63 characters" }
        if !isQualifiedName(name) {
            return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name', or '123-abc')"
        }
        return nil
    }

    /// Why a label value is invalid, nil when it is valid: empty, or at most 63 characters of
    /// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
    public static func valueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if value.utf8.count > 63 { return "must be no more than 63 characters" }
        if !isQualifiedName(Substring(value)) {
            return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"
        }
        return nil
    }

    static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }

    static func isQualifiedName(_ s: Substring) -> Bool {
        let u = s.utf8
        guard let first = u.first, let last = u.last, isAlnum(first), isAlnum(last) else { return false }
        for c in u where !(isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")) {
            return false
        }
        return true
    }

    static func dnsSubdomainProblem(_ s: Substring) -> String? {
        if s.utf8.count > 253 { return "must be no more than 253 characters" }
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            let u = label.utf8
            guard let first = u.first, let last = u.last,
                  (first >= 97 && first <= 122) || (first >= 48 && first <= 57),
                  (last >= 97 && last <= 122) || (last >= 48 && last <= 57),
                  u.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") })
            else {
                return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
            }
        }
        return nil
    }
}
