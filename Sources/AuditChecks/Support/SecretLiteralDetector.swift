import Foundation

/// Decides whether a literal environment variable value is a credential, by the variable's
/// name and by the value's shape, and says why in words that never contain the value.
///
/// - **By name**: a name word such as `PASSWORD`, `PASSWD`, `PWD`, `SECRET`, `TOKEN`,
///   `APIKEY`, `CREDENTIALS`, or a last word `KEY` (`STRIPE_KEY`), unless a later word
///   says the value is about the secret rather than the secret (`_FILE`, `_PATH`,
///   `_NAME`, `_TTL`, `_ID`…); and a value that could be one (four characters or more,
///   not a boolean, not a file path, not a `$(VAR)` reference).
/// - **By shape**, whatever the name: PEM private keys, JWTs, AWS access key IDs, GitHub,
///   GitLab, Slack, OpenAI and Google API tokens, URLs with a password, JSON objects with a
///   password/secret/token member, and long high-entropy base64 strings.
///
/// The detector returns a *reason* (`"its name suggests a password"`), never a span of the
/// value: nothing it returns can leak what it looked at.
enum SecretLiteralDetector {
    /// Why `value` looks like a credential, or nil.
    static func reason(name: String, value: String) -> String? {
        if let shape = shape(of: value) { return "its value has the shape of \(shape)" }
        if let word = secretWord(in: name), couldBeSecret(value) { return "its name suggests a \(word)" }
        return nil
    }

    /// Why a command-line argument carries a credential, or nil: `--db-password=…` and
    /// `DB_PASSWORD=…` are judged like an environment variable of that name, anything else
    /// by its shape alone. The reason names the flag, never its value.
    static func reason(argument: String) -> String? {
        if let equals = argument.firstIndex(of: "="), argument.index(after: equals) < argument.endIndex {
            let flag = argument[..<equals]
            let name = flag.drop { $0 == "-" }
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
                let value = String(argument[argument.index(after: equals)...])
                return reason(name: String(name), value: value).map { "flag \(flag): \($0)" }
            }
        }
        return shape(of: argument).map { "its value has the shape of \($0)" }
    }

    private static let secretWords: [String: String] = [
        "PASSWORD": "password", "PASSWD": "password", "PWD": "password", "PASS": "password",
        "SECRET": "secret", "TOKEN": "token", "APIKEY": "API key", "CREDENTIAL": "credential",
        "CREDENTIALS": "credential", "PRIVATEKEY": "private key", "PASSPHRASE": "passphrase",
    ]
    private static let metadataWords: Set<String> = [
        "FILE", "PATH", "DIR", "NAME", "TTL", "TIMEOUT", "SECONDS", "EXPIRY", "EXPIRES", "URL", "ENDPOINT",
        "HEADER", "TYPE", "ENABLED", "LENGTH", "REF", "ID", "KEYS", "LOCATION", "MOUNT", "VERSION",
    ]

    static func secretWord(in name: String) -> String? {
        let words = name.uppercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        for (index, word) in words.enumerated() {
            let kind: String?
            if let known = secretWords[word] {
                kind = known
            } else if word == "KEY" && index == words.count - 1 && words.count > 1 {
                kind = "key"
            } else {
                kind = nil
            }
            guard let kind else { continue }
            let after = words[(index + 1)...]
            if after.contains(where: metadataWords.contains) { return nil }
            return kind
        }
        return nil
    }

    private static func couldBeSecret(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.count < 4 { return false }
        if ["true", "false", "yes", "no", "none", "null"].contains(trimmed.lowercased()) { return false }
        if trimmed.hasPrefix("/") || trimmed.hasPrefix("$(") { return false }
        return true
    }

    /// The kind of credential `value` looks like, by its shape alone.
    static func shape(of value: String) -> String? {
        if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") { return "a PEM private key" }
        if isJWT(value) { return "a JSON Web Token" }
        if isAWSAccessKey(value) { return "an AWS access key ID" }
        for (prefix, kind) in tokenPrefixes where value.hasPrefix(prefix) && value.count >= prefix.count + 20 {
            return kind
        }
        if hasURLPassword(value) { return "a URL with a password" }
        if value.hasPrefix("{"), jsonHasSecretMember(value) { return "a JSON document with a credential member" }
        if isHighEntropyToken(value) { return "a random token" }
        return nil
    }

    private static let tokenPrefixes: [(String, String)] = [
        ("ghp_", "a GitHub token"), ("gho_", "a GitHub token"), ("ghs_", "a GitHub token"),
        ("ghu_", "a GitHub token"), ("ghr_", "a GitHub token"), ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"), ("xoxb-", "a Slack token"), ("xoxp-", "a Slack token"),
        ("xoxa-", "a Slack token"), ("sk-", "an API secret key"), ("AIza", "a Google API key"),
    ]

    private static func isJWT(_ value: String) -> Bool {
        guard value.hasPrefix("eyJ") else { return false }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count >= 8, parts[1].count >= 4 else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "=") } }
    }

    private static func isAWSAccessKey(_ value: String) -> Bool {
        guard value.count == 20, value.hasPrefix("AKIA") || value.hasPrefix("ASIA") else { return false }
        return value.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }

    private static func hasURLPassword(_ value: String) -> Bool {
        guard let scheme = value.range(of: "://") else { return false }
        let rest = value[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@") else { return false }
        let userInfo = rest[..<at]
        guard !userInfo.contains("/"), let colon = userInfo.firstIndex(of: ":") else { return false }
        return userInfo.index(after: colon) < userInfo.endIndex
    }

    private static func jsonHasSecretMember(_ value: String) -> Bool {
        guard let data = value.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data)
        else { return false }
        func search(_ node: Any) -> Bool {
            if let dict = node as? [String: Any] {
                for (key, child) in dict {
                    if child is String, secretWord(in: key) != nil || key.lowercased().contains("password") {
                        return true
                    }
                    if search(child) { return true }
                }
            } else if let array = node as? [Any] {
                return array.contains(where: search)
            }
            return false
        }
        return search(object)
    }

    /// 32 or more base64/base64url characters with letters and digits, and more than
    /// 4.2 bits of entropy per character (hex digests, at most 4, do not qualify).
    private static func isHighEntropyToken(_ value: String) -> Bool {
        let utf8 = Array(value.utf8)
        guard utf8.count >= 32 else { return false }
        var counts = [Int](repeating: 0, count: 128)
        var letters = false
        var digits = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): letters = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "-"), UInt8(ascii: "_"): break
            default: return false
            }
            counts[Int(byte)] += 1
        }
        guard letters && digits else { return false }
        let total = Double(utf8.count)
        var entropy = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            entropy -= p * log2(p)
        }
        return entropy > 4.2
    }
}
